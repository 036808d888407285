//! `DELETE /api/v1/attachments/{attachment_id}`: deletes a file the user uploaded.
//!
//! Success is `{"result":"success","msg":""}`. A missing attachment **and** one the user does not
//! own both give `400 {"result":"error","msg":"Invalid attachment","code":"BAD_REQUEST"}` (no
//! `code` before feature level 76); a storage failure gives another `BAD_REQUEST`. Both are
//! [`ServerError`]s, told apart by [`RemoveAttachmentRejection::from_server_error`]. Exists since
//! Zulip 1.6.
//!
//! ```
//! use zulip_types::{IncomingResponse, RemoveAttachmentRejection, RemoveAttachmentResponse, ResponseContext};
//!
//! let response = http::Response::builder()
//!     .status(400)
//!     .header("content-type", "application/json")
//!     .body(&br#"{"result":"error","msg":"Invalid attachment","code":"BAD_REQUEST"}"#[..])?;
//! let error = RemoveAttachmentResponse::try_from_http_response(&response, &ResponseContext::new())
//!     .unwrap_err();
//! let server = error.as_server().unwrap();
//! assert_eq!(
//!     RemoveAttachmentRejection::from_server_error(server),
//!     Some(RemoveAttachmentRejection::InvalidAttachment)
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use http::{Method, StatusCode};
use serde::Deserialize;

use crate::api::{ObjectOnly, ResultTag, SuccessBody, parse_success};
use crate::{
    Authentication, BuildError, Endpoint, ErrorCode, FeatureLevel, IncomingResponse,
    RequestContext, ResponseContext, ResponseError, ServerError,
};

/// `DELETE /api/v1/attachments/{attachment_id}` (operation `remove-attachment`, Zulip 1.6 and
/// later).
///
/// ```
/// use zulip_types::{Credentials, Endpoint, RemoveAttachment, RequestContext, Site};
///
/// let context = RequestContext::new(Site::parse("chat.example.com")?)
///     .with_credentials(Credentials::new("iago@zulip.com", "secret"));
/// let request = RemoveAttachment::new(1).try_into_http_request(&context)?;
/// assert_eq!(request.method(), "DELETE");
/// assert_eq!(request.uri(), "https://chat.example.com/api/v1/attachments/1");
/// assert!(request.body().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RemoveAttachment {
    /// `attachment_id` (path): the attachment's `id` from `GET /attachments`.
    pub attachment_id: u64,
}

impl RemoveAttachment {
    /// Deletes the attachment with this ID.
    #[must_use]
    pub const fn new(attachment_id: u64) -> Self {
        Self { attachment_id }
    }
}

impl Endpoint for RemoveAttachment {
    const NAME: &'static str = "remove-attachment";
    const METHOD: Method = Method::DELETE;
    const PATH: &'static str = "/attachments/{attachment_id}";
    const AUTHENTICATION: Authentication = Authentication::Basic;
    type Response = RemoveAttachmentResponse;

    fn try_into_http_request(
        &self,
        context: &RequestContext,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        context.build_request(
            Self::NAME,
            Self::METHOD,
            &format!("/attachments/{}", self.attachment_id),
            Self::AUTHENTICATION,
            None,
        )
    }
}

/// The success response of [`RemoveAttachment`]: nothing but the success itself. Its
/// `Deserialize` reads the body alone (no status or `result` check), from a JSON object only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "ObjectOnly<RawResponse>")]
#[non_exhaustive]
pub struct RemoveAttachmentResponse {
    /// `ignored_parameters_unsupported` (feature level 167 on).
    pub ignored_parameters_unsupported: Option<Vec<String>>,
}

impl RemoveAttachmentResponse {
    /// An empty success.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            ignored_parameters_unsupported: None,
        }
    }

    /// The JSON body a server at `level` sends for this response, keys sorted, no whitespace.
    #[must_use]
    pub fn to_wire_json(&self, level: FeatureLevel) -> Vec<u8> {
        super::to_json(&super::success_map(
            level,
            self.ignored_parameters_unsupported.as_deref(),
        ))
    }
}

impl IncomingResponse for RemoveAttachmentResponse {
    fn try_from_http_response<B: AsRef<[u8]>>(
        response: &http::Response<B>,
        _context: &ResponseContext,
    ) -> Result<Self, ResponseError> {
        let raw: RawResponse = parse_success(response)?;
        Ok(ObjectOnly(raw).into())
    }
}

#[derive(Deserialize)]
struct RawResponse {
    #[serde(default)]
    result: ResultTag,
    #[serde(default)]
    ignored_parameters_unsupported: Option<Vec<String>>,
}

impl SuccessBody for RawResponse {
    fn result(&self) -> &ResultTag {
        &self.result
    }
}

impl From<ObjectOnly<RawResponse>> for RemoveAttachmentResponse {
    fn from(ObjectOnly(raw): ObjectOnly<RawResponse>) -> Self {
        Self {
            ignored_parameters_unsupported: raw.ignored_parameters_unsupported,
        }
    }
}

/// Why the server refused to delete an attachment, read from a [`ServerError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RemoveAttachmentRejection {
    /// `400 "Invalid attachment"`: no attachment with this ID, **or** one the user does not own
    /// (Zulip does not tell them apart).
    InvalidAttachment,
    /// `400 "An error occurred while deleting the attachment. Please try again later."`: the
    /// storage backend failed; retrying later may work.
    StorageFailure,
}

impl RemoveAttachmentRejection {
    /// The rejection `error` is, if it is one of these.
    ///
    /// Both are `400` with code `BAD_REQUEST` (or no code before feature level 76), so only the
    /// English `msg` tells them apart: a server answering in another language gives `None` and
    /// the error stays a plain [`ServerError`].
    #[must_use]
    pub fn from_server_error(error: &ServerError) -> Option<Self> {
        if error.status() != StatusCode::BAD_REQUEST {
            return None;
        }
        if !matches!(error.code(), None | Some(ErrorCode::BadRequest)) {
            return None;
        }
        match error.msg()? {
            "Invalid attachment" => Some(Self::InvalidAttachment),
            msg if msg.starts_with("An error occurred while deleting the attachment") => {
                Some(Self::StorageFailure)
            }
            _ => None,
        }
    }
}
