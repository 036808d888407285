//! Server configuration: the Zulip version the server pretends to be, its realms and users, rate
//! limiting, TLS and limits.

use std::time::Duration;

use crate::data::Attachment;
use crate::json::JsonStyle;
use crate::modes::Mode;

/// The five wire generations of `GET /api/v1/attachments` (WIRE-NOTES).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Generation {
    /// Zulip 1.6: no `size`, no `create_time`, messages `{"id", "name": <float ms>}`.
    G0,
    /// Zulip 1.7 – 2.1.x and 3.0-dev before FL 22: nullable integer `size`, float-ms
    /// `create_time` (`1588145417000.0`), messages `{"id", "name": <float ms>}`;
    /// `upload_space_used` from 2.1.
    G1,
    /// FL 22 – 442: integer ms, messages `{"id", "date_sent": <int ms>}`.
    G2,
    /// FL 443 – 471: integer seconds, messages `{"id", "date_sent": <int s>}`.
    G3,
    /// FL ≥ 472: integer seconds, `"message_ids": [int, …]`.
    G4,
}

impl Generation {
    /// Every generation, oldest first.
    pub const ALL: [Generation; 5] = [
        Generation::G0,
        Generation::G1,
        Generation::G2,
        Generation::G3,
        Generation::G4,
    ];

    /// The generation a server with this version and feature level sends:
    /// FL ≥ 472 → G4, ≥ 443 → G3, ≥ 22 → G2, else version 1.6.x → G0, else G1.
    pub fn detect(zulip_version: &str, feature_level: Option<u32>) -> Generation {
        match feature_level.unwrap_or(0) {
            472.. => Generation::G4,
            443.. => Generation::G3,
            22.. => Generation::G2,
            _ if version_tuple(zulip_version) < (1, 7) => Generation::G0,
            _ => Generation::G1,
        }
    }

    /// The canonical preset of this generation.
    pub fn preset(self) -> Preset {
        match self {
            Generation::G0 => Preset::Zulip1_6,
            Generation::G1 => Preset::Zulip2_1,
            Generation::G2 => Preset::Zulip9_0,
            Generation::G3 => Preset::Zulip12_0Dev,
            Generation::G4 => Preset::Zulip12_0,
        }
    }
}

/// `(major, minor)` of a Zulip version string such as `2.1.7`, `3.0`, `5.0-dev-1650-gc3fd37755f`
/// (missing parts are 0).
pub(crate) fn version_tuple(version: &str) -> (u32, u32) {
    let mut parts = version.split(|c: char| !c.is_ascii_digit());
    let major = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor)
}

/// Versions the server can pretend to be, one or more per wire generation.
///
/// Feature levels are those the API changelog gives for the generation boundaries and the
/// committed spec (FL 276 for 9.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Preset {
    /// `1.6.0`, no feature level: G0.
    Zulip1_6,
    /// `2.0.1`, no feature level: G1 without `upload_space_used`.
    Zulip2_0,
    /// `2.1.7`, no feature level: G1 with `upload_space_used`.
    Zulip2_1,
    /// `3.0-dev-1021-g8a7b1a7e4c`, FL 21: still G1 (3.0-dev before FL 22).
    Zulip3_0Dev,
    /// `3.0`, FL 22: G2; errors without `code`, deactivated → 403, rate limit without `code`.
    Zulip3_0,
    /// `9.0`, FL 276 (the committed spec): G2 with every modern error shape.
    Zulip9_0,
    /// `12.0-dev-443-g0a1b2c3d4e`, FL 443: G3.
    Zulip12_0Dev,
    /// `12.0`, FL 478: G4.
    Zulip12_0,
}

impl Preset {
    /// Every preset, oldest first.
    pub const ALL: [Preset; 8] = [
        Preset::Zulip1_6,
        Preset::Zulip2_0,
        Preset::Zulip2_1,
        Preset::Zulip3_0Dev,
        Preset::Zulip3_0,
        Preset::Zulip9_0,
        Preset::Zulip12_0Dev,
        Preset::Zulip12_0,
    ];

    /// The `zulip_version` string.
    pub fn zulip_version(self) -> &'static str {
        match self {
            Preset::Zulip1_6 => "1.6.0",
            Preset::Zulip2_0 => "2.0.1",
            Preset::Zulip2_1 => "2.1.7",
            Preset::Zulip3_0Dev => "3.0-dev-1021-g8a7b1a7e4c",
            Preset::Zulip3_0 => "3.0",
            Preset::Zulip9_0 => "9.0",
            Preset::Zulip12_0Dev => "12.0-dev-443-g0a1b2c3d4e",
            Preset::Zulip12_0 => "12.0",
        }
    }

    /// The `zulip_feature_level` (absent before 3.0).
    pub fn feature_level(self) -> Option<u32> {
        match self {
            Preset::Zulip1_6 | Preset::Zulip2_0 | Preset::Zulip2_1 => None,
            Preset::Zulip3_0Dev => Some(21),
            Preset::Zulip3_0 => Some(22),
            Preset::Zulip9_0 => Some(276),
            Preset::Zulip12_0Dev => Some(443),
            Preset::Zulip12_0 => Some(478),
        }
    }

    /// The wire generation of `GET /attachments` this preset sends.
    pub fn generation(self) -> Generation {
        Generation::detect(self.zulip_version(), self.feature_level())
    }
}

/// What the server puts in `retry-after` when it answers 429.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RetryAfter {
    /// The float number of seconds until the window frees up, in the body and as the
    /// `Retry-After` header (same text).
    #[default]
    Seconds,
    /// `"retry-after": null` in the body and no `Retry-After` header.
    Null,
}

/// A per-user rate limit: at most `limit` authenticated requests per `window`.
///
/// Every authenticated response then carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
/// `X-RateLimit-Reset` (absolute UNIX seconds, truncated like Zulip's `int(time.time() + secs)`).
/// Windows are fixed: the first request after a window ends opens the next one. Windows can be
/// fractions of a second so tests stay fast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window and user.
    pub limit: u32,
    /// Window length.
    pub window: Duration,
    /// What `retry-after` holds on 429.
    pub retry_after: RetryAfter,
}

impl RateLimit {
    /// `limit` requests per `window`, float `retry-after`.
    pub fn new(limit: u32, window: Duration) -> RateLimit {
        RateLimit {
            limit,
            window,
            retry_after: RetryAfter::Seconds,
        }
    }

    /// Zulip's default: 200 requests per minute per user.
    pub fn zulip_default() -> RateLimit {
        RateLimit::new(200, Duration::from_secs(60))
    }

    /// Sends `"retry-after": null` (and no `Retry-After` header) on 429.
    pub fn with_null_retry_after(mut self) -> RateLimit {
        self.retry_after = RetryAfter::Null;
        self
    }
}

/// An organization ("realm").
///
/// The realm serving a request is chosen by the `Host` header: `SUB.localhost:PORT` selects the
/// realm whose `subdomain` is `SUB`; any other host (`127.0.0.1:PORT`) selects the realm with the
/// empty subdomain. When no realm matches, `GET /server_settings` answers like a multi-realm root
/// domain: the realm fields are absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Realm {
    /// Realm id (the first segment of `path_id`s).
    pub id: u64,
    /// Subdomain; empty for the root domain.
    pub subdomain: String,
    /// `realm_name`.
    pub name: String,
    /// `realm_description` (HTML).
    pub description: String,
    /// `realm_icon` URL.
    pub icon: String,
    /// A deactivated realm refuses its users with `REALM_DEACTIVATED`.
    pub deactivated: bool,
}

impl Realm {
    /// The id of the default realm (`2`, like the development server's "Zulip Dev").
    pub const DEFAULT_ID: u64 = 2;

    /// A realm with the given id and subdomain, named "Zulip Dev".
    pub fn new(id: u64, subdomain: impl Into<String>) -> Realm {
        Realm {
            id,
            subdomain: subdomain.into(),
            name: "Zulip Dev".to_owned(),
            description: "<p>The Zulip development environment default organization.  It's great for testing!</p>".to_owned(),
            icon: "https://secure.gravatar.com/avatar/62429d594b6ffc712f54aee976a18b44?d=identicon".to_owned(),
            deactivated: false,
        }
    }

    /// Sets the display name.
    pub fn named(mut self, name: impl Into<String>) -> Realm {
        self.name = name.into();
        self
    }

    /// Marks the realm deactivated.
    pub fn deactivated(mut self) -> Realm {
        self.deactivated = true;
        self
    }
}

impl Default for Realm {
    fn default() -> Self {
        Realm::new(Realm::DEFAULT_ID, "")
    }
}

/// A user who can authenticate with HTTP Basic `email:api_key`.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    /// Login email (matched case-insensitively, like Zulip).
    pub email: String,
    /// API key (any string; real ones are 32 alphanumerics).
    pub api_key: String,
    /// A deactivated user is refused with `USER_DEACTIVATED`.
    pub active: bool,
    /// The realm the user belongs to.
    pub realm_id: u64,
    /// The user's attachments, returned in this order by `GET /attachments`.
    pub attachments: Vec<Attachment>,
}

impl User {
    /// An active user of the default realm with no attachments.
    pub fn new(email: impl Into<String>, api_key: impl Into<String>) -> User {
        User {
            email: email.into(),
            api_key: api_key.into(),
            active: true,
            realm_id: Realm::DEFAULT_ID,
            attachments: Vec::new(),
        }
    }

    /// Sets the user's attachments.
    pub fn with_attachments(mut self, attachments: Vec<Attachment>) -> User {
        self.attachments = attachments;
        self
    }

    /// Puts the user in another realm.
    pub fn in_realm(mut self, realm_id: u64) -> User {
        self.realm_id = realm_id;
        self
    }

    /// Marks the user deactivated.
    pub fn deactivated(mut self) -> User {
        self.active = false;
        self
    }
}

/// HTTPS settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TlsOptions {
    /// Require a client certificate signed by the server's CA (mutual TLS).
    pub require_client_cert: bool,
    /// Offer HTTP/2 through ALPN (`h2`, then `http/1.1`). When false only `http/1.1` is offered.
    pub http2: bool,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            require_client_cert: false,
            http2: true,
        }
    }
}

/// Everything a [`TestServer`](crate::TestServer) is started with. Build it with the methods below.
///
/// ```
/// use std::time::Duration;
/// use zulip_test_server::{Preset, RateLimit, ServerConfig, User, sample};
///
/// let config = ServerConfig::preset(Preset::Zulip2_1)
///     .user(User::new("iago@zulip.com", "key1").with_attachments(sample::user_attachments(7)))
///     .rate_limit(Some(RateLimit::new(3, Duration::from_millis(300))))
///     .https();
/// # let _ = config;
/// ```
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub(crate) zulip_version: String,
    pub(crate) feature_level: Option<u32>,
    pub(crate) generation: Option<Generation>,
    pub(crate) upload_space_used: Option<bool>,
    pub(crate) json_style: Option<JsonStyle>,
    pub(crate) realms: Vec<Realm>,
    pub(crate) users: Vec<User>,
    pub(crate) rate_limit: Option<RateLimit>,
    pub(crate) tls: Option<TlsOptions>,
    pub(crate) mode: Mode,
    pub(crate) max_request_body: usize,
    pub(crate) max_file_upload_size_mib: u64,
    pub(crate) upload_quota: Option<u64>,
    pub(crate) temporary_url_lifetime: Duration,
    pub(crate) log_capacity: usize,
    pub(crate) log_body_bytes: usize,
    pub(crate) max_connections: usize,
    pub(crate) worker_threads: usize,
}

impl ServerConfig {
    /// A server that pretends to be `zulip_version` at `feature_level` (pass `None` before 3.0),
    /// with the default realm, no users, Zulip's default rate limit (200/min), plain HTTP.
    pub fn new(zulip_version: impl Into<String>, feature_level: Option<u32>) -> ServerConfig {
        ServerConfig {
            zulip_version: zulip_version.into(),
            feature_level,
            generation: None,
            upload_space_used: None,
            json_style: None,
            realms: vec![Realm::default()],
            users: Vec::new(),
            rate_limit: Some(RateLimit::zulip_default()),
            tls: None,
            mode: Mode::Normal,
            max_request_body: 32 * 1024 * 1024,
            max_file_upload_size_mib: 25,
            upload_quota: None,
            temporary_url_lifetime: Duration::from_secs(60),
            log_capacity: 1024,
            log_body_bytes: 64 * 1024,
            max_connections: 512,
            worker_threads: 1,
        }
    }

    /// A server pretending to be `preset`.
    pub fn preset(preset: Preset) -> ServerConfig {
        ServerConfig::new(preset.zulip_version(), preset.feature_level())
    }

    /// The canonical preset of `generation`.
    pub fn generation(generation: Generation) -> ServerConfig {
        ServerConfig::preset(generation.preset())
    }

    /// A ready-made demo: Zulip 12.0 (G4) with the user [`DEMO_EMAIL`](crate::DEMO_EMAIL) /
    /// [`DEMO_API_KEY`](crate::DEMO_API_KEY) owning [`sample::user_attachments(1)`](crate::sample::user_attachments),
    /// for examples run without a Zulip account.
    pub fn demo() -> ServerConfig {
        ServerConfig::preset(Preset::Zulip12_0).user(
            User::new(crate::DEMO_EMAIL, crate::DEMO_API_KEY)
                .with_attachments(crate::sample::user_attachments(1)),
        )
    }

    /// Adds a user.
    pub fn user(mut self, user: User) -> ServerConfig {
        self.users.push(user);
        self
    }

    /// Adds a realm, or replaces the one with the same id.
    pub fn realm(mut self, realm: Realm) -> ServerConfig {
        self.realms.retain(|r| r.id != realm.id);
        self.realms.push(realm);
        self
    }

    /// Removes every realm (then add some with [`realm`](Self::realm)). Without a realm of empty
    /// subdomain, `127.0.0.1` is a multi-realm root domain.
    pub fn without_realms(mut self) -> ServerConfig {
        self.realms.clear();
        self
    }

    /// Sets (or with `None` disables) rate limiting; disabled means no `X-RateLimit-*` headers.
    pub fn rate_limit(mut self, rate_limit: Option<RateLimit>) -> ServerConfig {
        self.rate_limit = rate_limit;
        self
    }

    /// Forces a wire generation regardless of version and feature level (for example G2 while
    /// reporting FL 21, as a few development servers did).
    pub fn force_generation(mut self, generation: Generation) -> ServerConfig {
        self.generation = Some(generation);
        self
    }

    /// Forces whether `upload_space_used` is sent (default: from 2.1 on, never in G0).
    pub fn force_upload_space_used(mut self, present: bool) -> ServerConfig {
        self.upload_space_used = Some(present);
        self
    }

    /// Sets how JSON is written (default: [`JsonStyle::UJSON`] for G0/G1, [`JsonStyle::MODERN`]
    /// from G2 on).
    pub fn json_style(mut self, style: JsonStyle) -> ServerConfig {
        self.json_style = Some(style);
        self
    }

    /// Serves HTTPS with a freshly generated CA (HTTP/2 offered through ALPN).
    pub fn https(self) -> ServerConfig {
        self.tls(TlsOptions::default())
    }

    /// Serves HTTPS with these options.
    pub fn tls(mut self, options: TlsOptions) -> ServerConfig {
        self.tls = Some(options);
        self
    }

    /// Serves HTTPS and requires a client certificate signed by the server's CA.
    pub fn require_client_cert(self) -> ServerConfig {
        let mut options = self.tls.unwrap_or_default();
        options.require_client_cert = true;
        self.tls(options)
    }

    /// The [`Mode`] every request is answered with until changed at run time.
    pub fn mode(mut self, mode: Mode) -> ServerConfig {
        self.mode = mode;
        self
    }

    /// The reverse proxy's limit: largest request body accepted (default 32 MiB; nginx on a
    /// real server allows 80 MiB); larger ones get nginx's HTML 413. Uploads are streamed, other
    /// bodies are held in memory up to this size.
    pub fn max_request_body(mut self, bytes: usize) -> ServerConfig {
        self.max_request_body = bytes;
        self
    }

    /// Zulip's `MAX_FILE_UPLOAD_SIZE` in MiB (default 25): a larger upload gets "Uploaded file
    /// is larger than the allowed limit of N MiB". The proxy's limit is
    /// [`max_request_body`](Self::max_request_body).
    pub fn max_file_upload_size_mib(mut self, mib: u64) -> ServerConfig {
        self.max_file_upload_size_mib = mib;
        self
    }

    /// Every realm's upload quota in bytes (default none): an upload that would take the
    /// realm's total past it gets `REALM_UPLOAD_QUOTA`.
    pub fn upload_quota(mut self, bytes: Option<u64>) -> ServerConfig {
        self.upload_quota = bytes;
        self
    }

    /// How long a temporary URL works (default 60 s, like Zulip's).
    pub fn temporary_url_lifetime(mut self, lifetime: Duration) -> ServerConfig {
        self.temporary_url_lifetime = lifetime;
        self
    }

    /// How many requests the log keeps (default 1024; the oldest are dropped).
    pub fn log_capacity(mut self, records: usize) -> ServerConfig {
        self.log_capacity = records;
        self
    }

    /// How many bytes of each request body the log keeps (default 64 KiB).
    pub fn log_body_bytes(mut self, bytes: usize) -> ServerConfig {
        self.log_body_bytes = bytes;
        self
    }

    /// Most connections open at once (default 512); further ones are closed at once.
    pub fn max_connections(mut self, connections: usize) -> ServerConfig {
        self.max_connections = connections.max(1);
        self
    }

    /// Runtime worker threads (default 1: a current-thread runtime on the server thread).
    pub fn worker_threads(mut self, threads: usize) -> ServerConfig {
        self.worker_threads = threads.max(1);
        self
    }

    /// The wire generation this configuration sends.
    pub fn effective_generation(&self) -> Generation {
        self.generation
            .unwrap_or_else(|| Generation::detect(&self.zulip_version, self.feature_level))
    }

    /// The version string it reports.
    pub fn zulip_version(&self) -> &str {
        &self.zulip_version
    }

    /// The feature level it reports.
    pub fn feature_level(&self) -> Option<u32> {
        self.feature_level
    }
}

impl Default for ServerConfig {
    /// The latest preset ([`Preset::Zulip12_0`]), no users.
    fn default() -> Self {
        ServerConfig::preset(Preset::Zulip12_0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generations() {
        assert_eq!(Generation::detect("1.6.0", None), Generation::G0);
        assert_eq!(Generation::detect("1.7.1", None), Generation::G1);
        assert_eq!(Generation::detect("2.1.7", None), Generation::G1);
        assert_eq!(Generation::detect("3.0-dev-1", Some(21)), Generation::G1);
        assert_eq!(Generation::detect("3.0", Some(22)), Generation::G2);
        assert_eq!(Generation::detect("11.5", Some(442)), Generation::G2);
        assert_eq!(Generation::detect("12.0-dev", Some(443)), Generation::G3);
        assert_eq!(Generation::detect("12.0-dev", Some(471)), Generation::G3);
        assert_eq!(Generation::detect("12.0", Some(472)), Generation::G4);
        for g in Generation::ALL {
            assert_eq!(g.preset().generation(), g);
        }
    }

    #[test]
    fn versions() {
        assert_eq!(version_tuple("2.1.7"), (2, 1));
        assert_eq!(version_tuple("5.0-dev-1650-gc3fd37755f"), (5, 0));
        assert_eq!(version_tuple("12"), (12, 0));
        assert_eq!(version_tuple(""), (0, 0));
    }
}
