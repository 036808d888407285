//! Response bodies exactly as Zulip servers send them, built by hand from WIRE-NOTES (never from
//! `zulip-types`). Public so that tests and benchmarks can produce bodies without a server.

use crate::config::{Generation, Realm, ServerConfig, version_tuple};
use crate::data::Attachment;
use std::fmt::Write as _;

use crate::json::{Json, JsonStyle, KeyOrder, write_python_float, write_string};

/// The version-dependent behaviour of a server: what it reports and how it shapes responses.
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    /// `zulip_version`.
    pub zulip_version: String,
    /// `zulip_feature_level` (absent before 3.0).
    pub feature_level: Option<u32>,
    /// Wire generation of `GET /attachments`.
    pub generation: Generation,
    /// Whether `GET /attachments` carries `upload_space_used`.
    pub upload_space_used: bool,
    /// How JSON is written.
    pub style: JsonStyle,
}

impl Profile {
    /// The profile of a configuration (honouring its overrides).
    pub fn from_config(config: &ServerConfig) -> Profile {
        let generation = config.effective_generation();
        let upload_space_used = config.upload_space_used.unwrap_or(match generation {
            Generation::G0 => false,
            Generation::G1 => version_tuple(&config.zulip_version) >= (2, 1),
            _ => true,
        });
        let style = config.json_style.unwrap_or(match generation {
            Generation::G0 | Generation::G1 => JsonStyle::UJSON,
            _ => JsonStyle::MODERN,
        });
        Profile {
            zulip_version: config.zulip_version.clone(),
            feature_level: config.feature_level,
            generation,
            upload_space_used,
            style,
        }
    }

    /// The feature level, 0 when absent.
    pub fn fl(&self) -> u32 {
        self.feature_level.unwrap_or(0)
    }

    /// Whether error bodies carry `code` (FL ≥ 76; never on 405 and 500).
    pub fn error_codes(&self) -> bool {
        self.fl() >= 76
    }

    /// Whether 429 bodies carry `"code":"RATE_LIMIT_HIT"` (FL ≥ 36).
    pub fn rate_limit_code(&self) -> bool {
        self.fl() >= 36
    }

    /// HTTP status of `USER_DEACTIVATED` / `REALM_DEACTIVATED`: 403 before FL 76, 401 from 76.
    pub fn deactivated_status(&self) -> u16 {
        if self.fl() >= 76 { 401 } else { 403 }
    }

    /// Whether success bodies list unknown parameters in `ignored_parameters_unsupported`
    /// (FL ≥ 167).
    pub fn reports_ignored_parameters(&self) -> bool {
        self.fl() >= 167
    }

    fn at_least(&self, major: u32, minor: u32) -> bool {
        version_tuple(&self.zulip_version) >= (major, minor)
    }
}

/// Milliseconds as G0/G1 servers compute them: `time.mktime(dt.timetuple()) * 1000`, a float.
fn float_ms(seconds: i64) -> Json {
    Json::Float(seconds as f64 * 1000.0)
}

/// One attachment object in `generation`'s wire form, keys in the server's order
/// (`id`, `name`, `path_id`, `size`, `create_time`, `messages` / `message_ids`).
pub fn attachment(generation: Generation, a: &Attachment) -> Json {
    let mut fields: Vec<(String, Json)> = Vec::with_capacity(6);
    fields.push(("id".into(), Json::UInt(a.id)));
    fields.push(("name".into(), Json::str(a.name.as_str())));
    fields.push(("path_id".into(), Json::str(a.path_id.as_str())));
    let size = || Json::UInt(a.size.unwrap_or(0));
    match generation {
        Generation::G0 => {}
        Generation::G1 => {
            fields.push(("size".into(), a.size.map_or(Json::Null, Json::UInt)));
            fields.push(("create_time".into(), float_ms(a.create_time)));
        }
        Generation::G2 => {
            fields.push(("size".into(), size()));
            fields.push(("create_time".into(), Json::Int(a.create_time * 1000)));
        }
        Generation::G3 | Generation::G4 => {
            fields.push(("size".into(), size()));
            fields.push(("create_time".into(), Json::Int(a.create_time)));
        }
    }
    let message =
        |id: u64, key: &str, time: Json| Json::object([("id", Json::UInt(id)), (key, time)]);
    match generation {
        Generation::G0 | Generation::G1 => fields.push((
            "messages".into(),
            Json::Array(
                a.messages
                    .iter()
                    .map(|m| message(m.id, "name", float_ms(m.date_sent)))
                    .collect(),
            ),
        )),
        Generation::G2 => fields.push((
            "messages".into(),
            Json::Array(
                a.messages
                    .iter()
                    .map(|m| message(m.id, "date_sent", Json::Int(m.date_sent * 1000)))
                    .collect(),
            ),
        )),
        Generation::G3 => fields.push((
            "messages".into(),
            Json::Array(
                a.messages
                    .iter()
                    .map(|m| message(m.id, "date_sent", Json::Int(m.date_sent)))
                    .collect(),
            ),
        )),
        Generation::G4 => fields.push((
            "message_ids".into(),
            Json::Array(a.messages.iter().map(|m| Json::UInt(m.id)).collect()),
        )),
    }
    Json::Object(fields)
}

/// The JSON array of `attachments` in `generation`'s wire form: the same text as serializing
/// [`attachment`] for each, written directly (fast enough for 100 000 attachments).
pub fn attachments_array(
    generation: Generation,
    attachments: &[Attachment],
    style: &JsonStyle,
) -> String {
    if style.key_order == KeyOrder::Sorted {
        let array = Json::Array(
            attachments
                .iter()
                .map(|a| attachment(generation, a))
                .collect(),
        );
        return array.to_string_with(style);
    }
    let mut out = String::with_capacity(64 + attachments.len() * 200);
    out.push('[');
    for (i, a) in attachments.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_attachment(&mut out, generation, a, style);
    }
    out.push(']');
    out
}

/// [`attachment`] in server key order, without building a tree.
fn write_attachment(out: &mut String, generation: Generation, a: &Attachment, style: &JsonStyle) {
    let _ = write!(out, "{{\"id\":{},\"name\":", a.id);
    write_string(out, &a.name, style);
    out.push_str(",\"path_id\":");
    write_string(out, &a.path_id, style);
    let ms = |out: &mut String, seconds: i64| write_python_float(out, seconds as f64 * 1000.0);
    match generation {
        Generation::G0 => {}
        Generation::G1 => {
            match a.size {
                Some(size) => {
                    let _ = write!(out, ",\"size\":{size}");
                }
                None => out.push_str(",\"size\":null"),
            }
            out.push_str(",\"create_time\":");
            ms(out, a.create_time);
        }
        Generation::G2 => {
            let _ = write!(
                out,
                ",\"size\":{},\"create_time\":{}",
                a.size.unwrap_or(0),
                a.create_time * 1000
            );
        }
        Generation::G3 | Generation::G4 => {
            let _ = write!(
                out,
                ",\"size\":{},\"create_time\":{}",
                a.size.unwrap_or(0),
                a.create_time
            );
        }
    }
    if generation == Generation::G4 {
        out.push_str(",\"message_ids\":[");
    } else {
        out.push_str(",\"messages\":[");
    }
    for (i, m) in a.messages.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = match generation {
            Generation::G0 | Generation::G1 => {
                let _ = write!(out, "{{\"id\":{},\"name\":", m.id);
                ms(out, m.date_sent);
                out.push('}');
                Ok(())
            }
            Generation::G2 => write!(
                out,
                "{{\"id\":{},\"date_sent\":{}}}",
                m.id,
                m.date_sent * 1000
            ),
            Generation::G3 => write!(out, "{{\"id\":{},\"date_sent\":{}}}", m.id, m.date_sent),
            Generation::G4 => write!(out, "{}", m.id),
        };
    }
    out.push_str("]}");
}

/// Sum of the sizes (missing sizes count 0), as `upload_space_used` reports it.
pub fn upload_space_used<'a>(attachments: impl IntoIterator<Item = &'a Attachment>) -> u64 {
    attachments.into_iter().map(|a| a.size.unwrap_or(0)).sum()
}

/// A whole `GET /attachments` success body for `profile`: `attachments` (see
/// [`attachments_array`]; pass a cached one as `Json::Raw`), `upload_space_used` when the profile
/// has it, `ignored_parameters_unsupported` when non-empty and FL ≥ 167.
pub fn attachments_body(
    profile: &Profile,
    attachments: Json,
    upload_space_used: u64,
    ignored: &[String],
) -> String {
    let mut data = vec![("attachments".to_owned(), attachments)];
    if profile.upload_space_used {
        data.push((
            "upload_space_used".to_owned(),
            Json::UInt(upload_space_used),
        ));
    }
    success_body(profile, data, ignored)
}

/// `{"result":"success","msg":"", ...data}`, plus `ignored_parameters_unsupported` (sorted) when
/// `ignored` is non-empty and the profile reports them; a trailing newline if the style says so.
pub fn success_body(profile: &Profile, data: Vec<(String, Json)>, ignored: &[String]) -> String {
    let mut fields = Vec::with_capacity(data.len() + 3);
    fields.push(("result".to_owned(), Json::str("success")));
    fields.push(("msg".to_owned(), Json::str("")));
    fields.extend(data);
    if profile.reports_ignored_parameters() && !ignored.is_empty() {
        let mut ignored = ignored.to_vec();
        ignored.sort();
        ignored.dedup();
        fields.push((
            "ignored_parameters_unsupported".to_owned(),
            Json::Array(ignored.into_iter().map(Json::Str).collect()),
        ));
    }
    finish(&Json::Object(fields), &profile.style)
}

/// `{"result":"error","msg":msg,"code":code, ...extra}` (`code` omitted when `None`).
pub fn error_body(
    style: &JsonStyle,
    msg: &str,
    code: Option<&str>,
    extra: Vec<(String, Json)>,
) -> String {
    let mut fields = Vec::with_capacity(extra.len() + 3);
    fields.push(("result".to_owned(), Json::str("error")));
    fields.push(("msg".to_owned(), Json::str(msg)));
    if let Some(code) = code {
        fields.push(("code".to_owned(), Json::str(code)));
    }
    fields.extend(extra);
    finish(&Json::Object(fields), style)
}

pub(crate) fn finish(value: &Json, style: &JsonStyle) -> String {
    let mut out = value.to_string_with(style);
    if style.trailing_newline {
        out.push('\n');
    }
    out
}

/// The body of `GET /server_settings` for `profile`. `realm` is the realm of the request's host
/// with its URL; `None` answers like a multi-realm root domain (realm fields absent).
pub fn server_settings_body(
    profile: &Profile,
    realm: Option<(&Realm, &str)>,
    ignored: &[String],
) -> String {
    let fl = profile.fl();
    let mut methods = vec![
        ("password", true),
        ("dev", true),
        ("email", true),
        ("ldap", false),
        ("remoteuser", false),
        ("github", true),
        ("azuread", false),
        ("google", true),
    ];
    if profile.at_least(2, 0) {
        methods.push(("saml", true));
    }
    if fl >= 1 {
        methods.push(("gitlab", false));
        methods.push(("apple", false));
        methods.push(("openid connect", false));
    }
    let mut data: Vec<(String, Json)> = vec![(
        "authentication_methods".into(),
        Json::object(methods.into_iter().map(|(k, v)| (k, Json::Bool(v)))),
    )];
    data.push((
        "zulip_version".into(),
        Json::str(profile.zulip_version.as_str()),
    ));
    if fl >= 88 {
        data.push((
            "zulip_merge_base".into(),
            Json::str(profile.zulip_version.as_str()),
        ));
    }
    if let Some(level) = profile.feature_level {
        data.push(("zulip_feature_level".into(), Json::UInt(u64::from(level))));
    }
    data.push(("push_notifications_enabled".into(), Json::Bool(false)));
    if profile.at_least(2, 0) {
        data.push(("is_incompatible".into(), Json::Bool(false)));
    }
    if let Some((realm, url)) = realm {
        data.push(("email_auth_enabled".into(), Json::Bool(true)));
        data.push(("require_email_format_usernames".into(), Json::Bool(true)));
        data.push(("realm_uri".into(), Json::str(url)));
        if fl >= 257 {
            data.push(("realm_url".into(), Json::str(url)));
        }
        data.push(("realm_name".into(), Json::str(realm.name.as_str())));
        data.push(("realm_icon".into(), Json::str(realm.icon.as_str())));
        data.push((
            "realm_description".into(),
            Json::str(realm.description.as_str()),
        ));
        if fl >= 116 {
            data.push(("realm_web_public_access_enabled".into(), Json::Bool(false)));
        }
        if profile.at_least(2, 1) {
            let method = |name: &str, display: &str, icon: Option<&str>, path: &str| {
                Json::object([
                    ("name", Json::str(name)),
                    ("display_name", Json::str(display)),
                    ("display_icon", icon.map_or(Json::Null, Json::str)),
                    (
                        "login_url",
                        Json::str(format!("/accounts/login/social/{path}")),
                    ),
                    (
                        "signup_url",
                        Json::str(format!("/accounts/register/social/{path}")),
                    ),
                ])
            };
            data.push((
                "external_authentication_methods".into(),
                Json::Array(vec![
                    method("saml:idp_name", "SAML", None, "saml/idp_name"),
                    method(
                        "google",
                        "Google",
                        Some("/static/images/authentication_backends/googl_e-icon.png"),
                        "google",
                    ),
                    method(
                        "github",
                        "GitHub",
                        Some("/static/images/authentication_backends/github-icon.png"),
                        "github",
                    ),
                ]),
            ));
        }
    }
    success_body(profile, data, ignored)
}

/// The HTML page Zulip (Django) answers unknown routes with, status 404.
pub const NOT_FOUND_HTML: &str = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"UTF-8\">\n<title>Page not found | Zulip</title>\n</head>\n<body>\n<div class=\"error_page\">\n<h1 class=\"lead\">Page not found (404)</h1>\n<p>Sorry, but the page that you are looking for could not be found.</p>\n</div>\n</body>\n</html>\n";

/// nginx's page for 413 (request body larger than `client_max_body_size`).
pub const NGINX_413_HTML: &str = "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// nginx's page for 502 (the application server did not answer).
pub const NGINX_502_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// nginx's page for 504 (the application server timed out).
pub const NGINX_504_HTML: &str = "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Preset;

    fn profile(preset: Preset) -> Profile {
        Profile::from_config(&ServerConfig::preset(preset))
    }

    #[test]
    fn g4_matches_the_wire_notes_example() {
        let a = Attachment::new(
            1,
            "166050.jpg",
            "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
            Some(571946),
            1588145417,
        )
        .with_message(102, 1588145424)
        .with_message(103, 1588145448);
        let mut p = profile(Preset::Zulip12_0);
        p.style = JsonStyle::SORTED_COMPACT;
        let body = attachments_body(
            &p,
            Json::Array(vec![attachment(Generation::G4, &a)]),
            571946,
            &[],
        );
        assert_eq!(
            body,
            r#"{"attachments":[{"create_time":1588145417,"id":1,"message_ids":[102,103],"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","size":571946}],"msg":"","result":"success","upload_space_used":571946}"#
        );
    }

    #[test]
    fn direct_writer_matches_the_tree() {
        let attachments = crate::sample::user_attachments(9);
        for generation in Generation::ALL {
            for style in [
                JsonStyle::MODERN,
                JsonStyle::UJSON,
                JsonStyle::SORTED_COMPACT,
            ] {
                let tree = Json::Array(
                    attachments
                        .iter()
                        .map(|a| attachment(generation, a))
                        .collect(),
                );
                assert_eq!(
                    attachments_array(generation, &attachments, &style),
                    tree.to_string_with(&style),
                    "{generation:?} {style:?}"
                );
            }
        }
        let mut legacy = attachments.clone();
        legacy[0].size = None;
        let tree = Json::Array(
            legacy
                .iter()
                .map(|a| attachment(Generation::G1, a))
                .collect(),
        );
        assert_eq!(
            attachments_array(Generation::G1, &legacy, &JsonStyle::UJSON),
            tree.to_string_with(&JsonStyle::UJSON)
        );
    }

    #[test]
    fn profiles() {
        assert!(!profile(Preset::Zulip1_6).upload_space_used);
        assert!(!profile(Preset::Zulip2_0).upload_space_used);
        assert!(profile(Preset::Zulip2_1).upload_space_used);
        assert!(profile(Preset::Zulip3_0Dev).upload_space_used);
        assert_eq!(profile(Preset::Zulip3_0).deactivated_status(), 403);
        assert_eq!(profile(Preset::Zulip9_0).deactivated_status(), 401);
        assert!(profile(Preset::Zulip9_0).reports_ignored_parameters());
        assert!(!profile(Preset::Zulip3_0).reports_ignored_parameters());
    }
}
