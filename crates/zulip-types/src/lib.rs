#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod api;
mod credentials;
pub mod endpoints;
mod error;
mod error_code;
mod feature_level;
pub mod multipart;
mod rate_limit;
mod redact;
mod site;
mod timestamp;
mod upload_path;
pub mod zuliprc;

pub use api::{
    Authentication, DEFAULT_USER_AGENT, Endpoint, IncomingResponse, RequestContext, ResponseContext,
};
pub use credentials::{ApiKey, Credentials};
pub use endpoints::get_attachments::{
    Attachment, AttachmentRef, AttachmentsGeneration, GetAttachments, GetAttachmentsResponse,
    GetAttachmentsResponseRef, MessageRef, WireAttachments,
};
pub use endpoints::get_file_temporary_url::{
    GetFileTemporaryUrl, GetFileTemporaryUrlResponse, TemporaryUrlRejection,
};
pub use endpoints::get_server_settings::{
    ExternalAuthenticationMethod, GetServerSettings, GetServerSettingsResponse,
};
pub use endpoints::remove_attachment::{
    RemoveAttachment, RemoveAttachmentRejection, RemoveAttachmentResponse,
};
pub use endpoints::upload_file::{StreamedUpload, UploadFile, UploadFileResponse, UploadRejection};
pub use error::{
    BuildError, ErrorBody, ParseError, ParseErrorKind, ResponseError, ServerError, ZulipError,
};
pub use error_code::{ErrorCode, UnknownErrorCode};
pub use feature_level::FeatureLevel;
pub use multipart::{Boundary, FilePart, MultipartForm, encode_filename, guess_content_type};
pub use rate_limit::{RateLimitHeaders, retry_after_header, seconds_to_duration};
pub use redact::{RedactedRequest, redacted};
pub use site::{Site, SiteError, SiteErrorKind};
pub use timestamp::{
    MAX_WIRE_MAGNITUDE, MILLISECONDS_THRESHOLD, TimeUnit, Timestamp, TimestampError, WireNumber,
};
pub use upload_path::{
    MAX_UPLOAD_PATH_LEN, UploadPath, UploadPathError, UploadPathErrorKind, resolve_url,
};
pub use zuliprc::{
    ConfigOptions, PendingConfig, ResolvedConfig, Zuliprc, ZuliprcError, ZuliprcErrorKind,
};
