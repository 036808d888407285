//! Routing, authentication, rate limiting and the endpoint handlers.
//!
//! Adding an endpoint is one [`Route`] in [`Router::zulip`] plus a handler
//! `fn(&mut Ctx<'_>) -> Reply`: the router answers unknown paths with Django's HTML 404 and a
//! known path with the wrong method with the JSON 405, authenticates (`Auth::Required`) and rate
//! limits before calling the handler, and computes `ignored_parameters_unsupported` from the
//! route's declared parameters.

use bytes::Bytes;
use http::header::{ALLOW, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use http::{HeaderMap, Method};

use crate::body::{self, Reply};
use crate::config::RetryAfter;
use crate::json::{Json, python_float};
use crate::state::{Shared, lock};
use crate::wire;

/// Whether a route needs HTTP Basic authentication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    Required,
    None,
}

/// One path segment of a route pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(&'static str),
    /// `{name:int}`: ASCII digits only (anything else hits no route, like Django's `[0-9]+`).
    Int(&'static str),
    /// `{name}`: any one non-empty segment, percent-decoded.
    Str(&'static str),
    /// `{name...}`: one or more remaining segments, slashes kept, each percent-decoded.
    Rest(&'static str),
}

pub(crate) type Handler = fn(&mut Ctx<'_>) -> Reply;

/// A route: method, pattern such as `/api/v1/attachments/{attachment_id:int}`, authentication,
/// the parameters the endpoint knows (others are "ignored") and the handler.
pub(crate) struct Route {
    method: Method,
    pattern: Vec<Segment>,
    auth: Auth,
    params: &'static [&'static str],
    handler: Handler,
}

impl Route {
    fn new(
        method: Method,
        pattern: &'static str,
        auth: Auth,
        params: &'static [&'static str],
        handler: Handler,
    ) -> Route {
        let pattern = pattern
            .trim_start_matches('/')
            .split('/')
            .map(
                |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => {
                        if let Some(name) = name.strip_suffix(":int") {
                            Segment::Int(name)
                        } else if let Some(name) = name.strip_suffix("...") {
                            Segment::Rest(name)
                        } else {
                            Segment::Str(name)
                        }
                    }
                    None => Segment::Literal(segment),
                },
            )
            .collect();
        Route {
            method,
            pattern,
            auth,
            params,
            handler,
        }
    }

    /// Path parameters when `path` matches.
    fn matches(&self, path: &str) -> Option<Vec<(&'static str, String)>> {
        let mut parts = path.strip_prefix('/')?.split('/');
        let mut captured = Vec::new();
        for segment in &self.pattern {
            match segment {
                Segment::Literal(lit) => {
                    if parts.next()? != *lit {
                        return None;
                    }
                }
                Segment::Int(name) => {
                    let part = parts.next()?;
                    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                    captured.push((*name, part.to_owned()));
                }
                Segment::Str(name) => {
                    let part = parts.next()?;
                    if part.is_empty() {
                        return None;
                    }
                    captured.push((*name, percent_decode(part, false)));
                }
                Segment::Rest(name) => {
                    let rest: Vec<&str> = parts.by_ref().collect();
                    if rest.is_empty() || rest.iter().any(|p| p.is_empty()) {
                        return None;
                    }
                    let decoded: Vec<String> =
                        rest.iter().map(|p| percent_decode(p, false)).collect();
                    captured.push((*name, decoded.join("/")));
                }
            }
        }
        parts.next().is_none().then_some(captured)
    }
}

/// The route table.
pub(crate) struct Router {
    routes: Vec<Route>,
}

impl Router {
    /// Every endpoint the server implements.
    pub(crate) fn zulip() -> Router {
        Router {
            routes: vec![
                Route::new(
                    Method::GET,
                    "/api/v1/attachments",
                    Auth::Required,
                    &[],
                    get_attachments,
                ),
                Route::new(
                    Method::GET,
                    "/api/v1/server_settings",
                    Auth::None,
                    &[],
                    get_server_settings,
                ),
                Route::new(
                    Method::DELETE,
                    "/api/v1/attachments/{attachment_id:int}",
                    Auth::Required,
                    &[],
                    crate::uploads::remove_attachment,
                ),
                // Streamed by `uploads::receive` before routing; listed for 405s and HEAD.
                Route::new(
                    Method::POST,
                    crate::uploads::UPLOAD_PATH,
                    Auth::Required,
                    &[],
                    upload_not_streamed,
                ),
                Route::new(
                    Method::GET,
                    "/api/v1/user_uploads/{realm_id_str}/{filename...}",
                    Auth::Required,
                    &[],
                    crate::uploads::temporary_url,
                ),
                Route::new(
                    Method::GET,
                    "/user_uploads/temporary/{token}/{filename}",
                    Auth::None,
                    &[],
                    crate::uploads::serve_temporary,
                ),
            ],
        }
    }
}

/// What a handler sees.
#[allow(dead_code)] // `headers` and `body` are for endpoints still to come.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) headers: &'a HeaderMap,
    /// Host (from `Host` or the HTTP/2 authority), without port.
    pub(crate) host: String,
    /// Query and form parameters, in order.
    pub(crate) params: Vec<(String, String)>,
    /// Captured path parameters.
    pub(crate) path_params: Vec<(&'static str, String)>,
    /// Parameter names the route does not know, sorted, deduplicated.
    pub(crate) ignored: Vec<String>,
    /// Index of the authenticated user in the database.
    pub(crate) user: Option<usize>,
    pub(crate) body: Bytes,
}

#[allow(dead_code)] // Accessors for the endpoints still to come.
impl Ctx<'_> {
    /// The first value of parameter `name`.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A captured path parameter.
    pub(crate) fn path_param(&self, name: &str) -> Option<&str> {
        self.path_params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A success body with `data`, honouring ignored parameters.
    pub(crate) fn success(&self, data: Vec<(String, Json)>) -> Reply {
        body::json(
            200,
            wire::success_body(&self.shared.profile, data, &self.ignored),
        )
    }

    /// An error with a code (dropped before FL 76).
    pub(crate) fn error(&self, status: u16, msg: &str, code: &str) -> Reply {
        error(self.shared, status, msg, code, Vec::new())
    }
}

/// An error response: `code` only when the profile has error codes.
pub(crate) fn error(
    shared: &Shared,
    status: u16,
    msg: &str,
    code: &str,
    extra: Vec<(String, Json)>,
) -> Reply {
    let code = shared.profile.error_codes().then_some(code);
    body::json(
        status,
        wire::error_body(&shared.profile.style, msg, code, extra),
    )
}

/// A 401 with `WWW-Authenticate: Basic realm="zulip"`.
fn unauthorized(shared: &Shared, status: u16, msg: &str, code: &str) -> Reply {
    let mut reply = error(shared, status, msg, code, Vec::new());
    if status == 401 {
        reply.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"zulip\""),
        );
    }
    reply
}

/// Routes an already-read request whose mode is [`Mode::Normal`](crate::Mode::Normal).
pub(crate) fn dispatch(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: &HeaderMap,
    host: String,
    body: Bytes,
) -> Reply {
    let candidates: Vec<(&Route, Vec<(&'static str, String)>)> = shared
        .router
        .routes
        .iter()
        .filter_map(|r| r.matches(path).map(|p| (r, p)))
        .collect();
    if candidates.is_empty() {
        return body::html(404, wire::NOT_FOUND_HTML);
    }
    let wanted = if *method == Method::HEAD {
        Method::GET
    } else {
        method.clone()
    };
    let Some((route, path_params)) = candidates
        .iter()
        .find(|(r, _)| r.method == wanted)
        .map(|(r, p)| (*r, p.clone()))
    else {
        let mut allowed: Vec<&str> = Vec::new();
        for (route, _) in &candidates {
            if !allowed.contains(&route.method.as_str()) {
                allowed.push(route.method.as_str());
            }
        }
        let mut reply = body::json(
            405,
            wire::error_body(
                &shared.profile.style,
                "Method Not Allowed",
                None,
                vec![(
                    "allowed_methods".to_owned(),
                    Json::Array(allowed.iter().map(|m| Json::str(*m)).collect()),
                )],
            ),
        );
        if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
            reply.headers_mut().insert(ALLOW, value);
        }
        return reply;
    };

    let mut params = query.map(parse_form).unwrap_or_default();
    let is_form = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if is_form && !body.is_empty() {
        params.extend(parse_form(&String::from_utf8_lossy(&body)));
    }
    let mut ignored: Vec<String> = params
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| !route.params.contains(&k.as_str()))
        .collect();
    ignored.sort();
    ignored.dedup();

    let mut ctx = Ctx {
        shared,
        headers,
        host,
        params,
        path_params,
        ignored,
        user: None,
        body,
    };
    if route.auth == Auth::None {
        return (route.handler)(&mut ctx);
    }
    let (user, decision) = match authorize(shared, headers) {
        Ok(found) => found,
        Err(reply) => return reply,
    };
    ctx.user = Some(user);
    with_rate_headers((route.handler)(&mut ctx), decision.as_ref())
}

/// Authenticates and rate limits: the user and the rate-limit decision, or the refusal (401,
/// 403 or 429, with the rate-limit headers).
// The error is the finished response; this private, per-request path is not worth boxing.
#[allow(clippy::result_large_err)]
pub(crate) fn authorize(
    shared: &Shared,
    headers: &HeaderMap,
) -> Result<(usize, Option<crate::state::RateDecision>), Reply> {
    let user = authenticate(shared, headers)?;
    let decision = lock(&shared.rate).check(user);
    match &decision {
        Some(refusal) if refusal.refused.is_some() => Err(with_rate_headers(
            rate_limited(shared, refusal),
            decision.as_ref(),
        )),
        _ => Ok((user, decision)),
    }
}

/// Adds `X-RateLimit-*` for a decision.
pub(crate) fn with_rate_headers(
    mut reply: Reply,
    decision: Option<&crate::state::RateDecision>,
) -> Reply {
    if let Some(decision) = decision {
        let headers = reply.headers_mut();
        for (name, value) in [
            ("x-ratelimit-limit", decision.limit.to_string()),
            ("x-ratelimit-remaining", decision.remaining.to_string()),
            ("x-ratelimit-reset", decision.reset.to_string()),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
    reply
}

/// `POST /api/v1/user_uploads` reached through routing: only when the request came through a
/// path the streaming handler does not take (never in practice).
fn upload_not_streamed(ctx: &mut Ctx<'_>) -> Reply {
    ctx.error(400, "You must specify a file to upload", "BAD_REQUEST")
}

fn rate_limited(shared: &Shared, decision: &crate::state::RateDecision) -> Reply {
    let seconds = decision.refused.unwrap_or(0.0);
    let value = match decision.config.retry_after {
        RetryAfter::Seconds => Json::Float(seconds),
        RetryAfter::Null => Json::Null,
    };
    let code = shared.profile.rate_limit_code().then_some("RATE_LIMIT_HIT");
    let mut reply = body::json(
        429,
        wire::error_body(
            &shared.profile.style,
            "API usage exceeded rate limit",
            code,
            vec![("retry-after".to_owned(), value)],
        ),
    );
    if decision.config.retry_after == RetryAfter::Seconds {
        if let Ok(value) = HeaderValue::from_str(&python_float(seconds)) {
            reply.headers_mut().insert(http::header::RETRY_AFTER, value);
        }
    }
    reply
}

/// Checks HTTP Basic credentials the way Zulip's `authenticated_rest_api_view` does.
// The error is the finished response; this private, per-request path is not worth boxing.
#[allow(clippy::result_large_err)]
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<usize, Reply> {
    let Some(value) = headers.get(http::header::AUTHORIZATION) else {
        return Err(unauthorized(
            shared,
            401,
            "Missing authorization header for basic auth",
            "UNAUTHORIZED",
        ));
    };
    let invalid = || {
        unauthorized(
            shared,
            401,
            "Invalid authorization header for basic auth",
            "UNAUTHORIZED",
        )
    };
    let Ok(value) = value.to_str() else {
        return Err(invalid());
    };
    let mut words = value.split_whitespace();
    let (Some(scheme), Some(credentials), None) = (words.next(), words.next(), words.next()) else {
        return Err(invalid());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(error(
            shared,
            400,
            "This endpoint requires HTTP basic authentication.",
            "BAD_REQUEST",
            Vec::new(),
        ));
    }
    let Some(decoded) = base64_decode(credentials).and_then(|b| String::from_utf8(b).ok()) else {
        return Err(invalid());
    };
    let mut pieces = decoded.split(':');
    let (Some(email), Some(api_key), None) = (pieces.next(), pieces.next(), pieces.next()) else {
        return Err(invalid());
    };

    let db = lock(&shared.db);
    let found = db.users.iter().position(|u| u.user.api_key == api_key);
    let Some(index) = found.filter(|&i| {
        db.users
            .get(i)
            .is_some_and(|u| u.user.email.eq_ignore_ascii_case(email))
    }) else {
        let well_formed = api_key.len() == 32 && api_key.bytes().all(|b| b.is_ascii_alphanumeric());
        let msg = if found.is_none() && !well_formed {
            "Malformed API key"
        } else {
            "Invalid API key"
        };
        return Err(unauthorized(shared, 401, msg, "INVALID_API_KEY"));
    };
    let Some(entry) = db.users.get(index) else {
        return Err(invalid());
    };
    let status = shared.profile.deactivated_status();
    if db.realm(entry.user.realm_id).is_some_and(|r| r.deactivated) {
        return Err(unauthorized(
            shared,
            status,
            "This organization has been deactivated",
            "REALM_DEACTIVATED",
        ));
    }
    if !entry.user.active {
        return Err(unauthorized(
            shared,
            status,
            "Account is deactivated",
            "USER_DEACTIVATED",
        ));
    }
    Ok(index)
}

/// Standard base64 with padding; `None` on anything else.
pub(crate) fn base64_decode(input: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = input.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let chunks = bytes.chunks(4);
    let count = chunks.len();
    for (i, chunk) in chunks.enumerate() {
        let last = i + 1 == count;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for (j, &c) in chunk.iter().enumerate() {
            let v = if j >= 4 - pad { 0 } else { value(c)? };
            n = (n << 6) | v;
        }
        let [_, a, b, c] = n.to_be_bytes();
        out.push(a);
        if pad < 2 {
            out.push(b);
        }
        if pad < 1 {
            out.push(c);
        }
    }
    Some(out)
}

/// Percent-decodes `s` (invalid escapes are kept as they are); `plus` turns `+` into space.
pub(crate) fn percent_decode(s: &str, plus: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| (*c as char).to_digit(16));
        match b {
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `a=1&b=2` (`application/x-www-form-urlencoded`).
pub(crate) fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Endpoints.

/// `GET /api/v1/attachments`.
fn get_attachments(ctx: &mut Ctx<'_>) -> Reply {
    let Some(user) = ctx.user else {
        return ctx.error(
            401,
            "Not logged in: API authentication or user session required",
            "UNAUTHORIZED",
        );
    };
    let body = lock(&ctx.shared.db).attachments_body(&ctx.shared.profile, user, &ctx.ignored);
    body::json(200, body)
}

/// `GET /api/v1/server_settings` (no authentication).
fn get_server_settings(ctx: &mut Ctx<'_>) -> Reply {
    let subdomain = ctx
        .host
        .strip_suffix(".localhost")
        .filter(|s| !s.is_empty() && !s.contains('.'))
        .unwrap_or("")
        .to_owned();
    let db = lock(&ctx.shared.db);
    let realm = db.realms.iter().find(|r| r.subdomain == subdomain);
    let url = realm.map(|r| ctx.shared.realm_url(r));
    let body =
        wire::server_settings_body(&ctx.shared.profile, realm.zip(url.as_deref()), &ctx.ignored);
    body::json(200, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        assert_eq!(
            base64_decode("aWFnb0B6dWxpcC5jb206a2V5").as_deref(),
            Some(&b"iago@zulip.com:key"[..])
        );
        assert_eq!(base64_decode("YQ==").as_deref(), Some(&b"a"[..]));
        assert_eq!(base64_decode("YWI=").as_deref(), Some(&b"ab"[..]));
        assert_eq!(base64_decode(""), Some(Vec::new()));
        assert_eq!(base64_decode("YQ="), None);
        assert_eq!(base64_decode("Y==="), None);
        assert_eq!(base64_decode("YQ==YQ=="), None);
        assert_eq!(base64_decode("!!!!"), None);
    }

    #[test]
    fn forms() {
        assert_eq!(
            parse_form("a=1&b=x+y%2Fz&c&&d=%zz"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y/z".into()),
                ("c".into(), "".into()),
                ("d".into(), "%zz".into()),
            ]
        );
    }

    #[test]
    fn patterns() {
        let route = Route::new(
            Method::GET,
            "/api/v1/user_uploads/{realm_id_str}/{filename...}",
            Auth::Required,
            &[],
            get_attachments,
        );
        assert_eq!(
            route.matches("/api/v1/user_uploads/2/ab/c%20d.txt"),
            Some(vec![
                ("realm_id_str", "2".into()),
                ("filename", "ab/c d.txt".into())
            ])
        );
        assert_eq!(route.matches("/api/v1/user_uploads/2"), None);
        let route = Route::new(
            Method::DELETE,
            "/api/v1/attachments/{attachment_id:int}",
            Auth::Required,
            &[],
            get_attachments,
        );
        assert_eq!(
            route.matches("/api/v1/attachments/12"),
            Some(vec![("attachment_id", "12".into())])
        );
        assert_eq!(route.matches("/api/v1/attachments/x1"), None);
        assert_eq!(route.matches("/api/v1/attachments/12/"), None);
    }
}
