//! The server's data model, independent of any wire generation.

/// A file a user uploaded, as the server stores it. Each generation renders it differently
/// (see [`wire::attachment`](crate::wire::attachment)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// Attachment id.
    pub id: u64,
    /// The file name as uploaded: any Unicode, may contain spaces, quotes, backslashes, `[`, `]`.
    pub name: String,
    /// `{realm_id}/{xx}/{random}/{sanitized name}`; the file is served at `/user_uploads/{path_id}`.
    pub path_id: String,
    /// Size in bytes. `None` only makes sense for G1 (legacy rows, rendered `null`); G2 and later
    /// render `None` as `0`, G0 has no size at all.
    pub size: Option<u64>,
    /// Upload time, whole UNIX seconds (servers derive every wire form from whole seconds).
    pub create_time: i64,
    /// Messages referencing the file (may be empty).
    pub messages: Vec<SentMessage>,
}

/// A message that references an attachment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentMessage {
    /// Message id.
    pub id: u64,
    /// Send time, whole UNIX seconds.
    pub date_sent: i64,
}

impl Attachment {
    /// An attachment with no messages.
    pub fn new(
        id: u64,
        name: impl Into<String>,
        path_id: impl Into<String>,
        size: Option<u64>,
        create_time: i64,
    ) -> Attachment {
        Attachment {
            id,
            name: name.into(),
            path_id: path_id.into(),
            size,
            create_time,
            messages: Vec::new(),
        }
    }

    /// Adds a referencing message.
    pub fn with_message(mut self, id: u64, date_sent: i64) -> Attachment {
        self.messages.push(SentMessage { id, date_sent });
        self
    }

    /// The realm id at the start of `path_id`, if it is numeric.
    pub fn realm_id(&self) -> Option<u64> {
        self.path_id.split('/').next()?.parse().ok()
    }
}
