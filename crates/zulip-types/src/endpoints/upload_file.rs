//! `POST /api/v1/user_uploads`: uploads one file and gets its URL.
//!
//! The body is `multipart/form-data` with exactly one file part (see [`crate::multipart`]): built
//! whole in memory by [`UploadFile`], or as headers, prefix and suffix around a file the
//! transport streams, by [`StreamedUpload`]. Both give the same bytes for the same boundary.
//!
//! The response went through three shapes (WIRE-NOTES), all read into [`UploadFileResponse`]:
//!
//! | servers | keys |
//! |---|---|
//! | all versions | `uri` (deprecated at feature level 272) |
//! | feature level 272 on | `uri` and `url`, equal |
//! | feature level 285 (or 286; the docs disagree) on | `uri`, `url` and `filename` |
//!
//! Both URLs are **relative** (`/user_uploads/2/ce/.../name.txt`): resolve them with
//! [`UploadFileResponse::absolute_url`].
//!
//! Failures are [`ServerError`]s: `400` "You must specify a file to upload" / "You may only
//! upload one file at a time", `400` "Uploaded file is larger than the allowed limit of N MiB"
//! (25 by default), `400` with code `REALM_UPLOAD_QUOTA`, and above the reverse proxy's limit
//! (80 MiB by default) a `413` **HTML** page; slow uploads may get `502`/`504` HTML.
//! [`UploadRejection::from_server_error`] names them.

use http::{Method, StatusCode};
use serde::{Deserialize, Deserializer};

use crate::api::{ObjectOnly, ResultTag, SuccessBody, parse_success};
use crate::error::ResponseParts;
use crate::upload_path::{UploadPath, UploadPathError, resolve_url};
use crate::{
    Authentication, Boundary, BuildError, Endpoint, ErrorBody, ErrorCode, FeatureLevel, FilePart,
    IncomingResponse, MultipartForm, ParseError, ParseErrorKind, RequestContext, ResponseContext,
    ResponseError, ServerError, Site,
};

/// `POST /api/v1/user_uploads` (operation `upload-file`) with the file's content in memory.
///
/// For large files, stream them instead: [`StreamedUpload`].
///
/// ```
/// use zulip_types::{Boundary, Credentials, Endpoint, RequestContext, Site, UploadFile};
///
/// let context = RequestContext::new(Site::parse("chat.example.com")?)
///     .with_credentials(Credentials::new("iago@zulip.com", "secret"));
/// let request = UploadFile::new("zulip.txt", b"hello".to_vec())
///     .with_boundary(Boundary::new("b0undary")?)
///     .try_into_http_request(&context)?;
/// assert_eq!(request.method(), "POST");
/// assert_eq!(request.uri(), "https://chat.example.com/api/v1/user_uploads");
/// assert_eq!(request.headers()["content-type"], "multipart/form-data; boundary=b0undary");
/// assert_eq!(
///     request.body(),
///     b"--b0undary\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"zulip.txt\"\r\n\
///       Content-Type: text/plain\r\n\r\nhello\r\n--b0undary--\r\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadFile {
    part: FilePart,
    content: Vec<u8>,
    boundary: Option<Boundary>,
}

impl UploadFile {
    /// Uploads `content` as a file named `filename` (any Unicode), its content type guessed from
    /// the extension ([`crate::guess_content_type`]). The boundary is derived from the content
    /// and avoids the part's headers ([`Boundary::for_part`]) unless
    /// [`UploadFile::with_boundary`] sets one.
    #[must_use]
    pub fn new(filename: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        Self::from_part(FilePart::new(filename), content)
    }

    /// Uploads `content` with this part's name and content type.
    #[must_use]
    pub fn from_part(part: FilePart, content: impl Into<Vec<u8>>) -> Self {
        Self {
            part,
            content: content.into(),
            boundary: None,
        }
    }

    /// Sends this content type for the part.
    #[must_use]
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.part = self.part.with_content_type(content_type);
        self
    }

    /// Uses this boundary (checked against the content when the request is built).
    #[must_use]
    pub fn with_boundary(mut self, boundary: Boundary) -> Self {
        self.boundary = Some(boundary);
        self
    }

    /// The part's name and content type.
    #[must_use]
    pub fn part(&self) -> &FilePart {
        &self.part
    }

    /// The file's content.
    #[must_use]
    pub fn content(&self) -> &[u8] {
        &self.content
    }
}

impl Endpoint for UploadFile {
    const NAME: &'static str = "upload-file";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/user_uploads";
    const AUTHENTICATION: Authentication = Authentication::Basic;
    type Response = UploadFileResponse;

    fn try_into_http_request(
        &self,
        context: &RequestContext,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let boundary = match &self.boundary {
            Some(boundary) => boundary.clone(),
            None => Boundary::for_part(&self.part, &self.content)?,
        };
        let form = MultipartForm::new(&self.part, boundary)?;
        let body = form.body(&self.content)?;
        context.build_request(
            Self::NAME,
            Self::METHOD,
            Self::PATH,
            Self::AUTHENTICATION,
            Some((form.content_type(), body)),
        )
    }
}

/// `POST /api/v1/user_uploads` for a file the transport streams: the request's head, and the
/// bytes to send before and after the file's.
///
/// The transport sends [`prefix`](Self::prefix), then exactly
/// [`file_len`](Self::file_len) bytes of the file, then [`suffix`](Self::suffix): in all
/// [`content_length`](Self::content_length) bytes. The boundary must come from a random source
/// (see [`Boundary::from_random_bytes`]): the file is never read to check it.
///
/// ```
/// use zulip_types::{Boundary, Credentials, FilePart, RequestContext, Site, StreamedUpload, UploadFile, Endpoint};
///
/// let context = RequestContext::new(Site::parse("chat.example.com")?)
///     .with_credentials(Credentials::new("iago@zulip.com", "secret"));
/// let boundary = Boundary::from_random_bytes(&[7; 20]);
/// let streamed = StreamedUpload::new(&context, &FilePart::new("big.bin"), boundary.clone(), 3)?;
/// assert_eq!(streamed.head().uri(), "https://chat.example.com/api/v1/user_uploads");
///
/// // The same bytes as the in-memory request.
/// let whole = UploadFile::new("big.bin", b"abc".to_vec()).with_boundary(boundary)
///     .try_into_http_request(&context)?;
/// let streamed_body = [streamed.prefix(), b"abc", streamed.suffix()].concat();
/// assert_eq!(whole.body(), &streamed_body);
/// assert_eq!(streamed.content_length(), streamed_body.len() as u64);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct StreamedUpload {
    head: http::Request<()>,
    form: MultipartForm,
    file_len: u64,
    content_length: u64,
}

impl StreamedUpload {
    /// The request for a file of `file_len` bytes described by `part`.
    ///
    /// # Errors
    /// [`BuildError`]: no credentials, an empty or too long file name, an invalid content type,
    /// a boundary that occurs in the part's headers, or a length that overflows.
    pub fn new(
        context: &RequestContext,
        part: &FilePart,
        boundary: Boundary,
        file_len: u64,
    ) -> Result<Self, BuildError> {
        let form = MultipartForm::new(part, boundary)?;
        let content_length =
            form.content_length(file_len)
                .ok_or_else(|| BuildError::InvalidParameter {
                    name: "filename".to_owned(),
                    reason: "the file is too large".to_owned(),
                })?;
        let request = context.build_request(
            UploadFile::NAME,
            UploadFile::METHOD,
            UploadFile::PATH,
            UploadFile::AUTHENTICATION,
            Some((form.content_type(), Vec::new())),
        )?;
        let (parts, _) = request.into_parts();
        Ok(Self {
            head: http::Request::from_parts(parts, ()),
            form,
            file_len,
            content_length,
        })
    }

    /// Method, URL and headers (`Content-Type` with the boundary; the transport frames the body
    /// with [`content_length`](Self::content_length)).
    #[must_use]
    pub fn head(&self) -> &http::Request<()> {
        &self.head
    }

    /// The bytes before the file's.
    #[must_use]
    pub fn prefix(&self) -> &[u8] {
        self.form.prefix()
    }

    /// The bytes after the file's.
    #[must_use]
    pub fn suffix(&self) -> &[u8] {
        self.form.suffix()
    }

    /// The number of file bytes to send.
    #[must_use]
    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// The body's total length.
    #[must_use]
    pub fn content_length(&self) -> u64 {
        self.content_length
    }

    /// The multipart framing.
    #[must_use]
    pub fn form(&self) -> &MultipartForm {
        &self.form
    }

    /// The head, and the framing to send around the file.
    #[must_use]
    pub fn into_parts(self) -> (http::Request<()>, MultipartForm) {
        (self.head, self.form)
    }
}

/// The success response of [`UploadFile`] and [`StreamedUpload`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadFileResponse {
    /// The file's URL, **relative** to the server root (`/user_uploads/2/ce/.../name.txt`):
    /// `url` (feature level 272 on), else the legacy `uri` (all versions).
    pub url: String,
    /// `filename`: the name the server stored (feature level 285 or 286 on; `None` before).
    pub filename: Option<String>,
    /// `ignored_parameters_unsupported` (feature level 167 on).
    pub ignored_parameters_unsupported: Option<Vec<String>>,
}

impl UploadFileResponse {
    /// A response with this URL.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            filename: None,
            ignored_parameters_unsupported: None,
        }
    }

    /// The absolute URL on `site` (see [`resolve_url`]): the relative URL joined to the root.
    ///
    /// # Errors
    /// [`UploadPathError`] when the URL would leave the site's origin or is not a URL.
    pub fn absolute_url(&self, site: &Site) -> Result<String, UploadPathError> {
        resolve_url(site, &self.url)
    }

    /// The uploaded file's location, e.g. to ask for a temporary URL.
    ///
    /// # Errors
    /// [`UploadPathError`] when the URL is not a `/user_uploads/` URL on `site`.
    pub fn upload_path(&self, site: &Site) -> Result<UploadPath, UploadPathError> {
        UploadPath::from_url(&self.url, site)
    }

    /// The JSON body a server at `level` sends for this response, keys sorted, no whitespace:
    /// `uri` always, `url` from feature level 272, `filename` from 285.
    #[must_use]
    pub fn to_wire_json(&self, level: FeatureLevel) -> Vec<u8> {
        let mut map = super::success_map(level, self.ignored_parameters_unsupported.as_deref());
        map.insert("uri", self.url.clone().into());
        if level >= FeatureLevel::UPLOAD_URL {
            map.insert("url", self.url.clone().into());
        }
        if level >= FeatureLevel::UPLOAD_FILENAME {
            if let Some(filename) = &self.filename {
                map.insert("filename", filename.clone().into());
            }
        }
        super::to_json(&map)
    }
}

impl IncomingResponse for UploadFileResponse {
    fn try_from_http_response<B: AsRef<[u8]>>(
        response: &http::Response<B>,
        _context: &ResponseContext,
    ) -> Result<Self, ResponseError> {
        let raw: RawResponse = parse_success(response)?;
        Self::try_from(raw).map_err(|detail| {
            let error = <serde_json::Error as serde::de::Error>::custom(detail);
            let parts = ResponseParts::new(response);
            ParseError::from_json(ParseErrorKind::Shape, String::new(), &error, &parts).into()
        })
    }
}

/// Reads the body alone (no status or `result` check), from a JSON object only.
impl<'de> Deserialize<'de> for UploadFileResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let ObjectOnly(raw) = ObjectOnly::<RawResponse>::deserialize(deserializer)?;
        Self::try_from(raw).map_err(serde::de::Error::custom)
    }
}

#[derive(Deserialize)]
struct RawResponse {
    #[serde(default)]
    result: ResultTag,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    ignored_parameters_unsupported: Option<Vec<String>>,
}

impl SuccessBody for RawResponse {
    fn result(&self) -> &ResultTag {
        &self.result
    }
}

impl TryFrom<RawResponse> for UploadFileResponse {
    type Error = &'static str;

    fn try_from(raw: RawResponse) -> Result<Self, Self::Error> {
        let url = raw
            .url
            .or(raw.uri)
            .ok_or("missing field `url` (or the legacy `uri`)")?;
        Ok(Self {
            url,
            filename: raw.filename,
            ignored_parameters_unsupported: raw.ignored_parameters_unsupported,
        })
    }
}

/// Why the server refused an upload, read from a [`ServerError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UploadRejection {
    /// `413` from the reverse proxy, an HTML page: the request is larger than its limit (80 MiB
    /// by default). Decided by the status alone.
    ProxyTooLarge,
    /// `502`, `503` or `504` with a body that is not JSON: the proxy gave up (slow uploads).
    ProxyFailure,
    /// `400` "Uploaded file is larger than the allowed limit of N MiB".
    FileTooLarge {
        /// `N`, the server's limit in MiB, when the message says it.
        limit_mib: Option<u64>,
    },
    /// Code `REALM_UPLOAD_QUOTA` (or, before feature level 76, its English message): the
    /// organization's upload quota is used up.
    QuotaExceeded,
    /// `400` "You must specify a file to upload": no part carried a file.
    NoFile,
    /// `400` "You may only upload one file at a time".
    TooManyFiles,
}

impl UploadRejection {
    /// The rejection `error` is, if it is one of these.
    ///
    /// The proxy cases and the quota code are read from the status and the code. The others
    /// share the generic `BAD_REQUEST` (or no code before feature level 76), so the English
    /// `msg` tells them apart; a server answering in another language gives `None` for them.
    ///
    /// ```
    /// use zulip_types::{ServerError, UploadRejection};
    ///
    /// let response = http::Response::builder().status(400).body(
    ///     &br#"{"result":"error","msg":"Uploaded file is larger than the allowed limit of 25 MiB","code":"BAD_REQUEST"}"#[..],
    /// )?;
    /// assert_eq!(
    ///     UploadRejection::from_server_error(&ServerError::from_response(&response)),
    ///     Some(UploadRejection::FileTooLarge { limit_mib: Some(25) })
    /// );
    /// # Ok::<(), http::Error>(())
    /// ```
    #[must_use]
    pub fn from_server_error(error: &ServerError) -> Option<Self> {
        let status = error.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            return Some(Self::ProxyTooLarge);
        }
        if matches!(status.as_u16(), 502..=504) && matches!(error.body(), ErrorBody::NotJson(_)) {
            return Some(Self::ProxyFailure);
        }
        if error.code() == Some(&ErrorCode::RealmUploadQuota) {
            return Some(Self::QuotaExceeded);
        }
        if status != StatusCode::BAD_REQUEST
            || !matches!(error.code(), None | Some(ErrorCode::BadRequest))
        {
            return None;
        }
        let msg = error.msg()?;
        if let Some(rest) = msg.strip_prefix("Uploaded file is larger than the allowed limit of ") {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            return Some(Self::FileTooLarge {
                limit_mib: digits.parse().ok(),
            });
        }
        match msg {
            "Upload would exceed your organization's upload quota." => Some(Self::QuotaExceeded),
            "You must specify a file to upload" => Some(Self::NoFile),
            "You may only upload one file at a time" => Some(Self::TooManyFiles),
            _ => None,
        }
    }
}
