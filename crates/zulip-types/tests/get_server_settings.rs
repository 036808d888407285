//! `GET /server_settings` of every era (tests/fixtures/get-server-settings): no authentication,
//! feature level absent = 0, optional realm fields, open-ended `authentication_methods`,
//! `realm_url`/`realm_uri`.

mod common;

use common::{fixture_bytes, fixture_names, ok_json};
use proptest::prelude::*;
use zulip_types::{
    AttachmentsGeneration, Endpoint, ExternalAuthenticationMethod, FeatureLevel, GetServerSettings,
    GetServerSettingsResponse, IncomingResponse, RequestContext, ResponseContext, Site, redacted,
};

fn parse(body: Vec<u8>) -> GetServerSettingsResponse {
    GetServerSettingsResponse::try_from_http_response(&ok_json(body), &ResponseContext::new())
        .unwrap()
}

fn fixture(name: &str) -> GetServerSettingsResponse {
    parse(fixture_bytes(&format!("get-server-settings/{name}")))
}

/// Every fixture, its feature level, and whether it has the realm fields.
const FIXTURES: [(&str, u32, bool); 6] = [
    ("feature-level-22-zulip-3.0.json", 22, true),
    ("feature-level-478-zulip-12.0.json", 478, true),
    ("multi-realm-root-domain.json", 278, false),
    ("spec-example.json", 0, true),
    ("zulip-1.6.json", 0, true),
    ("zulip-2.1.json", 0, true),
];

#[test]
fn request_snapshot_has_no_credentials() {
    // Even with credentials in the context, none are sent.
    let context = RequestContext::new(Site::parse("chat.example.com").unwrap())
        .with_credentials(zulip_types::Credentials::new("iago@zulip.com", "secret"))
        .with_user_agent("zulip-types-tests/1.0 (snapshot)")
        .unwrap();
    let request = GetServerSettings::new()
        .try_into_http_request(&context)
        .unwrap();
    assert!(request.headers().get("authorization").is_none());
    insta::assert_snapshot!("request", redacted(&request).to_string());
}

#[test]
fn every_fixture_is_listed() {
    let names: Vec<&str> = FIXTURES.iter().map(|(name, ..)| *name).collect();
    assert_eq!(fixture_names("get-server-settings", "json"), names);
}

#[test]
fn snapshots_and_shared_facts() {
    for (name, level, realm) in FIXTURES {
        let settings = fixture(name);
        insta::assert_snapshot!(
            name.trim_end_matches(".json").to_owned(),
            format!("{settings:#?}")
        );
        assert_eq!(
            settings.zulip_feature_level,
            FeatureLevel::new(level),
            "{name}"
        );
        assert!(!settings.zulip_version.is_empty(), "{name}");
        assert!(
            settings.authentication_methods.contains_key("password"),
            "{name}"
        );
        assert_eq!(settings.realm_url.is_some(), realm, "{name}");
        assert_eq!(settings.realm_name.is_some(), realm, "{name}");
        assert_eq!(
            settings.response_context().feature_level,
            Some(FeatureLevel::new(level))
        );
        // Written back and read again: the same settings.
        assert_eq!(parse(settings.to_wire_json()), settings, "{name}");
    }
}

#[test]
fn history_is_read_right() {
    // Before 3.0: no feature level, `realm_uri` only, ujson escapes.
    let old = fixture("zulip-2.1.json");
    assert_eq!(old.zulip_feature_level, FeatureLevel::ZERO);
    assert_eq!(old.realm_url.as_deref(), Some("https://chat.example.com"));
    assert_eq!(old.realm_name.as_deref(), Some("Équipe Zürich"));
    assert_eq!(old.attachments_generation(), AttachmentsGeneration::G1);
    assert_eq!(
        fixture("zulip-1.6.json").attachments_generation(),
        AttachmentsGeneration::G0
    );
    assert_eq!(
        fixture("zulip-1.6.json").external_authentication_methods,
        None
    );
    // The spec's example: `realm_url` and `realm_uri`, no feature level (real servers send it).
    let spec = fixture("spec-example.json");
    assert_eq!(spec.realm_url.as_deref(), Some("http://localhost:9991"));
    assert_eq!(
        spec.zulip_merge_base.as_deref(),
        Some("5.0-dev-1646-gea6b21cd8c")
    );
    let methods = spec.external_authentication_methods.as_ref().unwrap();
    assert_eq!(methods[0].display_icon, None);
    assert_eq!(methods[0].name, "saml:idp_name");
    assert_eq!(
        methods[1].display_icon.as_deref(),
        Some("/static/images/authentication_backends/googl_e-icon.png")
    );
    // Today: open-ended keys with spaces, unknown fields ignored.
    let new = fixture("feature-level-478-zulip-12.0.json");
    assert_eq!(
        new.authentication_methods.get("openid connect"),
        Some(&true)
    );
    assert_eq!(
        new.authentication_methods.get("future backend"),
        Some(&true)
    );
    assert_eq!(new.realm_web_public_access_enabled, Some(true));
    assert_eq!(new.attachments_generation(), AttachmentsGeneration::G4);
    // A multi-realm root domain: realm fields absent.
    let root = fixture("multi-realm-root-domain.json");
    assert_eq!(root.realm_url, None);
    assert_eq!(root.email_auth_enabled, None);
    assert_eq!(root.external_authentication_methods, None);
}

#[test]
fn realm_url_wins_and_the_alias_is_written_by_level() {
    let both = br#"{"result":"success","msg":"","zulip_version":"9.0","zulip_feature_level":257,
        "realm_uri":"https://old.example.com","realm_url":"https://new.example.com"}"#;
    assert_eq!(
        parse(both.to_vec()).realm_url.as_deref(),
        Some("https://new.example.com")
    );
    let mut settings = GetServerSettingsResponse::new("9.0", FeatureLevel::new(256));
    settings.realm_url = Some("https://chat.example.com".into());
    let text = String::from_utf8(settings.to_wire_json()).unwrap();
    assert!(
        text.contains("\"realm_uri\"") && !text.contains("\"realm_url\""),
        "{text}"
    );
    settings.zulip_feature_level = FeatureLevel::new(257);
    let text = String::from_utf8(settings.to_wire_json()).unwrap();
    assert!(
        text.contains("\"realm_uri\"") && text.contains("\"realm_url\""),
        "{text}"
    );
    let zero = String::from_utf8(
        GetServerSettingsResponse::new("2.1.7", FeatureLevel::ZERO).to_wire_json(),
    )
    .unwrap();
    assert_eq!(
        zero,
        r#"{"authentication_methods":{},"msg":"","result":"success","zulip_version":"2.1.7"}"#
    );
}

#[test]
fn a_body_without_a_version_is_a_shape_error() {
    let error = GetServerSettingsResponse::try_from_http_response(
        &ok_json(br#"{"result":"success","msg":""}"#.to_vec()),
        &ResponseContext::new(),
    )
    .unwrap_err();
    assert!(
        error.as_parse().unwrap().detail().contains("zulip_version"),
        "{error}"
    );
}

fn settings() -> impl Strategy<Value = GetServerSettingsResponse> {
    let text = || ".{0,12}";
    (
        (text(), 0u32..600, proptest::option::of(text())),
        prop::collection::btree_map(".{1,10}", any::<bool>(), 0..6),
        proptest::option::of(prop::collection::vec(
            (text(), text(), proptest::option::of(text()), text(), text()),
            0..3,
        )),
        proptest::option::of(text()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            |((version, level, merge_base), methods, external, realm, flag)| {
                let mut settings =
                    GetServerSettingsResponse::new(version, FeatureLevel::new(level));
                settings.zulip_merge_base = merge_base;
                settings.authentication_methods = methods;
                settings.external_authentication_methods = external.map(|list| {
                    list.into_iter()
                        .map(|(name, display, icon, login, signup)| {
                            let mut method =
                                ExternalAuthenticationMethod::new(name, display, login, signup);
                            method.display_icon = icon;
                            method
                        })
                        .collect()
                });
                settings.realm_name = realm.clone();
                settings.realm_url = realm;
                settings.is_incompatible = flag;
                settings.realm_web_public_access_enabled = flag;
                settings
            },
        )
}

#[test]
fn objects_are_read_from_objects_only() {
    // serde's derived `Deserialize` also reads a struct from a JSON array, field by field.
    let nested = br#"{"result":"success","msg":"","zulip_version":"9.0","external_authentication_methods":[["google","Google",null,"/login","/signup"]]}"#;
    let error = GetServerSettingsResponse::try_from_http_response(
        &ok_json(nested.to_vec()),
        &ResponseContext::new(),
    )
    .unwrap_err();
    let parse = error.as_parse().unwrap();
    assert_eq!(parse.path(), "external_authentication_methods[0]");
    assert!(parse.detail().contains("expected a JSON object"), "{parse}");
    assert!(serde_json::from_slice::<GetServerSettingsResponse>(nested).is_err());
    assert!(
        serde_json::from_str::<ExternalAuthenticationMethod>(r#"["g","G",null,"/l","/s"]"#)
            .is_err()
    );
    // The body-only `Deserialize` of each endpoint's response, too.
    assert!(serde_json::from_str::<GetServerSettingsResponse>(r#"["success","9.0"]"#).is_err());
    assert!(
        serde_json::from_str::<zulip_types::UploadFileResponse>(r#"["success","/u"]"#).is_err()
    );
    assert!(
        serde_json::from_str::<zulip_types::GetFileTemporaryUrlResponse>(r#"["success","/u"]"#)
            .is_err()
    );
    assert!(
        serde_json::from_str::<zulip_types::RemoveAttachmentResponse>(r#"["success",null]"#)
            .is_err()
    );
}

proptest! {
    #[test]
    fn settings_round_trip(settings in settings()) {
        prop_assert_eq!(parse(settings.to_wire_json()), settings);
    }

    #[test]
    fn no_panic_on_any_body(body in prop::collection::vec(any::<u8>(), 0..128), status in 100u16..600) {
        let response = http::Response::builder().status(status).body(body).unwrap();
        let _ = GetServerSettingsResponse::try_from_http_response(&response, &ResponseContext::new());
    }
}
