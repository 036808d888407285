//! The baseline: what a user would write with serde_json for the generation in front of them,
//! without knowing there are five (no `Timestamp`, no units, no `Option` where the generation
//! always sends a value, every key the generation sends, plain derives).

use serde::Deserialize;
use zulip_test_server::Generation;

/// G0 (Zulip 1.6): no size, no creation time, messages with a float `name`.
#[derive(Debug, Deserialize)]
pub struct ResponseG0 {
    /// `result`.
    pub result: String,
    /// `msg`.
    pub msg: String,
    /// `attachments`.
    pub attachments: Vec<AttachmentG0>,
}

/// An attachment of G0.
#[derive(Debug, Deserialize)]
pub struct AttachmentG0 {
    /// `id`.
    pub id: i64,
    /// `name`.
    pub name: String,
    /// `path_id`.
    pub path_id: String,
    /// `messages`.
    pub messages: Vec<LegacyMessage>,
}

/// A message of G0/G1: `{"id", "name": <float ms>}`.
#[derive(Debug, Deserialize)]
pub struct LegacyMessage {
    /// `id`.
    pub id: i64,
    /// `name` (the send time, float milliseconds).
    pub name: f64,
}

/// G1 (Zulip 1.7 – 2.1): nullable size, float milliseconds.
#[derive(Debug, Deserialize)]
pub struct ResponseG1 {
    /// `result`.
    pub result: String,
    /// `msg`.
    pub msg: String,
    /// `attachments`.
    pub attachments: Vec<AttachmentG1>,
    /// `upload_space_used` (from 2.1).
    pub upload_space_used: Option<i64>,
}

/// An attachment of G1.
#[derive(Debug, Deserialize)]
pub struct AttachmentG1 {
    /// `id`.
    pub id: i64,
    /// `name`.
    pub name: String,
    /// `path_id`.
    pub path_id: String,
    /// `size` (nullable).
    pub size: Option<i64>,
    /// `create_time` (float milliseconds).
    pub create_time: f64,
    /// `messages`.
    pub messages: Vec<LegacyMessage>,
}

/// G2 and G3 (feature levels 22 – 471): integers, messages `{"id", "date_sent"}`.
#[derive(Debug, Deserialize)]
pub struct ResponseG2 {
    /// `result`.
    pub result: String,
    /// `msg`.
    pub msg: String,
    /// `attachments`.
    pub attachments: Vec<AttachmentG2>,
    /// `upload_space_used`.
    pub upload_space_used: i64,
}

/// An attachment of G2/G3.
#[derive(Debug, Deserialize)]
pub struct AttachmentG2 {
    /// `id`.
    pub id: i64,
    /// `name`.
    pub name: String,
    /// `path_id`.
    pub path_id: String,
    /// `size`.
    pub size: i64,
    /// `create_time`.
    pub create_time: i64,
    /// `messages`.
    pub messages: Vec<Message>,
}

/// A message of G2/G3.
#[derive(Debug, Deserialize)]
pub struct Message {
    /// `id`.
    pub id: i64,
    /// `date_sent`.
    pub date_sent: i64,
}

/// G4 (feature level 472 on): `message_ids`.
#[derive(Debug, Deserialize)]
pub struct ResponseG4 {
    /// `result`.
    pub result: String,
    /// `msg`.
    pub msg: String,
    /// `attachments`.
    pub attachments: Vec<AttachmentG4>,
    /// `upload_space_used`.
    pub upload_space_used: i64,
}

/// An attachment of G4.
#[derive(Debug, Deserialize)]
pub struct AttachmentG4 {
    /// `id`.
    pub id: i64,
    /// `name`.
    pub name: String,
    /// `path_id`.
    pub path_id: String,
    /// `size`.
    pub size: i64,
    /// `create_time`.
    pub create_time: i64,
    /// `message_ids`.
    pub message_ids: Vec<i64>,
}

/// The naive parse of one generation's body.
#[derive(Debug)]
pub enum Naive {
    /// G0.
    G0(ResponseG0),
    /// G1.
    G1(ResponseG1),
    /// G2 or G3.
    G2(ResponseG2),
    /// G4.
    G4(ResponseG4),
}

impl Naive {
    /// Parses `body` with the struct written for `generation` (`serde_json::from_slice`).
    ///
    /// # Errors
    /// When the body is not of that generation.
    pub fn parse(generation: Generation, body: &[u8]) -> serde_json::Result<Naive> {
        Ok(match generation {
            Generation::G0 => Naive::G0(serde_json::from_slice(body)?),
            Generation::G1 => Naive::G1(serde_json::from_slice(body)?),
            Generation::G2 | Generation::G3 => Naive::G2(serde_json::from_slice(body)?),
            Generation::G4 => Naive::G4(serde_json::from_slice(body)?),
        })
    }

    /// How many attachments were read.
    pub fn len(&self) -> usize {
        match self {
            Naive::G0(r) => r.attachments.len(),
            Naive::G1(r) => r.attachments.len(),
            Naive::G2(r) => r.attachments.len(),
            Naive::G4(r) => r.attachments.len(),
        }
    }

    /// Whether no attachment was read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `(id, name, path_id, message ids)` of every attachment, to check the baseline read the
    /// same data as the library.
    pub fn summary(&self) -> Vec<(i64, String, String, Vec<i64>)> {
        match self {
            Naive::G0(r) => r
                .attachments
                .iter()
                .map(|a| {
                    let ids = a.messages.iter().map(|m| m.id).collect();
                    (a.id, a.name.clone(), a.path_id.clone(), ids)
                })
                .collect(),
            Naive::G1(r) => r
                .attachments
                .iter()
                .map(|a| {
                    let ids = a.messages.iter().map(|m| m.id).collect();
                    (a.id, a.name.clone(), a.path_id.clone(), ids)
                })
                .collect(),
            Naive::G2(r) => r
                .attachments
                .iter()
                .map(|a| {
                    let ids = a.messages.iter().map(|m| m.id).collect();
                    (a.id, a.name.clone(), a.path_id.clone(), ids)
                })
                .collect(),
            Naive::G4(r) => r
                .attachments
                .iter()
                .map(|a| {
                    (
                        a.id,
                        a.name.clone(),
                        a.path_id.clone(),
                        a.message_ids.clone(),
                    )
                })
                .collect(),
        }
    }
}
