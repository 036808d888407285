//! [`GetAttachmentsResponseRef`]: the response with names and paths borrowed from the body.

use std::borrow::Cow;

use super::fast::{self, FromParts, Parts};
use super::{Attachment, GetAttachmentsResponse, MessageRef, RawResponse};
use crate::api::parse_success_or;
use crate::{ResponseContext, ResponseError, TimeUnit, Timestamp};

/// The success response of [`GetAttachments`](super::GetAttachments), borrowing file names and
/// paths from the body where the JSON has them without escapes.
///
/// For callers that keep the body anyway (a large response is tens of MB): reading it allocates
/// no string for a name or path written plainly, which is faster (no copy, fewer allocations)
/// and holds less memory. A string with escapes (`\"`, `\\`, `\u00e9` — servers before Zulip 3.0
/// escape every non-ASCII character, and `/` as `\/`) is unescaped into an owned `String`, so
/// the values are always the same as [`GetAttachmentsResponse`]'s: only where they live differs.
/// Status, `result`, timestamps, units and errors are exactly those of
/// [`GetAttachmentsResponse::try_from_http_response`](crate::IncomingResponse::try_from_http_response).
///
/// ```
/// use std::borrow::Cow;
/// use zulip_types::{GetAttachmentsResponse, GetAttachmentsResponseRef, ResponseContext};
///
/// let body = br#"{"result":"success","msg":"","attachments":[{"id":1,"name":"r\u00e9sum\u00e9.pdf",
///     "path_id":"2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/resume.pdf","size":571946,
///     "create_time":1588145417,"message_ids":[102,103]}],"upload_space_used":571946}"#;
/// let response = http::Response::builder().status(200).body(&body[..])?;
/// let parsed = GetAttachmentsResponseRef::try_from_http_response(&response, &ResponseContext::new())?;
///
/// let attachment = &parsed.attachments[0];
/// // No escapes: a slice of `body`.
/// assert!(matches!(attachment.path_id, Cow::Borrowed("2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/resume.pdf")));
/// // `\u00e9` had to be unescaped: an owned string.
/// assert!(matches!(&attachment.name, Cow::Owned(name) if name == "résumé.pdf"));
/// assert_eq!(attachment.message_ids().collect::<Vec<_>>(), [102, 103]);
///
/// // The same values as the owned parse; `into_owned` when the body must go.
/// let owned: GetAttachmentsResponse = parsed.into_owned();
/// assert_eq!(owned.attachments[0].name, "résumé.pdf");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetAttachmentsResponseRef<'a> {
    /// `attachments`: every file the user uploaded, in no defined order.
    pub attachments: Vec<AttachmentRef<'a>>,
    /// `upload_space_used`: bytes used by the uploads of **all** users of the organization.
    /// Absent before Zulip 2.1.
    pub upload_space_used: Option<u64>,
    /// `ignored_parameters_unsupported`: request parameters the server ignored (feature level
    /// 167 on; any success response may carry it).
    pub ignored_parameters_unsupported: Option<Vec<String>>,
}

impl<'a> GetAttachmentsResponseRef<'a> {
    /// Reads a response, borrowing from its body: the same checks, values and errors as
    /// [`GetAttachmentsResponse`]'s [`IncomingResponse`](crate::IncomingResponse) implementation.
    ///
    /// # Errors
    /// [`ResponseError::Server`] or [`ResponseError::Parse`].
    pub fn try_from_http_response<B: AsRef<[u8]>>(
        response: &'a http::Response<B>,
        context: &ResponseContext,
    ) -> Result<Self, ResponseError> {
        let unit = context.feature_level.map(TimeUnit::for_attachments_at);
        parse_success_or(
            response,
            |body| {
                fast::read::<AttachmentRef<'a>>(body, unit).map(|body| Self {
                    attachments: body.attachments,
                    upload_space_used: body.upload_space_used,
                    ignored_parameters_unsupported: body.ignored_parameters_unsupported,
                })
            },
            |raw: RawResponse| Self::from(GetAttachmentsResponse::from_raw(raw, unit)),
        )
    }

    /// The response with every string owned, independent of the body.
    #[must_use]
    pub fn into_owned(self) -> GetAttachmentsResponse {
        GetAttachmentsResponse {
            attachments: self
                .attachments
                .into_iter()
                .map(AttachmentRef::into_owned)
                .collect(),
            upload_space_used: self.upload_space_used,
            ignored_parameters_unsupported: self.ignored_parameters_unsupported,
        }
    }
}

impl From<GetAttachmentsResponseRef<'_>> for GetAttachmentsResponse {
    fn from(response: GetAttachmentsResponseRef<'_>) -> Self {
        response.into_owned()
    }
}

/// Every string owned (`Cow::Owned`).
impl From<GetAttachmentsResponse> for GetAttachmentsResponseRef<'_> {
    fn from(response: GetAttachmentsResponse) -> Self {
        Self {
            attachments: response
                .attachments
                .into_iter()
                .map(AttachmentRef::from)
                .collect(),
            upload_space_used: response.upload_space_used,
            ignored_parameters_unsupported: response.ignored_parameters_unsupported,
        }
    }
}

/// Equal when every value is, wherever the strings live.
impl PartialEq<GetAttachmentsResponse> for GetAttachmentsResponseRef<'_> {
    fn eq(&self, other: &GetAttachmentsResponse) -> bool {
        self.attachments == other.attachments
            && self.upload_space_used == other.upload_space_used
            && self.ignored_parameters_unsupported == other.ignored_parameters_unsupported
    }
}

/// An [`Attachment`] whose name and path may borrow from the response body.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AttachmentRef<'a> {
    /// `id`: the attachment's ID (what `DELETE /attachments/{attachment_id}` takes).
    pub id: u64,
    /// `name`: the file name, any Unicode; borrowed unless the JSON string has escapes.
    pub name: Cow<'a, str>,
    /// `path_id`: where the file lives (`{server root}/user_uploads/{path_id}`); borrowed unless
    /// the JSON string has escapes (servers before Zulip 3.0 write `/` as `\/`).
    pub path_id: Cow<'a, str>,
    /// `size` in bytes. Absent in Zulip 1.6; may be `null` before Zulip 3.0.
    pub size: Option<u64>,
    /// `create_time`: when it was uploaded (see [`Attachment::create_time`]).
    pub create_time: Option<Timestamp>,
    /// The messages referencing the file (see [`Attachment::messages`]).
    pub messages: Vec<MessageRef>,
}

impl AttachmentRef<'_> {
    /// The IDs of the messages referencing the file, on every generation.
    pub fn message_ids(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.messages.iter().map(|message| message.id)
    }

    /// The attachment with its strings owned.
    #[must_use]
    pub fn into_owned(self) -> Attachment {
        Attachment {
            id: self.id,
            name: self.name.into_owned(),
            path_id: self.path_id.into_owned(),
            size: self.size,
            create_time: self.create_time,
            messages: self.messages,
        }
    }
}

impl From<AttachmentRef<'_>> for Attachment {
    fn from(attachment: AttachmentRef<'_>) -> Self {
        attachment.into_owned()
    }
}

/// Its strings owned (`Cow::Owned`).
impl From<Attachment> for AttachmentRef<'_> {
    fn from(attachment: Attachment) -> Self {
        Self {
            id: attachment.id,
            name: Cow::Owned(attachment.name),
            path_id: Cow::Owned(attachment.path_id),
            size: attachment.size,
            create_time: attachment.create_time,
            messages: attachment.messages,
        }
    }
}

/// Equal when every value is, wherever the strings live.
impl PartialEq<Attachment> for AttachmentRef<'_> {
    fn eq(&self, other: &Attachment) -> bool {
        self.id == other.id
            && self.name == other.name
            && self.path_id == other.path_id
            && self.size == other.size
            && self.create_time == other.create_time
            && self.messages == other.messages
    }
}

impl<'a> FromParts<'a> for AttachmentRef<'a> {
    type Text = Cow<'a, str>;
    fn from_parts(parts: Parts<Cow<'a, str>>) -> Self {
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
