//! `GET /attachments` bodies of every wire generation (tests/fixtures/get-attachments): what the
//! crate reads from each, and what it writes back.
//!
//! Expected values are written down from the fixtures and WIRE-NOTES (instants converted with
//! `date -u -d @SECONDS`), not computed by the crate.

mod common;

use common::{attachments_fixture, fixture_bytes, fixture_names, ok_json};
use zulip_types::{
    AttachmentsGeneration as G, FeatureLevel, GetAttachmentsResponse, IncomingResponse,
    ResponseContext, TimeUnit, Timestamp, WireNumber,
};

/// Every success fixture and the generation it is.
const FIXTURES: [(&str, G); 8] = [
    ("g0-zulip-1.6.json", G::G0),
    ("g1-zulip-2.0.json", G::G1),
    ("g1-zulip-2.1.json", G::G1),
    ("g2-feature-level-22-442.json", G::G2),
    ("g3-feature-level-443-471.json", G::G3),
    ("g4-feature-level-472.json", G::G4),
    ("g4-wire-notes-example.json", G::G4),
    ("spec-example.json", G::G2),
];

fn parse(name: &str, level: Option<u32>) -> GetAttachmentsResponse {
    let context = match level {
        Some(level) => ResponseContext::new().with_feature_level(FeatureLevel::new(level)),
        None => ResponseContext::new(),
    };
    GetAttachmentsResponse::try_from_http_response(&attachments_fixture(name), &context)
        .unwrap_or_else(|error| panic!("{name} at {level:?}: {error}"))
}

fn parse_body(body: &str, level: Option<u32>) -> GetAttachmentsResponse {
    let context = match level {
        Some(level) => ResponseContext::new().with_feature_level(FeatureLevel::new(level)),
        None => ResponseContext::new(),
    };
    GetAttachmentsResponse::try_from_http_response(&ok_json(body.as_bytes().to_vec()), &context)
        .unwrap_or_else(|error| panic!("{body} at {level:?}: {error}"))
}

#[test]
fn every_fixture_is_listed() {
    let listed: Vec<&str> = {
        let mut names: Vec<&str> = FIXTURES.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names
    };
    assert_eq!(fixture_names("get-attachments", "json"), listed);
}

#[test]
fn snapshots_of_every_fixture_without_and_with_its_feature_level() {
    for (name, generation) in FIXTURES {
        let stem = name.trim_end_matches(".json");
        let level = generation.feature_level().get();
        let unknown = parse(name, None);
        let known = parse(name, Some(level));
        // Real data is never ambiguous: the magnitude rule and the feature level agree, down to
        // the unit each timestamp was read in (which Debug shows).
        assert_eq!(format!("{unknown:#?}"), format!("{known:#?}"), "{name}");
        insta::assert_snapshot!(format!("{stem}__no_feature_level"), format!("{unknown:#?}"));
        insta::assert_snapshot!(
            format!("{stem}__feature_level_{level}"),
            format!("{known:#?}")
        );
    }
}

/// An expected attachment: instants as UNIX milliseconds and their RFC 3339 text.
struct Expected {
    id: u64,
    name: &'static str,
    path_id: &'static str,
    size: Option<u64>,
    /// (millis, text, wire number, unit)
    create_time: Option<(i64, &'static str, WireNumber, TimeUnit)>,
    /// (message id, (millis, text) of its send time)
    messages: &'static [(u64, Option<(i64, &'static str)>)],
}

fn check(
    name: &str,
    parsed: &GetAttachmentsResponse,
    expected: &[Expected],
    upload_space_used: Option<u64>,
    ignored: Option<&[&str]>,
) {
    assert_eq!(parsed.attachments.len(), expected.len(), "{name}");
    for (index, (got, want)) in parsed.attachments.iter().zip(expected).enumerate() {
        let at = format!("{name} attachments[{index}]");
        assert_eq!(got.id, want.id, "{at}");
        assert_eq!(got.name, want.name, "{at}");
        assert_eq!(got.path_id, want.path_id, "{at}");
        assert_eq!(got.size, want.size, "{at}");
        match (got.create_time, want.create_time) {
            (None, None) => {}
            (Some(time), Some((millis, text, wire, unit))) => {
                assert_eq!(time.as_unix_millis(), millis, "{at}");
                assert_eq!(time.to_string(), text, "{at}");
                assert_eq!(time.wire(), wire, "{at}");
                assert_eq!(time.unit(), unit, "{at}");
            }
            (got, want) => panic!("{at}: create_time {got:?}, expected {want:?}"),
        }
        assert_eq!(got.messages.len(), want.messages.len(), "{at}");
        for (message, (id, sent)) in got.messages.iter().zip(want.messages) {
            assert_eq!(message.id, *id, "{at}");
            let sent_got = message
                .date_sent
                .map(|time| (time.as_unix_millis(), time.to_string()));
            let sent_want = sent.map(|(millis, text)| (millis, text.to_owned()));
            assert_eq!(sent_got, sent_want, "{at} message {id}");
        }
    }
    assert_eq!(parsed.upload_space_used, upload_space_used, "{name}");
    let ignored_owned = ignored.map(|list| list.iter().map(|s| (*s).to_owned()).collect());
    assert_eq!(
        parsed.ignored_parameters_unsupported, ignored_owned,
        "{name}"
    );
}

const MS: TimeUnit = TimeUnit::Milliseconds;
const S: TimeUnit = TimeUnit::Seconds;

#[test]
fn spec_example_reads_as_the_spec_says() {
    for level in [None, Some(22), Some(276)] {
        let parsed = parse("spec-example.json", level);
        let expected = [Expected {
            id: 1,
            name: "166050.jpg",
            path_id: "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
            size: Some(571_946),
            create_time: Some((
                1_588_145_417_000,
                "2020-04-29T07:30:17Z",
                WireNumber::Integer(1_588_145_417_000),
                MS,
            )),
            messages: &[
                (102, Some((1_588_145_424_000, "2020-04-29T07:30:24Z"))),
                (103, Some((1_588_145_448_000, "2020-04-29T07:30:48Z"))),
            ],
        }];
        check("spec", &parsed, &expected, Some(571_946), None);
    }
}

#[test]
fn g0_has_no_size_no_create_time_and_float_ms_message_names() {
    for level in [None, Some(0)] {
        let parsed = parse("g0-zulip-1.6.json", level);
        let expected = [
            Expected {
                id: 11,
                name: "IMG_20170712_183412.jpg",
                path_id: "1/8c/ZJ3k9_dQ0zgbOjvP3H2sWb5u/IMG_20170712_183412.jpg",
                size: None,
                create_time: None,
                messages: &[
                    (4621, Some((1_499_880_861_000, "2017-07-12T17:34:21Z"))),
                    (4622, Some((1_499_880_903_000, "2017-07-12T17:35:03Z"))),
                ],
            },
            Expected {
                id: 12,
                name: "Résumé (final) [v2].pdf",
                path_id: "1/3f/kQwz0Hc7bN1s9aLxV5pYtR2e/Resume-final-v2.pdf",
                size: None,
                create_time: None,
                messages: &[],
            },
        ];
        check("g0", &parsed, &expected, None, None);
        let sent = parsed.attachments[0].messages[0].date_sent.unwrap();
        assert_eq!(sent.wire(), WireNumber::Float(1_499_880_861_000.0));
        assert_eq!(sent.unit(), MS);
    }
}

#[test]
fn g1_before_2_1_has_float_ms_null_size_and_no_upload_space_used() {
    for level in [None, Some(0)] {
        let parsed = parse("g1-zulip-2.0.json", level);
        let expected = [
            Expected {
                id: 31,
                name: "meeting notes [2019-03-04].txt",
                path_id: "2/4e/Wq1cM1bqLyq3zvW8mZ2lOtXk/meeting-notes-2019-03-04.txt",
                size: Some(2411),
                create_time: Some((
                    1_551_711_122_000,
                    "2019-03-04T14:52:02Z",
                    WireNumber::Float(1_551_711_122_000.0),
                    MS,
                )),
                messages: &[
                    (5523, Some((1_551_711_130_000, "2019-03-04T14:52:10Z"))),
                    (5530, Some((1_551_712_001_000, "2019-03-04T15:06:41Z"))),
                ],
            },
            Expected {
                id: 12,
                name: "日本語 テスト 😀.png",
                path_id: "2/a1/Lp0sXr3YbQ9mKe2uWz7cTn4d/日本語-テスト-.png",
                size: None,
                create_time: Some((
                    1_499_881_204_000,
                    "2017-07-12T17:40:04Z",
                    WireNumber::Float(1_499_881_204_000.0),
                    MS,
                )),
                messages: &[],
            },
        ];
        check("g1 2.0", &parsed, &expected, None, None);
    }
}

#[test]
fn g1_from_2_1_has_upload_space_used() {
    for level in [None, Some(0)] {
        let parsed = parse("g1-zulip-2.1.json", level);
        let expected = [
            Expected {
                id: 1,
                name: "166050.jpg",
                path_id: "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
                size: Some(571_946),
                create_time: Some((
                    1_588_145_417_000,
                    "2020-04-29T07:30:17Z",
                    WireNumber::Float(1_588_145_417_000.0),
                    MS,
                )),
                messages: &[
                    (102, Some((1_588_145_424_000, "2020-04-29T07:30:24Z"))),
                    (103, Some((1_588_145_448_000, "2020-04-29T07:30:48Z"))),
                ],
            },
            Expected {
                id: 2,
                name: "scan 2020-04-29 [page 1].pdf",
                path_id: "2/1b/Hn4TqV8wYc0pLs6dKe3mZa9R/scan-2020-04-29-page-1.pdf",
                size: None,
                create_time: Some((
                    1_499_881_204_000,
                    "2017-07-12T17:40:04Z",
                    WireNumber::Float(1_499_881_204_000.0),
                    MS,
                )),
                messages: &[(99, Some((1_588_145_350_000, "2020-04-29T07:29:10Z")))],
            },
        ];
        check("g1 2.1", &parsed, &expected, Some(571_946), None);
    }
}

#[test]
fn g2_has_integer_ms_and_date_sent_and_ignores_unknown_fields() {
    // 21: a few development servers sent G2 while still reporting level 21 (WIRE-NOTES).
    for level in [None, Some(21), Some(22), Some(442)] {
        let parsed = parse("g2-feature-level-22-442.json", level);
        let expected = [
            Expected {
                id: 201,
                name: "quarterly report Q1 [final].xlsx",
                path_id: "2/7d/Rb2Xy9QwE4nTz1uKc8sVa0Lm/quarterly-report-Q1-final.xlsx",
                size: Some(48213),
                create_time: Some((
                    1_712_930_512_000,
                    "2024-04-12T14:01:52Z",
                    WireNumber::Integer(1_712_930_512_000),
                    MS,
                )),
                messages: &[
                    (90211, Some((1_712_930_545_000, "2024-04-12T14:02:25Z"))),
                    (90240, Some((1_712_931_002_000, "2024-04-12T14:10:02Z"))),
                ],
            },
            Expected {
                id: 202,
                name: "naïve café.txt",
                path_id: "2/e0/Tq5Wn8Xc1Vb4Ms7Lk2Jh9Gf3/naïve-café.txt",
                size: Some(17),
                create_time: Some((
                    1_713_003_344_000,
                    "2024-04-13T10:15:44Z",
                    WireNumber::Integer(1_713_003_344_000),
                    MS,
                )),
                messages: &[],
            },
        ];
        check("g2", &parsed, &expected, Some(10_485_760), None);
    }
}

#[test]
fn g3_has_integer_seconds() {
    for level in [None, Some(443), Some(471)] {
        let parsed = parse("g3-feature-level-443-471.json", level);
        let expected = [
            Expected {
                id: 5001,
                name: "diagram (v3).svg",
                path_id: "2/0e/Yv3Nc6Qa9Wd2Ze5Rf8Tg1Uh4/diagram-v3.svg",
                size: Some(9120),
                create_time: Some((
                    1_761_043_300_000,
                    "2025-10-21T10:41:40Z",
                    WireNumber::Integer(1_761_043_300),
                    S,
                )),
                messages: &[
                    (240_001, Some((1_761_043_327_000, "2025-10-21T10:42:07Z"))),
                    (240_077, Some((1_761_050_000_000, "2025-10-21T12:33:20Z"))),
                ],
            },
            Expected {
                id: 1,
                name: "emoji 😀 [party].gif",
                path_id: "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/emoji-party.gif",
                size: Some(120_455),
                create_time: Some((
                    1_588_145_417_000,
                    "2020-04-29T07:30:17Z",
                    WireNumber::Integer(1_588_145_417),
                    S,
                )),
                messages: &[],
            },
        ];
        check("g3", &parsed, &expected, Some(52_428_800), Some(&["limit"]));
    }
}

#[test]
fn g4_has_message_ids_without_send_times() {
    for level in [None, Some(472), Some(1000)] {
        let parsed = parse("g4-feature-level-472.json", level);
        let expected = [
            Expected {
                id: 6001,
                name: "Screenshot 2025-12-22 at 12.05.20.png",
                path_id: "2/5c/Mk8Pq1Rs4Tu7Vw0Xy3Za6Bc9/Screenshot-2025-12-22-at-12.05.20.png",
                size: Some(312_874),
                create_time: Some((
                    1_766_405_120_000,
                    "2025-12-22T12:05:20Z",
                    WireNumber::Integer(1_766_405_120),
                    S,
                )),
                messages: &[(251_001, None), (251_014, None)],
            },
            Expected {
                id: 6002,
                name: "Привет [копия].docx",
                path_id: "2/9f/Hd2Jf5Kg8Lh1Mj4Nk7Pl0Qm3/Привет-копия.docx",
                size: Some(20481),
                create_time: Some((
                    1_766_406_001_000,
                    "2025-12-22T12:20:01Z",
                    WireNumber::Integer(1_766_406_001),
                    S,
                )),
                messages: &[],
            },
            Expected {
                id: 1,
                name: "166050.jpg",
                path_id: "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
                size: Some(571_946),
                create_time: Some((
                    1_588_145_417_000,
                    "2020-04-29T07:30:17Z",
                    WireNumber::Integer(1_588_145_417),
                    S,
                )),
                messages: &[(102, None), (103, None)],
            },
        ];
        check(
            "g4",
            &parsed,
            &expected,
            Some(905_301),
            Some(&["sort_order", "anchor"]),
        );
        assert_eq!(
            parsed.attachments[0].message_ids().collect::<Vec<_>>(),
            [251_001, 251_014]
        );
    }
}

#[test]
fn g4_wire_notes_example_reads_and_writes_back_byte_for_byte() {
    let bytes = fixture_bytes("get-attachments/g4-wire-notes-example.json");
    // WIRE-NOTES, "G4", "Current example", copied as is.
    assert_eq!(
        std::str::from_utf8(&bytes).unwrap(),
        r#"{"attachments":[{"create_time":1588145417,"id":1,"message_ids":[102,103],"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","size":571946}],"msg":"","result":"success","upload_space_used":571946}"#
    );
    for level in [None, Some(472)] {
        let parsed = parse("g4-wire-notes-example.json", level);
        let expected = [Expected {
            id: 1,
            name: "166050.jpg",
            path_id: "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
            size: Some(571_946),
            create_time: Some((
                1_588_145_417_000,
                "2020-04-29T07:30:17Z",
                WireNumber::Integer(1_588_145_417),
                S,
            )),
            messages: &[(102, None), (103, None)],
        }];
        check("g4 example", &parsed, &expected, Some(571_946), None);
        assert_eq!(parsed.to_wire_json(G::G4), bytes);
    }
}

#[test]
fn spec_example_writes_back_as_sorted_compact_g2() {
    let parsed = parse("spec-example.json", Some(22));
    assert_eq!(
        String::from_utf8(parsed.to_wire_json(G::G2)).unwrap(),
        r#"{"attachments":[{"create_time":1588145417000,"id":1,"messages":[{"date_sent":1588145424000,"id":102},{"date_sent":1588145448000,"id":103}],"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","size":571946}],"msg":"","result":"success","upload_space_used":571946}"#
    );
    // The same data as other generations write it (WIRE-NOTES table).
    assert_eq!(
        String::from_utf8(parsed.to_wire_json(G::G0)).unwrap(),
        r#"{"attachments":[{"id":1,"messages":[{"id":102,"name":1588145424000.0},{"id":103,"name":1588145448000.0}],"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg"}],"msg":"","result":"success"}"#
    );
    assert_eq!(
        String::from_utf8(parsed.to_wire_json(G::G1)).unwrap(),
        r#"{"attachments":[{"create_time":1588145417000.0,"id":1,"messages":[{"id":102,"name":1588145424000.0},{"id":103,"name":1588145448000.0}],"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","size":571946}],"msg":"","result":"success","upload_space_used":571946}"#
    );
    assert_eq!(
        String::from_utf8(parsed.to_wire_json(G::G3)).unwrap(),
        r#"{"attachments":[{"create_time":1588145417,"id":1,"messages":[{"date_sent":1588145424,"id":102},{"date_sent":1588145448,"id":103}],"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","size":571946}],"msg":"","result":"success","upload_space_used":571946}"#
    );
    assert_eq!(
        String::from_utf8(parsed.to_wire_json(G::G4)).unwrap(),
        r#"{"attachments":[{"create_time":1588145417,"id":1,"message_ids":[102,103],"name":"166050.jpg","path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","size":571946}],"msg":"","result":"success","upload_space_used":571946}"#
    );
}

/// The fixture as JSON, without the keys no generation defines (the writer never produces them).
fn fixture_value_without_unknown_keys(name: &str) -> serde_json::Value {
    let mut value: serde_json::Value =
        serde_json::from_slice(&fixture_bytes(&format!("get-attachments/{name}"))).unwrap();
    let top = value.as_object_mut().unwrap();
    top.remove("future_top_level_field");
    for attachment in top["attachments"].as_array_mut().unwrap() {
        attachment
            .as_object_mut()
            .unwrap()
            .remove("future_attachment_field");
    }
    value
}

#[test]
fn every_fixture_writes_back_as_its_own_generation_sends_it() {
    for (name, generation) in FIXTURES {
        let parsed = parse(name, Some(generation.feature_level().get()));
        let written: serde_json::Value =
            serde_json::from_slice(&parsed.to_wire_json(generation)).unwrap();
        // serde_json's `Value` keeps integers and floats apart: `1588145417000.0` must come back
        // as a float, `1588145417000` as an integer, `null` sizes as `null`.
        assert_eq!(
            written,
            fixture_value_without_unknown_keys(name),
            "{name} as {generation:?}"
        );
    }
}

#[test]
fn the_feature_level_decides_the_unit_when_given() {
    // A G3 body read as if the server were at level 442 (milliseconds): the caller said so, and
    // the crate believes it, so 1761043300 is read as ms: 1970-01-21T09:10:43.300Z.
    let wrong = parse("g3-feature-level-443-471.json", Some(442));
    let time = wrong.attachments[0].create_time.unwrap();
    assert_eq!(time.unit(), MS);
    assert_eq!(time.as_unix_millis(), 1_761_043_300);
    assert_eq!(time.to_string(), "1970-01-21T09:10:43.300Z");
    // And a G2 body read at level 443 (seconds): 1712930512000 s is in the year 56250.
    let wrong = parse("g2-feature-level-22-442.json", Some(443));
    let time = wrong.attachments[0].create_time.unwrap();
    assert_eq!(time.unit(), S);
    assert_eq!(time.as_unix_seconds(), 1_712_930_512_000);
}

#[test]
fn the_magnitude_rule_splits_at_1e11() {
    // Without a feature level: |v| >= 1e11 is ms, below is s (WIRE-NOTES: "a millisecond
    // timestamp after 1973 is >= 1e11, a second timestamp is < 1e11 until the year 5138").
    let body = |time: i64| {
        format!(
            r#"{{"result":"success","msg":"","attachments":[{{"id":1,"name":"a","path_id":"p","create_time":{time},"messages":[]}}]}}"#
        )
    };
    let read = |time: i64| {
        parse_body(&body(time), None).attachments[0]
            .create_time
            .unwrap()
    };
    assert_eq!(read(99_999_999_999).unit(), S);
    assert_eq!(read(99_999_999_999).to_string(), "5138-11-16T09:46:39Z");
    assert_eq!(read(100_000_000_000).unit(), MS);
    assert_eq!(read(100_000_000_000).to_string(), "1973-03-03T09:46:40Z");
}

#[test]
fn the_message_key_name_is_a_send_time_only_when_numeric() {
    let body = r#"{"result":"success","msg":"","attachments":[{"id":1,"name":"a","path_id":"p","messages":[
        {"id":1,"name":"1588145424000"},
        {"id":2,"name":null},
        {"id":3,"name":{"nested":1}},
        {"id":4,"name":1588145424000.0},
        {"id":5,"name":1588145424000},
        {"id":6,"date_sent":1588145448000,"name":1588145424000.0},
        {"id":7}
    ]}]}"#;
    let parsed = parse_body(body, None);
    let sent: Vec<(u64, Option<i64>)> = parsed.attachments[0]
        .messages
        .iter()
        .map(|m| (m.id, m.date_sent.map(|t| t.as_unix_millis())))
        .collect();
    assert_eq!(
        sent,
        [
            (1, None),
            (2, None),
            (3, None),
            (4, Some(1_588_145_424_000)),
            (5, Some(1_588_145_424_000)),
            (6, Some(1_588_145_448_000)),
            (7, None),
        ]
    );
}

#[test]
fn messages_and_message_ids_edge_cases() {
    let read = |attachment: &str| {
        let body = format!(
            r#"{{"result":"success","msg":"","attachments":[{{"id":1,"name":"a","path_id":"p",{attachment}}}]}}"#
        );
        parse_body(&body, None).attachments[0]
            .messages
            .iter()
            .map(|m| (m.id, m.date_sent.is_some()))
            .collect::<Vec<_>>()
    };
    assert_eq!(read(r#""message_ids":null"#), []);
    assert_eq!(read(r#""messages":null"#), []);
    assert_eq!(read(r#""message_ids":[]"#), []);
    assert_eq!(read(r#""size":1"#), []);
    assert_eq!(read(r#""message_ids":[7,7]"#), [(7, false), (7, false)]);
    // A server that sent both: `messages` carries send times and wins.
    assert_eq!(
        read(r#""message_ids":[9],"messages":[{"id":8,"date_sent":1588145448000}]"#),
        [(8, true)]
    );
}

#[test]
fn a_null_size_or_upload_space_used_on_any_generation_is_none() {
    let parsed = parse_body(
        r#"{"result":"success","msg":"","attachments":[{"id":1,"name":"a","path_id":"p","size":null,"create_time":null,"message_ids":[]}],"upload_space_used":null,"ignored_parameters_unsupported":null}"#,
        Some(472),
    );
    assert_eq!(parsed.attachments[0].size, None);
    assert_eq!(parsed.attachments[0].create_time, None);
    assert_eq!(parsed.upload_space_used, None);
    assert_eq!(parsed.ignored_parameters_unsupported, None);
}

#[test]
fn timestamps_compare_by_instant() {
    let ms: Timestamp = serde_json::from_str("1588145417000").unwrap();
    let float_ms: Timestamp = serde_json::from_str("1588145417000.0").unwrap();
    let s: Timestamp = serde_json::from_str("1588145417").unwrap();
    assert_eq!(ms, float_ms);
    assert_eq!(ms, s);
    assert_eq!(ms.wire(), WireNumber::Integer(1_588_145_417_000));
    assert_eq!(float_ms.wire(), WireNumber::Float(1_588_145_417_000.0));
    assert_eq!(s.wire(), WireNumber::Integer(1_588_145_417));
    assert_eq!(serde_json::to_string(&float_ms).unwrap(), "1588145417000.0");
}

#[test]
fn whole_floats_up_to_2_pow_53_are_read_exactly() {
    // serde_json's default float parser rounds twice for 16-digit numbers and would hand over
    // 1802645318770684.75 for the text below; the crate enables `float_roundtrip` so that every
    // whole float within ±2^53 written with `.0` (legacy G0/G1 timestamps) is read exactly.
    for (text, millis) in [
        ("900719925474099.0", 900_719_925_474_099),
        ("1802645318770685.0", 1_802_645_318_770_685),
        ("-1802645318770685.0", -1_802_645_318_770_685),
        ("9007199254740991.0", 9_007_199_254_740_991),
        ("9007199254740992.0", 9_007_199_254_740_992),
    ] {
        let time: Timestamp = serde_json::from_str(text).unwrap();
        assert_eq!(time.wire(), WireNumber::Float(millis as f64), "{text}");
        assert_eq!(time.as_unix_millis(), millis, "{text}");
    }
}
