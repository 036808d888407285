//! The hot path of reading a `GET /attachments` success body.
//!
//! The derived `RawResponse` / `RawAttachment` / `RawMessage` in the parent module are the
//! reference: they define what is accepted and every error message. This module reads the same
//! bodies faster, and only ever answers "here is the value the reference would give" or "ask
//! the reference" (`None`): any error, an unusual shape it does not take (a struct written as a
//! JSON array, a `result` other than `"success"`, a body that is not UTF-8), and the caller falls
//! back to the reference parse, which then decides (and explains). So a value comes out of here
//! only when the reference would give the same value; errors are the reference's, unchanged.
//!
//! What makes it faster than the derives, and than a plain serde_json struct:
//!
//! - the body is checked to be UTF-8 once and read with `serde_json::from_str`'s reader, which
//!   does not validate every string again (serde_json's `from_slice` runs `from_utf8` on each);
//! - timestamps get the unit of the server's feature level as they are read, instead of in a
//!   second pass over every attachment and message;
//! - message lists are collected in one scratch vector reused across attachments and then
//!   copied into an allocation of exactly their length (no growth, no slack: a `Vec` grown one
//!   element at a time starts at capacity 4);
//! - names and paths can be borrowed from the body ([`Text`] for `Cow<str>`), for
//!   [`GetAttachmentsResponseRef`](super::GetAttachmentsResponseRef).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};

use super::MessageRef;
use crate::api::ResultTag;
use crate::{TimeUnit, Timestamp, WireNumber};

/// A string field: an owned `String`, or a `Cow` that borrows from the body when the JSON
/// string has no escapes.
pub(super) trait Text<'de>: Sized {
    fn read<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

impl<'de> Text<'de> for String {
    fn read<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)
    }
}

impl<'de> Text<'de> for Cow<'de, str> {
    fn read<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CowVisitor;
        impl<'de> Visitor<'de> for CowVisitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(value))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(value.to_owned()))
            }
            fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(value))
            }
        }
        deserializer.deserialize_str(CowVisitor)
    }
}

/// The fields of one attachment, with its strings as `S`.
pub(super) struct Parts<S> {
    pub(super) id: u64,
    pub(super) name: S,
    pub(super) path_id: S,
    pub(super) size: Option<u64>,
    pub(super) create_time: Option<Timestamp>,
    pub(super) messages: Vec<MessageRef>,
}

/// An attachment type built from [`Parts`]: `Attachment` or `AttachmentRef`.
pub(super) trait FromParts<'de> {
    type Text: Text<'de>;
    fn from_parts(parts: Parts<Self::Text>) -> Self;
}

/// A success body read by the fast path.
pub(super) struct Body<A> {
    pub(super) attachments: Vec<A>,
    pub(super) upload_space_used: Option<u64>,
    pub(super) ignored_parameters_unsupported: Option<Vec<String>>,
}

/// Reads `body` when it is a `"result": "success"` body the reference parse would read to the
/// same value; `None` leaves the decision to the reference parse. `unit`: the unit of every
/// timestamp when the server's feature level is known, else `None` (by magnitude).
pub(super) fn read<'de, A: FromParts<'de>>(
    body: &'de [u8],
    unit: Option<TimeUnit>,
) -> Option<Body<A>> {
    // One validation of the whole body; serde_json's `from_slice` reader would validate every
    // string again. Invalid UTF-8 anywhere is an error for the reference parse too.
    let text = std::str::from_utf8(body).ok()?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut scratch = Vec::new();
    let (result, body) = BodySeed {
        unit,
        scratch: &mut scratch,
        marker: PhantomData,
    }
    .deserialize(&mut deserializer)
    .ok()?;
    deserializer.end().ok()?;
    (result == ResultTag::Success).then_some(body)
}

/// Reads `Option<Timestamp>` (`create_time`, `date_sent`) in one step, in the known unit if any.
///
/// The reference reads `Option<Timestamp>`: `null` is `None`, anything else goes through
/// `serde_json::Number` to `Timestamp::from_number`. Here the number arrives through
/// `deserialize_any` straight as `u64`, `i64` or `f64` (what `Number` would hold, and
/// `from_number` would take apart again), or, when serde_json's `arbitrary_precision` feature is
/// on, as the map that represents a number then, which is read as `Number` exactly as the
/// reference does. Any other JSON is an error, as it is for the reference.
struct TimeSeed {
    unit: Option<TimeUnit>,
}

impl<'de> DeserializeSeed<'de> for TimeSeed {
    type Value = Option<Timestamp>;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TimeSeed {
    type Value = Option<Timestamp>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON number or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    #[inline]
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        match i64::try_from(value) {
            Ok(value) => self.visit_i64(value),
            // What `from_number` says of a `Number` above `i64::MAX`.
            Err(_) => Timestamp::from_number(&Number::from(value), self.unit)
                .map(Some)
                .map_err(E::custom),
        }
    }

    #[inline]
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        Timestamp::from_wire(WireNumber::Integer(value), self.unit)
            .map(Some)
            .map_err(E::custom)
    }

    #[inline]
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        Timestamp::from_wire(WireNumber::Float(value), self.unit)
            .map(Some)
            .map_err(E::custom)
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
        let number = Number::deserialize(MapAccessDeserializer::new(map))?;
        Timestamp::from_number(&number, self.unit)
            .map(Some)
            .map_err(de::Error::custom)
    }
}

/// The legacy message key `name`: a send time when it is a number, `None` for anything else.
///
/// The reference reads a `serde_json::Value` and looks whether it is a number. Here numbers and
/// scalars are taken as they come, and only arrays and objects are read as a `Value` (to consume
/// and check them exactly as the reference does; with `arbitrary_precision`, a number is such an
/// object and becomes a `Value::Number`).
struct LegacyNameSeed {
    unit: Option<TimeUnit>,
}

impl<'de> DeserializeSeed<'de> for LegacyNameSeed {
    type Value = Option<Timestamp>;
    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl LegacyNameSeed {
    fn number<E: de::Error>(self, number: Option<Number>) -> Result<Option<Timestamp>, E> {
        match number {
            Some(number) => Timestamp::from_number(&number, self.unit)
                .map(Some)
                .map_err(E::custom),
            None => Ok(None),
        }
    }

    fn value<E: de::Error>(self, value: Value) -> Result<Option<Timestamp>, E> {
        match value {
            Value::Number(number) => self.number(Some(number)),
            _ => Ok(None),
        }
    }
}

impl<'de> Visitor<'de> for LegacyNameSeed {
    type Value = Option<Timestamp>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    #[inline]
    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        TimeSeed { unit: self.unit }.visit_u64(value)
    }

    #[inline]
    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        TimeSeed { unit: self.unit }.visit_i64(value)
    }

    #[inline]
    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        // `Value` keeps a non-finite float as `Null` (serde_json never parses one).
        self.number(Number::from_f64(value))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, seq: S) -> Result<Self::Value, S::Error> {
        self.value(Value::deserialize(SeqAccessDeserializer::new(seq))?)
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
        self.value(Value::deserialize(MapAccessDeserializer::new(map))?)
    }
}

/// An object's keys, identified without allocating; any other key is `Other` (ignored).
macro_rules! keys {
    ($name:ident { $($text:literal => $variant:ident),* $(,)? }) => {
        enum $name {
            $($variant,)*
            Other,
        }

        impl<'de> Deserialize<'de> for $name {
            #[inline]
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct KeyVisitor;
                impl Visitor<'_> for KeyVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a field name")
                    }
                    #[inline]
                    fn visit_str<E: de::Error>(self, value: &str) -> Result<$name, E> {
                        Ok(match value {
                            $($text => $name::$variant,)*
                            _ => $name::Other,
                        })
                    }
                }
                deserializer.deserialize_identifier(KeyVisitor)
            }
        }
    };
}

keys!(BodyKey {
    "result" => Result,
    "attachments" => Attachments,
    "upload_space_used" => UploadSpaceUsed,
    "ignored_parameters_unsupported" => IgnoredParameters,
});

keys!(AttachmentKey {
    "id" => Id,
    "name" => Name,
    "path_id" => PathId,
    "size" => Size,
    "create_time" => CreateTime,
    "messages" => Messages,
    "message_ids" => MessageIds,
});

keys!(MessageKey {
    "id" => Id,
    "date_sent" => DateSent,
    "name" => Name,
});

/// Sets `slot` once; a second occurrence is an error, as in the derived reference.
fn once<T, E: de::Error>(slot: &mut Option<T>, field: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(field));
    }
    *slot = Some(value);
    Ok(())
}

struct BodySeed<'s, A> {
    unit: Option<TimeUnit>,
    scratch: &'s mut Vec<MessageRef>,
    marker: PhantomData<A>,
}

impl<'de, A: FromParts<'de>> DeserializeSeed<'de> for BodySeed<'_, A> {
    type Value = (ResultTag, Body<A>);
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, A: FromParts<'de>> Visitor<'de> for BodySeed<'_, A> {
    type Value = (ResultTag, Body<A>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a GET /attachments response")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut result = None;
        let mut attachments = None;
        let mut upload_space_used = None;
        let mut ignored = None;
        while let Some(key) = map.next_key::<BodyKey>()? {
            match key {
                BodyKey::Result => once(&mut result, "result", map.next_value::<ResultTag>()?)?,
                BodyKey::Attachments => {
                    let seed = AttachmentsSeed {
                        unit: self.unit,
                        scratch: &mut *self.scratch,
                        marker: PhantomData,
                    };
                    once(&mut attachments, "attachments", map.next_value_seed(seed)?)?;
                }
                BodyKey::UploadSpaceUsed => once(
                    &mut upload_space_used,
                    "upload_space_used",
                    map.next_value::<Option<u64>>()?,
                )?,
                BodyKey::IgnoredParameters => once(
                    &mut ignored,
                    "ignored_parameters_unsupported",
                    map.next_value::<Option<Vec<String>>>()?,
                )?,
                BodyKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let attachments = attachments.ok_or_else(|| de::Error::missing_field("attachments"))?;
        Ok((
            result.unwrap_or_default(),
            Body {
                attachments,
                upload_space_used: upload_space_used.flatten(),
                ignored_parameters_unsupported: ignored.flatten(),
            },
        ))
    }
}

struct AttachmentsSeed<'s, A> {
    unit: Option<TimeUnit>,
    scratch: &'s mut Vec<MessageRef>,
    marker: PhantomData<A>,
}

impl<'de, A: FromParts<'de>> DeserializeSeed<'de> for AttachmentsSeed<'_, A> {
    type Value = Vec<A>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, A: FromParts<'de>> Visitor<'de> for AttachmentsSeed<'_, A> {
    type Value = Vec<A>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of attachments")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let mut attachments = Vec::new();
        while let Some(parts) = seq.next_element_seed(AttachmentSeed {
            unit: self.unit,
            scratch: &mut *self.scratch,
            marker: PhantomData::<A::Text>,
        })? {
            attachments.push(A::from_parts(parts));
        }
        Ok(attachments)
    }
}

struct AttachmentSeed<'s, S> {
    unit: Option<TimeUnit>,
    scratch: &'s mut Vec<MessageRef>,
    marker: PhantomData<S>,
}

impl<'de, S: Text<'de>> DeserializeSeed<'de> for AttachmentSeed<'_, S> {
    type Value = Parts<S>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// A [`Text`] read as a map value.
struct TextValue<S>(S);

impl<'de, S: Text<'de>> Deserialize<'de> for TextValue<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        S::read(deserializer).map(TextValue)
    }
}

impl<'de, S: Text<'de>> Visitor<'de> for AttachmentSeed<'_, S> {
    type Value = Parts<S>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an attachment")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut id = None;
        let mut name = None;
        let mut path_id = None;
        let mut size = None;
        let mut create_time = None;
        let mut messages = None;
        let mut message_ids = None;
        while let Some(key) = map.next_key::<AttachmentKey>()? {
            match key {
                AttachmentKey::Id => once(&mut id, "id", map.next_value::<u64>()?)?,
                AttachmentKey::Name => {
                    once(&mut name, "name", map.next_value::<TextValue<S>>()?.0)?;
                }
                AttachmentKey::PathId => {
                    once(&mut path_id, "path_id", map.next_value::<TextValue<S>>()?.0)?;
                }
                AttachmentKey::Size => once(&mut size, "size", map.next_value::<Option<u64>>()?)?,
                AttachmentKey::CreateTime => {
                    let time = map.next_value_seed(TimeSeed { unit: self.unit })?;
                    once(&mut create_time, "create_time", time)?;
                }
                AttachmentKey::Messages => {
                    let seed = MessagesSeed {
                        unit: self.unit,
                        scratch: &mut *self.scratch,
                    };
                    once(&mut messages, "messages", map.next_value_seed(seed)?)?;
                }
                AttachmentKey::MessageIds => {
                    let seed = MessageIdsSeed {
                        scratch: &mut *self.scratch,
                    };
                    once(&mut message_ids, "message_ids", map.next_value_seed(seed)?)?;
                }
                AttachmentKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Parts {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            name: name.ok_or_else(|| de::Error::missing_field("name"))?,
            path_id: path_id.ok_or_else(|| de::Error::missing_field("path_id"))?,
            size: size.flatten(),
            create_time: create_time.flatten(),
            // `messages` carries send times; preferred if a server ever sends both.
            messages: messages
                .flatten()
                .or(message_ids.flatten())
                .unwrap_or_default(),
        })
    }
}

/// Moves the collected messages into an allocation of exactly their number.
fn take(scratch: &mut Vec<MessageRef>) -> Vec<MessageRef> {
    let messages = scratch.as_slice().to_vec();
    scratch.clear();
    messages
}

/// `messages`: `null` or an array of message objects.
struct MessagesSeed<'s> {
    unit: Option<TimeUnit>,
    scratch: &'s mut Vec<MessageRef>,
}

impl<'de> DeserializeSeed<'de> for MessagesSeed<'_> {
    type Value = Option<Vec<MessageRef>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for MessagesSeed<'_> {
    type Value = Option<Vec<MessageRef>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of messages or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        self.scratch.clear();
        while let Some(message) = seq.next_element_seed(MessageSeed { unit: self.unit })? {
            self.scratch.push(message);
        }
        Ok(Some(take(self.scratch)))
    }
}

/// `message_ids`: `null` or an array of IDs (the reference's `message_ids` reader).
struct MessageIdsSeed<'s> {
    scratch: &'s mut Vec<MessageRef>,
}

impl<'de> DeserializeSeed<'de> for MessageIdsSeed<'_> {
    type Value = Option<Vec<MessageRef>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MessageIdsSeed<'_> {
    type Value = Option<Vec<MessageRef>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of message IDs")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        self.scratch.clear();
        while let Some(id) = seq.next_element::<u64>()? {
            self.scratch.push(MessageRef::new(id));
        }
        Ok(Some(take(self.scratch)))
    }
}

/// One message object.
struct MessageSeed {
    unit: Option<TimeUnit>,
}

impl<'de> DeserializeSeed<'de> for MessageSeed {
    type Value = MessageRef;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for MessageSeed {
    type Value = MessageRef;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a message")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut id = None;
        let mut date_sent = None;
        let mut name = None;
        while let Some(key) = map.next_key::<MessageKey>()? {
            match key {
                MessageKey::Id => once(&mut id, "id", map.next_value::<u64>()?)?,
                MessageKey::DateSent => once(
                    &mut date_sent,
                    "date_sent",
                    map.next_value_seed(TimeSeed { unit: self.unit })?,
                )?,
                MessageKey::Name => once(
                    &mut name,
                    "name",
                    map.next_value_seed(LegacyNameSeed { unit: self.unit })?,
                )?,
                MessageKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(MessageRef {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            date_sent: date_sent.flatten().or(name.flatten()),
        })
    }
}
