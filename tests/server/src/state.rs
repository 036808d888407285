//! State shared by the server thread and the [`TestServer`](crate::TestServer) handle.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;

use crate::config::{RateLimit, Realm, ServerConfig, User};
use crate::json::Json;
use crate::log::RequestRecord;
use crate::modes::Mode;
use crate::routes::Router;
use crate::wire::{self, Profile};

/// Locks, ignoring poisoning (a panicking test thread must not wedge the server).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) struct Shared {
    pub(crate) profile: Profile,
    pub(crate) base_url: String,
    pub(crate) scheme: &'static str,
    pub(crate) port: u16,
    pub(crate) router: Router,
    pub(crate) max_request_body: usize,
    pub(crate) log_body_bytes: usize,
    pub(crate) max_file_upload_size_mib: u64,
    pub(crate) upload_quota: Option<u64>,
    pub(crate) temporary_url_lifetime: Duration,
    pub(crate) uploads: Mutex<crate::uploads::UploadStore>,
    pub(crate) db: Mutex<Db>,
    pub(crate) modes: Mutex<ModeTable>,
    pub(crate) log: Mutex<Log>,
    pub(crate) rate: Mutex<RateLimiter>,
    pub(crate) connections_accepted: AtomicU64,
    pub(crate) connections_open: AtomicU64,
    pub(crate) connections_refused: AtomicU64,
    pub(crate) tls_handshake_failures: AtomicU64,
    pub(crate) requests_received: AtomicU64,
    /// Accept connections and never read from them.
    pub(crate) silent: AtomicBool,
}

impl Shared {
    pub(crate) fn new(config: &ServerConfig, addr: SocketAddr, scheme: &'static str) -> Shared {
        Shared {
            profile: Profile::from_config(config),
            base_url: format!("{scheme}://{addr}"),
            scheme,
            port: addr.port(),
            router: Router::zulip(),
            max_request_body: config.max_request_body,
            log_body_bytes: config.log_body_bytes,
            max_file_upload_size_mib: config.max_file_upload_size_mib,
            upload_quota: config.upload_quota,
            temporary_url_lifetime: config.temporary_url_lifetime,
            uploads: Mutex::new(crate::uploads::UploadStore::default()),
            db: Mutex::new(Db {
                realms: config.realms.clone(),
                users: config
                    .users
                    .iter()
                    .cloned()
                    .map(|user| UserEntry {
                        user,
                        attachments_body: None,
                    })
                    .collect(),
            }),
            modes: Mutex::new(ModeTable {
                global: config.mode.clone(),
                by_path: HashMap::new(),
                queue: VecDeque::new(),
            }),
            log: Mutex::new(Log {
                records: VecDeque::new(),
                capacity: config.log_capacity,
            }),
            rate: Mutex::new(RateLimiter {
                config: config.rate_limit,
                windows: HashMap::new(),
            }),
            connections_accepted: AtomicU64::new(0),
            connections_open: AtomicU64::new(0),
            connections_refused: AtomicU64::new(0),
            tls_handshake_failures: AtomicU64::new(0),
            requests_received: AtomicU64::new(0),
            silent: AtomicBool::new(false),
        }
    }

    pub(crate) fn record(&self, record: RequestRecord) {
        self.requests_received.fetch_add(1, Ordering::Relaxed);
        let mut log = lock(&self.log);
        if log.capacity == 0 {
            return;
        }
        while log.records.len() >= log.capacity {
            log.records.pop_front();
        }
        log.records.push_back(record);
    }

    /// The mode for a request to `path`: a queued one-shot mode, else the path's, else the global.
    pub(crate) fn take_mode(&self, path: &str) -> Mode {
        let mut modes = lock(&self.modes);
        if let Some(mode) = modes.queue.pop_front() {
            return mode;
        }
        modes
            .by_path
            .get(path)
            .cloned()
            .unwrap_or_else(|| modes.global.clone())
    }

    /// The URL of a realm as `GET /server_settings` reports it.
    pub(crate) fn realm_url(&self, realm: &Realm) -> String {
        if realm.subdomain.is_empty() {
            self.base_url.clone()
        } else {
            format!(
                "{}://{}.localhost:{}",
                self.scheme, realm.subdomain, self.port
            )
        }
    }
}

pub(crate) struct UserEntry {
    pub(crate) user: User,
    /// Cached `GET /attachments` body without ignored parameters.
    pub(crate) attachments_body: Option<Bytes>,
}

pub(crate) struct Db {
    pub(crate) realms: Vec<Realm>,
    pub(crate) users: Vec<UserEntry>,
}

impl Db {
    pub(crate) fn find_user(&self, email: &str) -> Option<usize> {
        self.users
            .iter()
            .position(|u| u.user.email.eq_ignore_ascii_case(email))
    }

    pub(crate) fn realm(&self, id: u64) -> Option<&Realm> {
        self.realms.iter().find(|r| r.id == id)
    }

    /// Drops every cached body (sizes of one user change another's `upload_space_used`).
    pub(crate) fn invalidate(&mut self) {
        for entry in &mut self.users {
            entry.attachments_body = None;
        }
    }

    pub(crate) fn upload_space_used(&self, realm_id: u64) -> u64 {
        self.users
            .iter()
            .filter(|u| u.user.realm_id == realm_id)
            .map(|u| wire::upload_space_used(&u.user.attachments))
            .sum()
    }

    /// The `GET /attachments` body of user `index` (cached when nothing is ignored).
    pub(crate) fn attachments_body(
        &mut self,
        profile: &Profile,
        index: usize,
        ignored: &[String],
    ) -> Bytes {
        let cacheable = ignored.is_empty() || !profile.reports_ignored_parameters();
        if cacheable {
            if let Some(body) = self
                .users
                .get(index)
                .and_then(|u| u.attachments_body.clone())
            {
                return body;
            }
        }
        let Some(entry) = self.users.get(index) else {
            return Bytes::new();
        };
        let used = self.upload_space_used(entry.user.realm_id);
        let array =
            wire::attachments_array(profile.generation, &entry.user.attachments, &profile.style);
        let body = Bytes::from(wire::attachments_body(
            profile,
            Json::Raw(array),
            used,
            ignored,
        ));
        if cacheable {
            if let Some(entry) = self.users.get_mut(index) {
                entry.attachments_body = Some(body.clone());
            }
        }
        body
    }
}

pub(crate) struct ModeTable {
    pub(crate) global: Mode,
    pub(crate) by_path: HashMap<String, Mode>,
    pub(crate) queue: VecDeque<Mode>,
}

pub(crate) struct Log {
    pub(crate) records: VecDeque<RequestRecord>,
    pub(crate) capacity: usize,
}

/// Fixed windows per user.
pub(crate) struct RateLimiter {
    pub(crate) config: Option<RateLimit>,
    pub(crate) windows: HashMap<usize, Window>,
}

pub(crate) struct Window {
    start: Instant,
    count: u32,
}

/// The outcome of a rate-limit check.
pub(crate) struct RateDecision {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    /// Absolute UNIX seconds, truncated.
    pub(crate) reset: u64,
    /// `Some(seconds until the window frees)` when the request is refused.
    pub(crate) refused: Option<f64>,
    pub(crate) config: RateLimit,
}

impl RateLimiter {
    pub(crate) fn check(&mut self, user: usize) -> Option<RateDecision> {
        let config = self.config?;
        let now = Instant::now();
        let window = self.windows.entry(user).or_insert(Window {
            start: now,
            count: 0,
        });
        if now.duration_since(window.start) >= config.window {
            window.start = now;
            window.count = 0;
        }
        let left = (window.start + config.window).saturating_duration_since(now);
        let reset = SystemTime::now()
            .checked_add(left)
            .unwrap_or_else(SystemTime::now)
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO)
            .as_secs();
        let refused = if window.count >= config.limit {
            Some(left.as_secs_f64())
        } else {
            window.count += 1;
            None
        };
        Some(RateDecision {
            limit: config.limit,
            remaining: config.limit.saturating_sub(window.count),
            reset,
            refused,
            config,
        })
    }
}
