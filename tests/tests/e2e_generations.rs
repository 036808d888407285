//! Every wire generation of `GET /api/v1/attachments`, over real TCP, through `zulip-hyper`,
//! parsed by `zulip-types`, compared with literal values (never with zulip-types' own
//! serializer): for every preset of the test server, with and without the client knowing the
//! server's feature level.

use zulip_hyper::zulip_types::{FeatureLevel, TimeUnit, Timestamp, WireNumber};
use zulip_test_server::{Attachment, Generation, Preset, ServerConfig, TestServer};
use zulip_tests::{expected_fixture as expected, fixture_attachments, rows, user};

/// The number and unit the server wrote for attachment 1's `create_time` (or, in G0, for its
/// first message's send time), as zulip-types must keep them.
fn expected_wire(generation: Generation) -> (WireNumber, TimeUnit) {
    match generation {
        Generation::G0 => (WireNumber::Float(1588145424000.0), TimeUnit::Milliseconds),
        Generation::G1 => (WireNumber::Float(1588145417000.0), TimeUnit::Milliseconds),
        Generation::G2 => (WireNumber::Integer(1588145417000), TimeUnit::Milliseconds),
        Generation::G3 | Generation::G4 => (WireNumber::Integer(1588145417), TimeUnit::Seconds),
    }
}

fn server(preset: Preset, attachments: Vec<Attachment>) -> TestServer {
    TestServer::start(ServerConfig::preset(preset).user(user().with_attachments(attachments)))
}

#[tokio::test]
async fn every_generation_parses_to_the_same_literal_values() {
    assert_eq!(Preset::ALL.len(), 8);
    for preset in Preset::ALL {
        let server = server(preset, fixture_attachments());
        // What a client learns from GET /server_settings: absent before 3.0 means 0.
        let level = FeatureLevel::new(preset.feature_level().unwrap_or(0));
        for knows_level in [false, true] {
            let mut builder = zulip_tests::client(&server);
            if knows_level {
                builder = builder.feature_level(level);
            }
            let client = builder.build().unwrap();
            let context = format!("{preset:?}, feature level known: {knows_level}");
            let response = client
                .send_with_meta(&zulip_hyper::zulip_types::GetAttachments::new())
                .await
                .unwrap_or_else(|e| panic!("{context}: {e}"));
            assert_eq!(response.status, 200, "{context}");
            let (attachments, upload_space_used) = expected(preset);
            assert_eq!(rows(&response.value), attachments, "{context}");
            assert_eq!(
                response.value.upload_space_used, upload_space_used,
                "{context}"
            );
            assert_eq!(
                response.value.ignored_parameters_unsupported, None,
                "{context}"
            );

            let first = &response.value.attachments[0];
            let time: Timestamp = match preset.generation() {
                Generation::G0 => first.messages[0].date_sent.unwrap(),
                _ => first.create_time.unwrap(),
            };
            assert_eq!(
                (time.wire(), time.unit()),
                expected_wire(preset.generation())
            );
            let shown = match preset.generation() {
                Generation::G0 => "2020-04-29T07:30:24Z",
                _ => "2020-04-29T07:30:17Z",
            };
            assert_eq!(time.to_string(), shown, "{context}");
        }
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "{preset:?}");
        for request in &requests {
            assert_eq!(request.method, "GET");
            assert_eq!(request.path_and_query, "/api/v1/attachments");
            zulip_tests::assert_authenticated_as_test_user(request);
        }
    }
}

/// Real data never needs the feature level, but an instant before March 1973 sent in
/// milliseconds (G2) is below the magnitude threshold: only the feature level reads it right.
#[tokio::test]
async fn the_feature_level_decides_the_unit_where_magnitude_cannot() {
    // 1971-01-01T00:00:00Z; a G2 server writes 31536000000 (ms).
    let early = Attachment::new(3, "early.txt", "2/00/abc/early.txt", Some(10), 31_536_000);
    let server = server(Preset::Zulip9_0, vec![early]);

    let knowing = zulip_tests::client(&server)
        .feature_level(FeatureLevel::new(276))
        .build()
        .unwrap();
    let response = knowing
        .send(&zulip_hyper::zulip_types::GetAttachments::new())
        .await
        .unwrap();
    let time = response.attachments[0].create_time.unwrap();
    assert_eq!(time.wire(), WireNumber::Integer(31_536_000_000));
    assert_eq!(time.unit(), TimeUnit::Milliseconds);
    assert_eq!(time.as_unix_seconds(), 31_536_000);
    assert_eq!(time.to_string(), "1971-01-01T00:00:00Z");

    // Without it the number reads as seconds: a date in the 29th century, as documented.
    let guessing = zulip_tests::client(&server).build().unwrap();
    let response = guessing
        .send(&zulip_hyper::zulip_types::GetAttachments::new())
        .await
        .unwrap();
    let time = response.attachments[0].create_time.unwrap();
    assert_eq!(time.unit(), TimeUnit::Seconds);
    assert_eq!(time.as_unix_seconds(), 31_536_000_000);
    assert_eq!(time.to_string(), "2969-05-03T00:00:00Z");

    // Setting the level on a running client applies from the next response.
    guessing.set_feature_level(Some(FeatureLevel::new(276)));
    let response = guessing
        .send(&zulip_hyper::zulip_types::GetAttachments::new())
        .await
        .unwrap();
    assert_eq!(
        response.attachments[0]
            .create_time
            .unwrap()
            .as_unix_seconds(),
        31_536_000
    );
}

/// A user with no uploads, on the oldest and the newest server.
#[tokio::test]
async fn no_attachments() {
    for (preset, used) in [(Preset::Zulip1_6, None), (Preset::Zulip12_0, Some(0))] {
        let server = server(preset, Vec::new());
        let client = zulip_tests::client(&server).build().unwrap();
        let response = client
            .send(&zulip_hyper::zulip_types::GetAttachments::new())
            .await
            .unwrap();
        assert!(response.attachments.is_empty());
        assert_eq!(response.upload_space_used, used, "{preset:?}");
    }
}
