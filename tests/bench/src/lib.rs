//! Benchmark inputs and baselines for the zulip-rs workspace.
//!
//! Every body comes from the test server's deterministic generator
//! ([`zulip_test_server::sample::many_attachments`] rendered by [`zulip_test_server::wire`]),
//! which writes JSON by hand, independently of `zulip-types`: G0/G1 bodies are ujson-style
//! (`\uXXXX` for non-ASCII, `\/` for slashes: the "escaped names" case), G2 – G4 raw UTF-8, keys
//! in the order real servers write them. The one variant the server has no switch for, unknown
//! fields, is made by a documented textual transformation ([`add_unknown_fields`]).
//!
//! The baseline ([`naive`]) is what a user who never heard of the five generations would write
//! for the generation in front of them: plain `#[derive(Deserialize)]` structs, `i64` numbers
//! (`f64` where the generation sends floats, since `i64` cannot read `1588145417000.0`),
//! `String` fields, `Vec<i64>` or `Vec<{id, date_sent}>` for messages.

use zulip_test_server::wire::{self, Profile};
use zulip_test_server::{Generation, Json, ServerConfig, sample};

pub mod clock;
pub mod naive;
pub mod transport;

/// The seed of every generated body (any fixed value: the generator is deterministic).
pub const SEED: u64 = 20_240_301;

/// The attachment counts benchmarked.
pub const SIZES: [usize; 3] = [10, 1_000, 100_000];

/// Which transformation a body went through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Exactly what the test server sends.
    Plain,
    /// With fields no parser knows (see [`add_unknown_fields`]).
    UnknownFields,
}

/// One benchmark input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Case {
    /// The wire generation.
    pub generation: Generation,
    /// How many attachments.
    pub n: usize,
    /// Plain or with unknown fields.
    pub variant: Variant,
}

impl Case {
    /// A plain case.
    pub fn new(generation: Generation, n: usize) -> Case {
        Case {
            generation,
            n,
            variant: Variant::Plain,
        }
    }

    /// The same case with unknown fields.
    pub fn with_unknown_fields(self) -> Case {
        Case {
            variant: Variant::UnknownFields,
            ..self
        }
    }

    /// A short name for reports: `G4`, `G1`, `G4+unknown`.
    pub fn label(&self) -> String {
        match self.variant {
            Variant::Plain => format!("{:?}", self.generation),
            Variant::UnknownFields => format!("{:?}+unknown", self.generation),
        }
    }

    /// The response body: the test server's `GET /attachments` body for the canonical server of
    /// the generation (1.6, 2.1, 9.0, 12.0-dev, 12.0), byte for byte.
    pub fn body(&self) -> Vec<u8> {
        let body = server_body(self.generation, self.n);
        match self.variant {
            Variant::Plain => body.into_bytes(),
            Variant::UnknownFields => add_unknown_fields(&body).into_bytes(),
        }
    }

    /// The feature level a client that asked `/server_settings` knows for this generation's
    /// canonical server (0 before 3.0).
    pub fn feature_level(&self) -> u32 {
        ServerConfig::generation(self.generation)
            .feature_level()
            .unwrap_or(0)
    }
}

/// Every case of the parse benchmarks: every generation at every size, plus the unknown-fields
/// variant of a modern (G4) and a legacy (G1) body at every size.
pub fn parse_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for n in SIZES {
        for generation in Generation::ALL {
            cases.push(Case::new(generation, n));
        }
        cases.push(Case::new(Generation::G4, n).with_unknown_fields());
        cases.push(Case::new(Generation::G1, n).with_unknown_fields());
    }
    cases
}

/// The body the test server sends for `n` attachments of [`sample::many_attachments`] on the
/// canonical server of `generation` (its JSON style: ujson for G0/G1, orjson later).
pub fn server_body(generation: Generation, n: usize) -> String {
    let profile = Profile::from_config(&ServerConfig::generation(generation));
    let attachments = sample::many_attachments(n, SEED);
    let array = wire::attachments_array(generation, &attachments, &profile.style);
    wire::attachments_body(
        &profile,
        Json::Raw(array),
        wire::upload_space_used(&attachments),
        &[],
    )
}

/// What [`add_unknown_fields`] inserts before every attachment's `"path_id"` key: a nested object,
/// an array, a string with escapes, a float and a boolean — things a future server might add.
pub const UNKNOWN_ATTACHMENT_FIELDS: &str = r#""thumbnail":{"url":"\/user_uploads\/thumbnail\/x.webp","sizes":[64,256,1024],"ratio":1.5,"animated":false},"content_type":"image\/png","#;

/// What [`add_unknown_fields`] inserts after the top-level `"msg":""`.
pub const UNKNOWN_TOP_LEVEL_FIELDS: &str = r#","quota":{"limit_bytes":5368709120,"used":0.25,"tiers":["free","cloud"]},"server_generation":7"#;

/// The unknown-fields variant of a server body: a textual transformation, so that the parsed
/// data stays exactly the server's. `"path_id":` occurs once per attachment (message objects
/// have no such key), so [`UNKNOWN_ATTACHMENT_FIELDS`] is inserted before each occurrence;
/// [`UNKNOWN_TOP_LEVEL_FIELDS`] follows the top-level `"msg":""` (the first occurrence: servers
/// write `result` and `msg` first).
pub fn add_unknown_fields(body: &str) -> String {
    let with_attachment_fields = body.replace(
        "\"path_id\":",
        &format!("{UNKNOWN_ATTACHMENT_FIELDS}\"path_id\":"),
    );
    with_attachment_fields.replacen(
        "\"msg\":\"\"",
        &format!("\"msg\":\"\"{UNKNOWN_TOP_LEVEL_FIELDS}"),
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_added_once_per_attachment() {
        let plain = server_body(Generation::G2, 20);
        let unknown = add_unknown_fields(&plain);
        assert_eq!(unknown.matches("\"thumbnail\":").count(), 20);
        assert_eq!(unknown.matches("\"quota\":").count(), 1);
        let value: serde_json::Value = serde_json::from_str(&unknown).unwrap();
        assert_eq!(value["attachments"].as_array().unwrap().len(), 20);
        assert_eq!(value["server_generation"], 7);
    }

    #[test]
    fn legacy_bodies_escape_non_ascii() {
        let body = server_body(Generation::G1, 50);
        assert!(body.is_ascii());
        assert!(body.contains("\\u"));
        assert!(!server_body(Generation::G4, 50).is_ascii());
    }
}

/// The parsers compared, on one input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Parser {
    /// [`naive::Naive`]: plain serde_json structs (the baseline).
    Baseline,
    /// `GetAttachmentsResponse::try_from_http_response`.
    ZulipTypes,
    /// `GetAttachmentsResponseRef::try_from_http_response`.
    ZulipTypesBorrowed,
    /// `serde_json::from_slice::<IgnoredAny>`: validation only (the ceiling).
    IgnoredAny,
}

impl Parser {
    /// Every parser, the baseline first.
    pub const ALL: [Parser; 4] = [
        Parser::Baseline,
        Parser::ZulipTypes,
        Parser::ZulipTypesBorrowed,
        Parser::IgnoredAny,
    ];

    /// The name used in benchmark ids and reports.
    pub fn name(self) -> &'static str {
        match self {
            Parser::Baseline => "baseline",
            Parser::ZulipTypes => "zulip-types",
            Parser::ZulipTypesBorrowed => "zulip-types-borrowed",
            Parser::IgnoredAny => "ignored-any",
        }
    }

    /// From [`Parser::name`].
    pub fn from_name(name: &str) -> Option<Parser> {
        Parser::ALL.into_iter().find(|parser| parser.name() == name)
    }

    /// Parses `response`'s body of `generation` (and drops the result, as a caller eventually
    /// does); the number of attachments read (0 for `IgnoredAny`).
    ///
    /// # Panics
    /// When the body does not parse (benchmark inputs always do).
    pub fn parse(
        self,
        generation: Generation,
        response: &http::Response<&[u8]>,
        context: &zulip_types::ResponseContext,
    ) -> usize {
        use zulip_types::IncomingResponse;
        let response = std::hint::black_box(response);
        match self {
            Parser::Baseline => naive::Naive::parse(generation, response.body())
                .expect("baseline")
                .len(),
            Parser::ZulipTypes => {
                zulip_types::GetAttachmentsResponse::try_from_http_response(response, context)
                    .expect("zulip-types")
                    .attachments
                    .len()
            }
            Parser::ZulipTypesBorrowed => {
                zulip_types::GetAttachmentsResponseRef::try_from_http_response(response, context)
                    .expect("zulip-types borrowed")
                    .attachments
                    .len()
            }
            Parser::IgnoredAny => {
                serde_json::from_slice::<serde::de::IgnoredAny>(response.body())
                    .expect("IgnoredAny");
                0
            }
        }
    }
}
