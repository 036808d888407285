//! `GET /api/v1/attachments`: metadata of the files the requesting user uploaded, with the
//! messages that reference each.
//!
//! The response is not paginated: every attachment the user owns comes in one response, in no
//! defined order. Its wire format went through five generations, all read into one model:
//!
//! | generation | servers | `size` | `create_time` | per message | `upload_space_used` |
//! |---|---|---|---|---|---|
//! | [`G0`](AttachmentsGeneration::G0) | 1.6 | absent | absent | `{"id", "name": <float ms>}` | absent |
//! | [`G1`](AttachmentsGeneration::G1) | 1.7 – 2.1, 3.0-dev before level 22 | integer or `null` | float ms | `{"id", "name": <float ms>}` | from 2.1 |
//! | [`G2`](AttachmentsGeneration::G2) | levels 22 – 442 | integer | integer ms | `{"id", "date_sent": <int ms>}` | present |
//! | [`G3`](AttachmentsGeneration::G3) | levels 443 – 471 | integer | integer **s** | `{"id", "date_sent": <int s>}` | present |
//! | [`G4`](AttachmentsGeneration::G4) | level 472 on | integer | integer s | `"message_ids": [int, ...]` | present |
//!
//! ```
//! use zulip_types::{GetAttachmentsResponse, IncomingResponse, ResponseContext};
//!
//! let body = br#"{"result":"success","msg":"","attachments":[{"id":1,"name":"166050.jpg",
//!     "path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg","size":571946,
//!     "create_time":1588145417000.0,"messages":[{"id":102,"name":1588145424000.0}]}]}"#;
//! let response = http::Response::builder().status(200).body(&body[..])?;
//! let parsed = GetAttachmentsResponse::try_from_http_response(&response, &ResponseContext::new())?;
//!
//! let attachment = &parsed.attachments[0];
//! assert_eq!(attachment.message_ids().collect::<Vec<_>>(), [102]);
//! assert_eq!(attachment.create_time.unwrap().to_string(), "2020-04-29T07:30:17Z");
//! assert_eq!(attachment.messages[0].date_sent.unwrap().as_unix_seconds(), 1588145424);
//! assert_eq!(parsed.upload_space_used, None); // Zulip 2.0 and older do not send it
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use http::Method;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use crate::api::{ObjectOnly, ResultTag, SuccessBody, parse_success_or};
use crate::{
    Authentication, BuildError, Endpoint, FeatureLevel, IncomingResponse, MAX_WIRE_MAGNITUDE,
    RequestContext, ResponseContext, ResponseError, TimeUnit, Timestamp, WireNumber,
};

mod borrowed;
mod fast;

pub use borrowed::{AttachmentRef, GetAttachmentsResponseRef};

/// `GET /api/v1/attachments` (operation `get-attachments`, Zulip 1.6 and later).
///
/// ```
/// use zulip_types::{Credentials, Endpoint, GetAttachments, RequestContext, Site};
///
/// let context = RequestContext::new(Site::parse("chat.example.com")?)
///     .with_credentials(Credentials::new("iago@zulip.com", "secret"));
/// let request = GetAttachments::new().try_into_http_request(&context)?;
/// assert_eq!(request.method(), "GET");
/// assert_eq!(request.uri(), "https://chat.example.com/api/v1/attachments");
/// assert!(request.headers()["authorization"].is_sensitive());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetAttachments {}

impl GetAttachments {
    /// The request (it has no parameters).
    #[must_use]
    pub const fn new() -> Self {
        Self {}
    }
}

impl Endpoint for GetAttachments {
    const NAME: &'static str = "get-attachments";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/attachments";
    const AUTHENTICATION: Authentication = Authentication::Basic;
    type Response = GetAttachmentsResponse;

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

/// The success response of [`GetAttachments`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetAttachmentsResponse {
    /// `attachments`: every file the user uploaded, in no defined order.
    pub attachments: Vec<Attachment>,
    /// `upload_space_used`: bytes used by the uploads of **all** users of the organization.
    /// Absent before Zulip 2.1.
    pub upload_space_used: Option<u64>,
    /// `ignored_parameters_unsupported`: request parameters the server ignored (feature level
    /// 167 on; any success response may carry it).
    pub ignored_parameters_unsupported: Option<Vec<String>>,
}

impl GetAttachmentsResponse {
    /// A response holding these attachments.
    #[must_use]
    pub fn new(attachments: Vec<Attachment>) -> Self {
        Self {
            attachments,
            upload_space_used: None,
            ignored_parameters_unsupported: None,
        }
    }

    /// Reads every timestamp's wire number in `unit` (see [`Timestamp::with_unit`]).
    #[must_use]
    pub fn with_timestamp_unit(mut self, unit: TimeUnit) -> Self {
        for attachment in &mut self.attachments {
            if let Some(time) = &mut attachment.create_time {
                *time = time.with_unit(unit);
            }
            for message in &mut attachment.messages {
                if let Some(time) = &mut message.date_sent {
                    *time = time.with_unit(unit);
                }
            }
        }
        self
    }

    /// A view that serializes this response exactly as servers of `generation` send it: keys in
    /// sorted order, no whitespace. What the generation cannot carry is left out (sizes and
    /// creation times in G0, sub-second times in G3 and G4, send times in G4, instants beyond
    /// ±2^53 ms in G0 – G2, ...).
    #[must_use]
    pub fn wire(&self, generation: AttachmentsGeneration) -> WireAttachments<'_> {
        WireAttachments {
            response: self,
            generation,
        }
    }

    /// The JSON body servers of `generation` send for this response.
    ///
    /// ```
    /// use zulip_types::{Attachment, AttachmentsGeneration, GetAttachmentsResponse, MessageRef, Timestamp};
    ///
    /// let mut attachment = Attachment::new(1, "a.txt", "2/ab/xyz/a.txt");
    /// attachment.size = Some(3);
    /// attachment.create_time = Timestamp::from_unix_seconds(1588145417);
    /// attachment.messages = vec![MessageRef::new(102)];
    /// let response = GetAttachmentsResponse::new(vec![attachment]);
    /// assert_eq!(
    ///     String::from_utf8(response.to_wire_json(AttachmentsGeneration::G1))?,
    ///     r#"{"attachments":[{"create_time":1588145417000.0,"id":1,"messages":[{"id":102}],"name":"a.txt","path_id":"2/ab/xyz/a.txt","size":3}],"msg":"","result":"success"}"#
    /// );
    /// # Ok::<(), std::string::FromUtf8Error>(())
    /// ```
    #[must_use]
    pub fn to_wire_json(&self, generation: AttachmentsGeneration) -> Vec<u8> {
        // Serializing plain data into a Vec cannot fail.
        serde_json::to_vec(&self.wire(generation)).unwrap_or_default()
    }
}

impl IncomingResponse for GetAttachmentsResponse {
    fn try_from_http_response<B: AsRef<[u8]>>(
        response: &http::Response<B>,
        context: &ResponseContext,
    ) -> Result<Self, ResponseError> {
        let unit = context.feature_level.map(TimeUnit::for_attachments_at);
        parse_success_or(
            response,
            |body| {
                fast::read::<Attachment>(body, unit).map(|body| Self {
                    attachments: body.attachments,
                    upload_space_used: body.upload_space_used,
                    ignored_parameters_unsupported: body.ignored_parameters_unsupported,
                })
            },
            |raw: RawResponse| Self::from_raw(raw, unit),
        )
    }
}

impl GetAttachmentsResponse {
    /// The reference parse's value, timestamps in `unit` when known.
    fn from_raw(raw: RawResponse, unit: Option<TimeUnit>) -> Self {
        let parsed = Self::from(raw);
        match unit {
            Some(unit) => parsed.with_timestamp_unit(unit),
            None => parsed,
        }
    }
}

/// Reads the body alone (no status or `result` check); timestamps' units by magnitude.
impl<'de> Deserialize<'de> for GetAttachmentsResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ObjectOnly::<RawResponse>::deserialize(deserializer).map(|ObjectOnly(raw)| Self::from(raw))
    }
}

// The derived `Raw*` types are the reference parse: they define what is accepted, and every
// error comes from them (with its JSON path, see `api::parse_success`). `fast` reads the common
// case faster and hands everything else to them.
#[derive(Deserialize)]
struct RawResponse {
    #[serde(default)]
    result: ResultTag,
    attachments: Vec<Attachment>,
    #[serde(default)]
    upload_space_used: Option<u64>,
    #[serde(default)]
    ignored_parameters_unsupported: Option<Vec<String>>,
}

impl SuccessBody for RawResponse {
    fn result(&self) -> &ResultTag {
        &self.result
    }
}

impl From<RawResponse> for GetAttachmentsResponse {
    fn from(raw: RawResponse) -> Self {
        Self {
            attachments: raw.attachments,
            upload_space_used: raw.upload_space_used,
            ignored_parameters_unsupported: raw.ignored_parameters_unsupported,
        }
    }
}

/// A file the user uploaded (the spec's `Attachments` object).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "ObjectOnly<RawAttachment>")]
#[non_exhaustive]
pub struct Attachment {
    /// `id`: the attachment's ID (what `DELETE /attachments/{attachment_id}` takes).
    pub id: u64,
    /// `name`: the file name, any Unicode.
    pub name: String,
    /// `path_id`: where the file lives; its URL is `{server root}/user_uploads/{path_id}`.
    pub path_id: String,
    /// `size` in bytes. Absent in Zulip 1.6; may be `null` before Zulip 3.0.
    pub size: Option<u64>,
    /// `create_time`: when it was uploaded. Absent in Zulip 1.6; float milliseconds before 3.0
    /// (feature level 22), integer milliseconds before level 443, integer seconds from it.
    pub create_time: Option<Timestamp>,
    /// The messages referencing the file: `messages` before feature level 472 (with send
    /// times), `message_ids` from it (IDs only). Empty when the file was never sent.
    pub messages: Vec<MessageRef>,
}

impl Attachment {
    /// An attachment with no size, no creation time and no messages.
    #[must_use]
    pub fn new(id: u64, name: impl Into<String>, path_id: impl Into<String>) -> Self {
        Self {
            id,
            name: name.into(),
            path_id: path_id.into(),
            size: None,
            create_time: None,
            messages: Vec::new(),
        }
    }

    /// The IDs of the messages referencing the file, on every generation.
    pub fn message_ids(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.messages.iter().map(|message| message.id)
    }
}

impl<'de> fast::FromParts<'de> for Attachment {
    type Text = String;
    fn from_parts(parts: fast::Parts<String>) -> Self {
        Self {
            id: parts.id,
            name: parts.name,
            path_id: parts.path_id,
            size: parts.size,
            create_time: parts.create_time,
            messages: parts.messages,
        }
    }
}

#[derive(Deserialize)]
struct RawAttachment {
    id: u64,
    name: String,
    path_id: String,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    create_time: Option<Timestamp>,
    #[serde(default)]
    messages: Option<Vec<MessageRef>>,
    #[serde(default, deserialize_with = "message_ids")]
    message_ids: Option<Vec<MessageRef>>,
}

impl From<ObjectOnly<RawAttachment>> for Attachment {
    fn from(ObjectOnly(raw): ObjectOnly<RawAttachment>) -> Self {
        Self {
            id: raw.id,
            name: raw.name,
            path_id: raw.path_id,
            size: raw.size,
            create_time: raw.create_time,
            // `messages` carries send times; prefer it if a server ever sends both.
            messages: raw.messages.or(raw.message_ids).unwrap_or_default(),
        }
    }
}

/// `message_ids: [int, ...]` read straight into message references, in one allocation.
fn message_ids<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<MessageRef>>, D::Error> {
    struct IdsVisitor;
    impl<'de> Visitor<'de> for IdsVisitor {
        type Value = Option<Vec<MessageRef>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of message IDs")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // Cap the preallocation: the hint comes from the input.
            let mut ids = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(id) = seq.next_element::<u64>()? {
                ids.push(MessageRef::new(id));
            }
            Ok(Some(ids))
        }
    }
    deserializer.deserialize_any(IdsVisitor)
}

/// A message that references an attachment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "ObjectOnly<RawMessage>")]
#[non_exhaustive]
pub struct MessageRef {
    /// `id`: the message's ID.
    pub id: u64,
    /// When the message was sent: `date_sent` (feature levels 22 – 471), or the legacy numeric
    /// `name` (before level 22). `None` from level 472, which sends IDs only.
    pub date_sent: Option<Timestamp>,
}

impl MessageRef {
    /// A message known by its ID only.
    #[must_use]
    pub const fn new(id: u64) -> Self {
        Self {
            id,
            date_sent: None,
        }
    }

    /// A message with its send time.
    #[must_use]
    pub const fn with_date_sent(id: u64, date_sent: Timestamp) -> Self {
        Self {
            id,
            date_sent: Some(date_sent),
        }
    }
}

#[derive(Deserialize)]
struct RawMessage {
    id: u64,
    #[serde(default)]
    date_sent: Option<Timestamp>,
    #[serde(default, deserialize_with = "legacy_name")]
    name: Option<Timestamp>,
}

impl From<ObjectOnly<RawMessage>> for MessageRef {
    fn from(ObjectOnly(raw): ObjectOnly<RawMessage>) -> Self {
        Self {
            id: raw.id,
            date_sent: raw.date_sent.or(raw.name),
        }
    }
}

/// The legacy message key `name` is a send time only when it is a number.
fn legacy_name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Timestamp>, D::Error> {
    // `Value` handles serde_json's `arbitrary_precision` representation of numbers.
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::Number(number) => Timestamp::from_number(&number, None)
            .map(Some)
            .map_err(de::Error::custom),
        _ => Ok(None),
    }
}

/// The five wire generations of `GET /attachments`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttachmentsGeneration {
    /// Zulip 1.6: no `size`, no `create_time`, messages `{"id", "name": <float ms>}`, no
    /// `upload_space_used`.
    G0,
    /// Zulip 1.7 – 2.1 and 3.0-dev before feature level 22: `size` integer or `null`,
    /// `create_time` float ms, messages `{"id", "name": <float ms>}`, `upload_space_used` from 2.1.
    G1,
    /// Feature levels 22 – 442: integer milliseconds, messages `{"id", "date_sent"}`.
    G2,
    /// Feature levels 443 – 471: integer seconds, messages `{"id", "date_sent"}`.
    G3,
    /// Feature level 472 on: integer seconds, `message_ids`.
    G4,
}

impl AttachmentsGeneration {
    /// Every generation, oldest first.
    pub const ALL: [Self; 5] = [Self::G0, Self::G1, Self::G2, Self::G3, Self::G4];

    /// The generation a server at `level` speaks. Level 0 gives [`G1`](Self::G1): Zulip 1.6
    /// (G0) also reports no level, and only its version string tells it apart.
    #[must_use]
    pub const fn for_feature_level(level: FeatureLevel) -> Self {
        match level.get() {
            0..22 => Self::G1,
            22..443 => Self::G2,
            443..472 => Self::G3,
            _ => Self::G4,
        }
    }

    /// A feature level that servers of this generation report (the lowest).
    #[must_use]
    pub const fn feature_level(self) -> FeatureLevel {
        FeatureLevel::new(match self {
            Self::G0 | Self::G1 => 0,
            Self::G2 => 22,
            Self::G3 => 443,
            Self::G4 => 472,
        })
    }

    /// How this generation writes a timestamp; `None` when it cannot: a millisecond
    /// generation (G0 – G2) cannot write an instant beyond ±2^53 ms, which a seconds timestamp
    /// can reach (about ±285 000 years), and such a time is left out.
    fn encode(self, time: Timestamp) -> Option<WireNumber> {
        let millis = time.as_unix_millis();
        let fits_in_millis = millis.unsigned_abs() <= MAX_WIRE_MAGNITUDE.unsigned_abs();
        match self {
            // Within ±2^53 the conversion to a double is exact.
            Self::G0 | Self::G1 => fits_in_millis.then_some(WireNumber::Float(millis as f64)),
            Self::G2 => fits_in_millis.then_some(WireNumber::Integer(millis)),
            Self::G3 | Self::G4 => Some(WireNumber::Integer(time.as_unix_seconds())),
        }
    }
}

/// A [`GetAttachmentsResponse`] serialized as one generation sends it; see
/// [`GetAttachmentsResponse::wire`].
#[derive(Clone, Copy, Debug)]
pub struct WireAttachments<'a> {
    response: &'a GetAttachmentsResponse,
    generation: AttachmentsGeneration,
}

impl Serialize for WireAttachments<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use AttachmentsGeneration::{G0, G1};
        let generation = self.generation;
        let response = self.response;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("attachments", &Wire(&response.attachments[..], generation))?;
        if !matches!(generation, G0 | G1) {
            if let Some(ignored) = &response.ignored_parameters_unsupported {
                map.serialize_entry("ignored_parameters_unsupported", ignored)?;
            }
        }
        map.serialize_entry("msg", "")?;
        map.serialize_entry("result", "success")?;
        if generation != G0 {
            if let Some(used) = response.upload_space_used {
                map.serialize_entry("upload_space_used", &used)?;
            }
        }
        map.end()
    }
}

/// Serialization in the form of one generation.
trait ToWire {
    fn to_wire<S: Serializer>(
        &self,
        generation: AttachmentsGeneration,
        serializer: S,
    ) -> Result<S::Ok, S::Error>;
}

/// A value paired with the generation to write it in.
struct Wire<'a, T: ?Sized>(&'a T, AttachmentsGeneration);

impl<T: ToWire + ?Sized> Serialize for Wire<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.to_wire(self.1, serializer)
    }
}

impl<T: ToWire> ToWire for [T] {
    fn to_wire<S: Serializer>(
        &self,
        generation: AttachmentsGeneration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for item in self {
            seq.serialize_element(&Wire(item, generation))?;
        }
        seq.end()
    }
}

impl ToWire for Attachment {
    fn to_wire<S: Serializer>(
        &self,
        generation: AttachmentsGeneration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        use AttachmentsGeneration::{G0, G1, G2, G3, G4};
        let mut map = serializer.serialize_map(None)?;
        if generation != G0 {
            if let Some(time) = self.create_time.and_then(|time| generation.encode(time)) {
                map.serialize_entry("create_time", &time)?;
            }
        }
        map.serialize_entry("id", &self.id)?;
        if generation == G4 {
            map.serialize_entry("message_ids", &MessageIds(&self.messages))?;
        } else {
            map.serialize_entry("messages", &Wire(&self.messages[..], generation))?;
        }
        map.serialize_entry("name", &self.name)?;
        map.serialize_entry("path_id", &self.path_id)?;
        match (generation, self.size) {
            (G0, _) | (G2 | G3 | G4, None) => {}
            (G1, None) => map.serialize_entry("size", &())?,
            (_, Some(size)) => map.serialize_entry("size", &size)?,
        }
        map.end()
    }
}

impl ToWire for MessageRef {
    fn to_wire<S: Serializer>(
        &self,
        generation: AttachmentsGeneration,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        use AttachmentsGeneration::{G0, G1};
        // Before level 22 the send time is the numeric key `name`, which sorts after `id`.
        let legacy = matches!(generation, G0 | G1);
        let time = self.date_sent.and_then(|time| generation.encode(time));
        let mut map = serializer.serialize_map(None)?;
        if let (Some(time), false) = (time, legacy) {
            map.serialize_entry("date_sent", &time)?;
        }
        map.serialize_entry("id", &self.id)?;
        if let (Some(time), true) = (time, legacy) {
            map.serialize_entry("name", &time)?;
        }
        map.end()
    }
}

/// `message_ids`: the IDs alone.
struct MessageIds<'a>(&'a [MessageRef]);

impl Serialize for MessageIds<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|message| message.id))
    }
}
