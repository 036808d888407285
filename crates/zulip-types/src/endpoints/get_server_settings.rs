//! `GET /api/v1/server_settings`: the server's version, feature level and login options. No
//! authentication.
//!
//! What changed over time (WIRE-NOTES, spec at feature level 276):
//!
//! | field | history |
//! |---|---|
//! | `zulip_feature_level` | absent before Zulip 3.0: read as level 0 |
//! | `zulip_version` | always; `2.1.7`, or `5.0-dev-1650-gc3fd37755f` for a Git build |
//! | `zulip_merge_base` | feature level 88 on |
//! | `realm_url` | feature level 257 on; `realm_uri` before and still sent as an alias |
//! | realm fields | **absent** (not null) on the root domain of a multi-realm server |
//! | `authentication_methods` | open-ended keys, e.g. `"openid connect"` with a space |
//! | `external_authentication_methods` | Zulip 2.1 on; `display_icon` may be `null` |
//! | `realm_web_public_access_enabled` | feature level 116 on |
//!
//! ```
//! use zulip_types::{FeatureLevel, GetServerSettingsResponse, IncomingResponse, ResponseContext};
//!
//! // Zulip 2.1: no feature level, `realm_uri` only.
//! let body = br#"{"result":"success","msg":"","zulip_version":"2.1.7",
//!     "authentication_methods":{"password":true,"openid connect":false},
//!     "realm_uri":"https://chat.example.com","realm_name":"Example"}"#;
//! let response = http::Response::builder().status(200).body(&body[..])?;
//! let settings = GetServerSettingsResponse::try_from_http_response(&response, &ResponseContext::new())?;
//! assert_eq!(settings.zulip_feature_level, FeatureLevel::ZERO);
//! assert_eq!(settings.realm_url.as_deref(), Some("https://chat.example.com"));
//! assert_eq!(settings.authentication_methods.get("openid connect"), Some(&false));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;

use http::Method;
use serde::{Deserialize, Deserializer};

use crate::api::{ObjectOnly, ResultTag, SuccessBody, parse_success};
use crate::{
    AttachmentsGeneration, Authentication, BuildError, Endpoint, FeatureLevel, IncomingResponse,
    RequestContext, ResponseContext, ResponseError,
};

/// `GET /api/v1/server_settings` (operation `get-server-settings`). Sent without credentials.
///
/// ```
/// use zulip_types::{Endpoint, GetServerSettings, RequestContext, Site};
///
/// let context = RequestContext::new(Site::parse("chat.example.com")?);
/// let request = GetServerSettings::new().try_into_http_request(&context)?;
/// assert_eq!(request.uri(), "https://chat.example.com/api/v1/server_settings");
/// assert!(request.headers().get("authorization").is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetServerSettings {}

impl GetServerSettings {
    /// The request (it has no parameters).
    #[must_use]
    pub const fn new() -> Self {
        Self {}
    }
}

impl Endpoint for GetServerSettings {
    const NAME: &'static str = "get-server-settings";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/server_settings";
    const AUTHENTICATION: Authentication = Authentication::None;
    type Response = GetServerSettingsResponse;

    fn try_into_http_request(
        &self,
        context: &RequestContext,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        context.build_request(
            Self::NAME,
            Self::METHOD,
            Self::PATH,
            Self::AUTHENTICATION,
            None,
        )
    }
}

/// The success response of [`GetServerSettings`].
///
/// Realm fields are `None` on the root domain of a multi-realm server, and on servers too old to
/// send them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetServerSettingsResponse {
    /// `zulip_version`, e.g. `2.1.7` or `5.0-dev-1650-gc3fd37755f`.
    pub zulip_version: String,
    /// `zulip_feature_level`; [`FeatureLevel::ZERO`] when absent (before Zulip 3.0).
    pub zulip_feature_level: FeatureLevel,
    /// `zulip_merge_base` (feature level 88 on; `""` when unavailable).
    pub zulip_merge_base: Option<String>,
    /// `authentication_methods`: every method the server knows and whether it is enabled. Keys
    /// are open-ended (`password`, `ldap`, `saml`, `openid connect`, ...). Deprecated in 2.1.
    pub authentication_methods: BTreeMap<String, bool>,
    /// `external_authentication_methods` (Zulip 2.1 on), in display order.
    pub external_authentication_methods: Option<Vec<ExternalAuthenticationMethod>>,
    /// `push_notifications_enabled`.
    pub push_notifications_enabled: Option<bool>,
    /// `is_incompatible`: whether the server deems this client (by User-Agent) incompatible.
    pub is_incompatible: Option<bool>,
    /// `email_auth_enabled` (realm field).
    pub email_auth_enabled: Option<bool>,
    /// `require_email_format_usernames` (realm field).
    pub require_email_format_usernames: Option<bool>,
    /// The organization's URL: `realm_url` (feature level 257 on), else the legacy `realm_uri`.
    pub realm_url: Option<String>,
    /// `realm_name` (realm field).
    pub realm_name: Option<String>,
    /// `realm_icon` (realm field): a URL.
    pub realm_icon: Option<String>,
    /// `realm_description` (realm field): HTML.
    pub realm_description: Option<String>,
    /// `realm_web_public_access_enabled` (realm field, feature level 116 on).
    pub realm_web_public_access_enabled: Option<bool>,
    /// `ignored_parameters_unsupported` (feature level 167 on).
    pub ignored_parameters_unsupported: Option<Vec<String>>,
}

impl GetServerSettingsResponse {
    /// Settings with this version and feature level, everything else absent.
    #[must_use]
    pub fn new(zulip_version: impl Into<String>, zulip_feature_level: FeatureLevel) -> Self {
        Self {
            zulip_version: zulip_version.into(),
            zulip_feature_level,
            ..Self::default()
        }
    }

    /// What responses from this server should be parsed with: its feature level.
    #[must_use]
    pub fn response_context(&self) -> ResponseContext {
        ResponseContext::new().with_feature_level(self.zulip_feature_level)
    }

    /// The wire generation of `GET /attachments` this server sends. Zulip 1.6 (G0) is told
    /// apart from later servers without a feature level by its version.
    #[must_use]
    pub fn attachments_generation(&self) -> AttachmentsGeneration {
        let generation = AttachmentsGeneration::for_feature_level(self.zulip_feature_level);
        let is_1_6 = self.zulip_version == "1.6"
            || self.zulip_version.starts_with("1.6.")
            || self.zulip_version.starts_with("1.6-");
        if generation == AttachmentsGeneration::G1 && is_1_6 {
            AttachmentsGeneration::G0
        } else {
            generation
        }
    }

    /// The JSON body this server sends, keys sorted, no whitespace: `zulip_feature_level` only
    /// above 0, `realm_url` (with its alias `realm_uri`) from feature level 257, `realm_uri`
    /// alone before; absent fields left out.
    #[must_use]
    pub fn to_wire_json(&self) -> Vec<u8> {
        use serde_json::Value;
        let level = self.zulip_feature_level;
        let mut map = super::success_map(level, self.ignored_parameters_unsupported.as_deref());
        let methods: BTreeMap<&str, bool> = self
            .authentication_methods
            .iter()
            .map(|(name, enabled)| (name.as_str(), *enabled))
            .collect();
        map.insert(
            "authentication_methods",
            serde_json::to_value(methods).unwrap_or(Value::Null),
        );
        if let Some(methods) = &self.external_authentication_methods {
            let list: Vec<Value> = methods
                .iter()
                .map(ExternalAuthenticationMethod::to_value)
                .collect();
            map.insert("external_authentication_methods", Value::Array(list));
        }
        let mut put = |key: &'static str, value: Option<Value>| {
            if let Some(value) = value {
                map.insert(key, value);
            }
        };
        put("zulip_version", Some(self.zulip_version.clone().into()));
        put(
            "zulip_feature_level",
            (level > FeatureLevel::ZERO).then(|| level.get().into()),
        );
        put(
            "zulip_merge_base",
            self.zulip_merge_base.clone().map(Into::into),
        );
        put(
            "push_notifications_enabled",
            self.push_notifications_enabled.map(Into::into),
        );
        put("is_incompatible", self.is_incompatible.map(Into::into));
        put(
            "email_auth_enabled",
            self.email_auth_enabled.map(Into::into),
        );
        put(
            "require_email_format_usernames",
            self.require_email_format_usernames.map(Into::into),
        );
        put("realm_uri", self.realm_url.clone().map(Into::into));
        if level >= FeatureLevel::REALM_URL {
            put("realm_url", self.realm_url.clone().map(Into::into));
        }
        put("realm_name", self.realm_name.clone().map(Into::into));
        put("realm_icon", self.realm_icon.clone().map(Into::into));
        put(
            "realm_description",
            self.realm_description.clone().map(Into::into),
        );
        put(
            "realm_web_public_access_enabled",
            self.realm_web_public_access_enabled.map(Into::into),
        );
        super::to_json(&map)
    }
}

/// One of `external_authentication_methods`. Read from a JSON object only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "ObjectOnly<RawMethod>")]
#[non_exhaustive]
pub struct ExternalAuthenticationMethod {
    /// `name`: unique and machine-readable, e.g. `google`, `saml:idp_name`.
    pub name: String,
    /// `display_name`, for buttons.
    pub display_name: String,
    /// `display_icon`: an image URL, or `None` (`null` on the wire) for no icon.
    #[serde(default)]
    pub display_icon: Option<String>,
    /// `login_url`: where authentication starts (relative to the server root).
    pub login_url: String,
    /// `signup_url`: where registration starts (relative to the server root).
    pub signup_url: String,
}

/// [`ExternalAuthenticationMethod`] as serde reads it, through [`ObjectOnly`]: serde's derived
/// `Deserialize` would also take `["google","Google",null,"/login","/signup"]`.
#[derive(Deserialize)]
struct RawMethod {
    name: String,
    display_name: String,
    #[serde(default)]
    display_icon: Option<String>,
    login_url: String,
    signup_url: String,
}

impl From<ObjectOnly<RawMethod>> for ExternalAuthenticationMethod {
    fn from(ObjectOnly(raw): ObjectOnly<RawMethod>) -> Self {
        Self {
            name: raw.name,
            display_name: raw.display_name,
            display_icon: raw.display_icon,
            login_url: raw.login_url,
            signup_url: raw.signup_url,
        }
    }
}

impl ExternalAuthenticationMethod {
    /// A method with these fields and no icon.
    #[must_use]
    pub fn new(
        name: impl Into<String>,
        display_name: impl Into<String>,
        login_url: impl Into<String>,
        signup_url: impl Into<String>,
    ) -> Self {
        Self {
            name: name.into(),
            display_name: display_name.into(),
            display_icon: None,
            login_url: login_url.into(),
            signup_url: signup_url.into(),
        }
    }

    fn to_value(&self) -> serde_json::Value {
        let mut map: BTreeMap<&str, serde_json::Value> = BTreeMap::new();
        map.insert(
            "display_icon",
            self.display_icon
                .clone()
                .map_or(serde_json::Value::Null, Into::into),
        );
        map.insert("display_name", self.display_name.clone().into());
        map.insert("login_url", self.login_url.clone().into());
        map.insert("name", self.name.clone().into());
        map.insert("signup_url", self.signup_url.clone().into());
        serde_json::to_value(map).unwrap_or(serde_json::Value::Null)
    }
}

impl IncomingResponse for GetServerSettingsResponse {
    fn try_from_http_response<B: AsRef<[u8]>>(
        response: &http::Response<B>,
        _context: &ResponseContext,
    ) -> Result<Self, ResponseError> {
        let raw: RawResponse = parse_success(response)?;
        Ok(raw.into())
    }
}

/// Reads the body alone (no status or `result` check), from a JSON object only.
impl<'de> Deserialize<'de> for GetServerSettingsResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ObjectOnly::<RawResponse>::deserialize(deserializer).map(|ObjectOnly(raw)| Self::from(raw))
    }
}

#[derive(Deserialize)]
struct RawResponse {
    #[serde(default)]
    result: ResultTag,
    zulip_version: String,
    #[serde(default)]
    zulip_feature_level: Option<u32>,
    #[serde(default)]
    zulip_merge_base: Option<String>,
    #[serde(default)]
    authentication_methods: BTreeMap<String, bool>,
    #[serde(default)]
    external_authentication_methods: Option<Vec<ExternalAuthenticationMethod>>,
    #[serde(default)]
    push_notifications_enabled: Option<bool>,
    #[serde(default)]
    is_incompatible: Option<bool>,
    #[serde(default)]
    email_auth_enabled: Option<bool>,
    #[serde(default)]
    require_email_format_usernames: Option<bool>,
    #[serde(default)]
    realm_url: Option<String>,
    #[serde(default)]
    realm_uri: Option<String>,
    #[serde(default)]
    realm_name: Option<String>,
    #[serde(default)]
    realm_icon: Option<String>,
    #[serde(default)]
    realm_description: Option<String>,
    #[serde(default)]
    realm_web_public_access_enabled: Option<bool>,
    #[serde(default)]
    ignored_parameters_unsupported: Option<Vec<String>>,
}

impl SuccessBody for RawResponse {
    fn result(&self) -> &ResultTag {
        &self.result
    }
}

impl From<RawResponse> for GetServerSettingsResponse {
    fn from(raw: RawResponse) -> Self {
        Self {
            zulip_version: raw.zulip_version,
            zulip_feature_level: FeatureLevel::new(raw.zulip_feature_level.unwrap_or(0)),
            zulip_merge_base: raw.zulip_merge_base,
            authentication_methods: raw.authentication_methods,
            external_authentication_methods: raw.external_authentication_methods,
            push_notifications_enabled: raw.push_notifications_enabled,
            is_incompatible: raw.is_incompatible,
            email_auth_enabled: raw.email_auth_enabled,
            require_email_format_usernames: raw.require_email_format_usernames,
            realm_url: raw.realm_url.or(raw.realm_uri),
            realm_name: raw.realm_name,
            realm_icon: raw.realm_icon,
            realm_description: raw.realm_description,
            realm_web_public_access_enabled: raw.realm_web_public_access_enabled,
            ignored_parameters_unsupported: raw.ignored_parameters_unsupported,
        }
    }
}
