//! `GET /api/v1/attachments`: the exact wire form of every generation, literal expected strings
//! written from WIRE-NOTES.

mod common;

use common::{Conn, basic, get_as};
use zulip_test_server::{
    Attachment, Generation, JsonStyle, Preset, ServerConfig, TestServer, User, sample,
};

const EMAIL: &str = "iago@zulip.com";
const KEY: &str = "key";

/// One attachment sent in two messages, one never sent, with a legacy null size and a name that
/// needs escaping.
fn fixture() -> Vec<Attachment> {
    vec![
        Attachment::new(
            1,
            "166050.jpg",
            "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
            Some(571946),
            1588145417,
        )
        .with_message(102, 1588145424)
        .with_message(103, 1588145448),
        Attachment::new(
            7,
            "Résumé \"final\" [v2]\\.pdf",
            "2/0a/Xy_Z/Resume-final-v2.pdf",
            None,
            1588145000,
        ),
    ]
}

fn server(config: ServerConfig) -> TestServer {
    TestServer::start(config.user(User::new(EMAIL, KEY).with_attachments(fixture())))
}

fn body_of(server: &TestServer, target: &str) -> String {
    let response = get_as(server, target, EMAIL, KEY);
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("content-type"), Some("application/json"));
    let text = response.text();
    serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON");
    text
}

const G0: &str = concat!(
    r#"{"result":"success","msg":"","attachments":["#,
    r#"{"id":1,"name":"166050.jpg","path_id":"2\/ce\/DfOkzwdg_IwlrN3myw3KGtiJ\/166050.jpg","#,
    r#""messages":[{"id":102,"name":1588145424000.0},{"id":103,"name":1588145448000.0}]},"#,
    r#"{"id":7,"name":"R\u00e9sum\u00e9 \"final\" [v2]\\.pdf","path_id":"2\/0a\/Xy_Z\/Resume-final-v2.pdf","#,
    r#""messages":[]}]}"#,
    "\n"
);

const G1_NO_SPACE: &str = concat!(
    r#"{"result":"success","msg":"","attachments":["#,
    r#"{"id":1,"name":"166050.jpg","path_id":"2\/ce\/DfOkzwdg_IwlrN3myw3KGtiJ\/166050.jpg","#,
    r#""size":571946,"create_time":1588145417000.0,"#,
    r#""messages":[{"id":102,"name":1588145424000.0},{"id":103,"name":1588145448000.0}]},"#,
    r#"{"id":7,"name":"R\u00e9sum\u00e9 \"final\" [v2]\\.pdf","path_id":"2\/0a\/Xy_Z\/Resume-final-v2.pdf","#,
    r#""size":null,"create_time":1588145000000.0,"messages":[]}]}"#,
    "\n"
);

const G1: &str = concat!(
    r#"{"result":"success","msg":"","attachments":["#,
    r#"{"id":1,"name":"166050.jpg","path_id":"2\/ce\/DfOkzwdg_IwlrN3myw3KGtiJ\/166050.jpg","#,
    r#""size":571946,"create_time":1588145417000.0,"#,
    r#""messages":[{"id":102,"name":1588145424000.0},{"id":103,"name":1588145448000.0}]},"#,
    r#"{"id":7,"name":"R\u00e9sum\u00e9 \"final\" [v2]\\.pdf","path_id":"2\/0a\/Xy_Z\/Resume-final-v2.pdf","#,
    r#""size":null,"create_time":1588145000000.0,"messages":[]}],"upload_space_used":571946}"#,
    "\n"
);

const G2: &str = concat!(
    r#"{"result":"success","msg":"","attachments":["#,
    r#"{"id":1,"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","#,
    r#""size":571946,"create_time":1588145417000,"#,
    r#""messages":[{"id":102,"date_sent":1588145424000},{"id":103,"date_sent":1588145448000}]},"#,
    r#"{"id":7,"name":"Résumé \"final\" [v2]\\.pdf","path_id":"2/0a/Xy_Z/Resume-final-v2.pdf","#,
    r#""size":0,"create_time":1588145000000,"messages":[]}],"upload_space_used":571946}"#,
    "\n"
);

const G3: &str = concat!(
    r#"{"result":"success","msg":"","attachments":["#,
    r#"{"id":1,"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","#,
    r#""size":571946,"create_time":1588145417,"#,
    r#""messages":[{"id":102,"date_sent":1588145424},{"id":103,"date_sent":1588145448}]},"#,
    r#"{"id":7,"name":"Résumé \"final\" [v2]\\.pdf","path_id":"2/0a/Xy_Z/Resume-final-v2.pdf","#,
    r#""size":0,"create_time":1588145000,"messages":[]}],"upload_space_used":571946}"#,
    "\n"
);

const G4: &str = concat!(
    r#"{"result":"success","msg":"","attachments":["#,
    r#"{"id":1,"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","#,
    r#""size":571946,"create_time":1588145417,"message_ids":[102,103]},"#,
    r#"{"id":7,"name":"Résumé \"final\" [v2]\\.pdf","path_id":"2/0a/Xy_Z/Resume-final-v2.pdf","#,
    r#""size":0,"create_time":1588145000,"message_ids":[]}],"upload_space_used":571946}"#,
    "\n"
);

#[test]
fn every_preset_sends_its_generation_exactly() {
    let cases = [
        (Preset::Zulip1_6, Generation::G0, G0),
        (Preset::Zulip2_0, Generation::G1, G1_NO_SPACE),
        (Preset::Zulip2_1, Generation::G1, G1),
        (Preset::Zulip3_0Dev, Generation::G1, G1),
        (Preset::Zulip3_0, Generation::G2, G2),
        (Preset::Zulip9_0, Generation::G2, G2),
        (Preset::Zulip12_0Dev, Generation::G3, G3),
        (Preset::Zulip12_0, Generation::G4, G4),
    ];
    assert_eq!(cases.len(), Preset::ALL.len());
    for (preset, generation, expected) in cases {
        let server = server(ServerConfig::preset(preset));
        assert_eq!(server.profile().generation, generation, "{preset:?}");
        assert_eq!(
            body_of(&server, "/api/v1/attachments"),
            expected,
            "{preset:?}"
        );
        assert_eq!(
            server.attachments_body(EMAIL).as_deref(),
            Some(expected.as_bytes()),
            "{preset:?}"
        );
    }
}

#[test]
fn version_and_feature_level_pick_the_generation() {
    for (version, level, expected) in [
        ("1.6.0", None, G0),
        ("1.9.2", None, G1_NO_SPACE),
        ("2.1.0", None, G1),
        ("11.5", Some(442), G2),
        ("12.0-dev", Some(471), G3),
        ("12.0", Some(472), G4),
    ] {
        let server = server(ServerConfig::new(version, level));
        assert_eq!(
            body_of(&server, "/api/v1/attachments"),
            expected,
            "{version}"
        );
    }
}

#[test]
fn forced_generation_models_dev_servers_that_sent_g2_at_fl_21() {
    let server = server(
        ServerConfig::preset(Preset::Zulip3_0Dev)
            .force_generation(Generation::G2)
            .json_style(JsonStyle::MODERN),
    );
    assert_eq!(body_of(&server, "/api/v1/attachments"), G2);
}

#[test]
fn sorted_keys_reproduce_the_wire_notes_g4_example() {
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .json_style(JsonStyle::SORTED_COMPACT)
            .user(User::new(EMAIL, KEY).with_attachments(vec![fixture().remove(0)])),
    );
    assert_eq!(
        body_of(&server, "/api/v1/attachments"),
        r#"{"attachments":[{"create_time":1588145417,"id":1,"message_ids":[102,103],"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","size":571946}],"msg":"","result":"success","upload_space_used":571946}"#
    );
}

#[test]
fn unknown_parameters_are_reported_from_fl_167() {
    let modern = server(ServerConfig::preset(Preset::Zulip9_0));
    let body = body_of(&modern, "/api/v1/attachments?zeta=1&alpha=%C3%A9&zeta=2");
    assert!(
        body.ends_with(
            r#""upload_space_used":571946,"ignored_parameters_unsupported":["alpha","zeta"]}
"#
        ),
        "{body}"
    );
    // Without ignored parameters the cached body is served again.
    assert_eq!(body_of(&modern, "/api/v1/attachments"), G2);

    let old = server(ServerConfig::preset(Preset::Zulip3_0));
    assert_eq!(body_of(&old, "/api/v1/attachments?zeta=1"), G2);
}

#[test]
fn each_user_sees_own_attachments_and_the_realm_total() {
    let other = vec![Attachment::new(
        9,
        "b.txt",
        "2/aa/bbbb/b.txt",
        Some(100),
        1600000000,
    )];
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .user(User::new(EMAIL, KEY).with_attachments(fixture()))
            .user(User::new("hamlet@zulip.com", "key2").with_attachments(other)),
    );
    let body = get_as(&server, "/api/v1/attachments", "hamlet@zulip.com", "key2").text();
    assert_eq!(
        body,
        concat!(
            r#"{"result":"success","msg":"","attachments":[{"id":9,"name":"b.txt","path_id":"2/aa/bbbb/b.txt","size":100,"create_time":1600000000,"message_ids":[]}],"#,
            r#""upload_space_used":572046}"#,
            "\n"
        )
    );
    // Changing data at run time invalidates the cache.
    assert!(server.set_attachments(EMAIL, Vec::new()));
    let body = get_as(&server, "/api/v1/attachments", "hamlet@zulip.com", "key2").text();
    assert!(body.ends_with("\"upload_space_used\":100}\n"), "{body}");
    let body = get_as(&server, "/api/v1/attachments", EMAIL, KEY).text();
    assert_eq!(
        body,
        "{\"result\":\"success\",\"msg\":\"\",\"attachments\":[],\"upload_space_used\":100}\n"
    );
}

#[test]
fn sample_data_is_served_and_parses_in_every_generation() {
    for generation in Generation::ALL {
        let server = TestServer::start(
            ServerConfig::generation(generation)
                .user(User::new(EMAIL, KEY).with_attachments(sample::user_attachments(3))),
        );
        let response = get_as(&server, "/api/v1/attachments", EMAIL, KEY);
        let json = response.json();
        let list = json["attachments"].as_array().expect("attachments");
        assert_eq!(list.len(), sample::user_attachments(3).len());
        let names: Vec<&str> = list.iter().map(|a| a["name"].as_str().unwrap()).collect();
        assert!(names.contains(&"emoji 🎉 party.gif"), "{generation:?}");
        assert!(names.contains(&"tab\there.csv"), "{generation:?}");
        assert!(names.contains(&"quote \"unquote\".txt"), "{generation:?}");
        let counts: Vec<usize> = list
            .iter()
            .map(|a| {
                a.get("messages")
                    .or_else(|| a.get("message_ids"))
                    .and_then(|m| m.as_array())
                    .map_or(usize::MAX, Vec::len)
            })
            .collect();
        assert!(counts.iter().all(|&c| c <= 5), "{counts:?}");
        assert!(counts.contains(&0) && counts.contains(&5), "{counts:?}");
    }
}

#[test]
fn large_sets_are_served_from_cache() {
    let many = sample::many_attachments(20_000, 42);
    assert_eq!(many.len(), 20_000);
    assert_eq!(many[19_999].id, 20_000);
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .rate_limit(None)
            .user(User::new(EMAIL, KEY).with_attachments(many)),
    );
    let cached = server.attachments_body(EMAIL).expect("user");
    let mut conn = Conn::connect(server.addr());
    let auth = basic(EMAIL, KEY);
    for _ in 0..3 {
        let response = conn
            .request(
                "GET",
                "/api/v1/attachments",
                &[("Authorization", &auth)],
                b"",
            )
            .expect("response");
        assert_eq!(response.body, cached);
    }
    assert_eq!(server.request_count(), 3);
    assert_eq!(server.connections_accepted(), 1);
    let json: serde_json::Value = serde_json::from_slice(&cached).expect("JSON");
    assert_eq!(json["attachments"].as_array().map(Vec::len), Some(20_000));
}
