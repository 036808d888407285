//! Streaming uploads from a file, and learning the server's feature level.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use zulip_types::{
    Boundary, BuildError, FilePart, GetServerSettings, GetServerSettingsResponse, StreamedUpload,
    UploadFile, UploadFileResponse,
};

use crate::body::{FileBody, ProgressFn, RequestBody, UploadProgress};
use crate::client::{Client, Response};
use crate::error::Error;

/// The default read size of a streamed upload: 64 KiB.
pub const DEFAULT_UPLOAD_CHUNK_SIZE: usize = 64 * 1024;

/// A file on disk to upload with [`Client::upload_file`], streamed: the client holds at most
/// one chunk of it at a time, whatever its size.
///
/// ```no_run
/// # async fn example(client: zulip_hyper::Client) -> Result<(), zulip_hyper::Error> {
/// use zulip_hyper::FileUpload;
///
/// let upload = FileUpload::new("report.pdf")
///     .filename("Report – Q3.pdf")
///     .on_progress(|p| eprintln!("{:.0}%", p.fraction() * 100.0));
/// let uploaded = client.upload_file(&upload).await?;
/// println!("{}", uploaded.absolute_url(client.site())?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct FileUpload {
    path: PathBuf,
    filename: Option<String>,
    content_type: Option<Option<String>>,
    progress: Option<ProgressFn>,
    chunk_size: usize,
}

impl FileUpload {
    /// Uploads the file at `path`, named after its last component, its content type guessed
    /// from the extension by zulip-types.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            filename: None,
            content_type: None,
            progress: None,
            chunk_size: DEFAULT_UPLOAD_CHUNK_SIZE,
        }
    }

    /// The name the server stores (any Unicode), instead of the file's own.
    pub fn filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// The part's content type, instead of the guess.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(Some(content_type.into()));
        self
    }

    /// Sends no content type: the server guesses it from the name.
    pub fn without_content_type(mut self) -> Self {
        self.content_type = Some(None);
        self
    }

    /// Calls `progress` after every chunk handed to the connection (from the task driving the
    /// connection: keep it quick).
    pub fn on_progress(
        mut self,
        progress: impl Fn(UploadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// How many bytes are read at a time (1 KiB to 8 MiB; default
    /// [`DEFAULT_UPLOAD_CHUNK_SIZE`]): the most of the file held in memory.
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.clamp(1024, 8 * 1024 * 1024);
        self
    }

    /// The file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn part(&self) -> Result<FilePart, Error> {
        let name = match &self.filename {
            Some(name) => name.clone(),
            None => self
                .path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .ok_or_else(|| BuildError::InvalidParameter {
                    name: "filename".to_owned(),
                    reason: format!("{} has no file name", self.path.display()),
                })?,
        };
        let part = FilePart::new(name);
        Ok(match &self.content_type {
            None => part,
            Some(Some(content_type)) => part.with_content_type(content_type.clone()),
            Some(None) => part.without_content_type(),
        })
    }
}

impl fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileUpload")
            .field("path", &self.path)
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("progress", &self.progress.is_some())
            .field("chunk_size", &self.chunk_size)
            .finish()
    }
}

/// 20 random bytes from the TLS provider's secure random source, for a multipart boundary.
fn random_boundary() -> Boundary {
    let mut bytes = [0_u8; 20];
    let provider = rustls::crypto::ring::default_provider();
    if provider.secure_random.fill(&mut bytes).is_err() {
        // Never expected; std's per-process random hash keys are still unpredictable enough
        // for a boundary.
        use std::hash::{BuildHasher, RandomState};
        for (index, chunk) in bytes.chunks_mut(8).enumerate() {
            let value = RandomState::new().hash_one(index).to_le_bytes();
            for (byte, random) in chunk.iter_mut().zip(value) {
                *byte = random;
            }
        }
    }
    Boundary::from_random_bytes(&bytes)
}

impl Client {
    /// Uploads a file from disk (`POST /user_uploads`), streaming it: the multipart prefix and
    /// suffix come from zulip-types ([`StreamedUpload`]), the file is read in chunks of
    /// [`FileUpload::chunk_size`] between them, so memory does not grow with its size. The
    /// boundary is 160 random bits. The length is taken when the file is opened; a file that
    /// shrinks meanwhile fails the upload. Timeouts, caps and the retry policy apply (a retry
    /// reopens the file).
    ///
    /// Refusals (too large, quota, the proxy's 413 HTML page) are [`Error::Server`]; name them
    /// with [`zulip_types::UploadRejection::from_server_error`].
    ///
    /// # Errors
    /// [`Error::File`] when the file cannot be opened or read, and those of [`Client::send`].
    pub async fn upload_file(&self, upload: &FileUpload) -> Result<UploadFileResponse, Error> {
        Ok(self.upload_file_with_meta(upload).await?.value)
    }

    /// Like [`Client::upload_file`], with the status, headers, rate-limit headers and attempts.
    ///
    /// # Errors
    /// As [`Client::upload_file`].
    pub async fn upload_file_with_meta(
        &self,
        upload: &FileUpload,
    ) -> Result<Response<UploadFileResponse>, Error> {
        let part = upload.part()?;
        let path = upload.path.clone();
        let file_error = |source| Error::File {
            path: path.clone(),
            source,
        };
        let file_len = tokio::fs::metadata(&path).await.map_err(file_error)?.len();
        let streamed =
            StreamedUpload::new(self.request_context(), &part, random_boundary(), file_len)?;
        let (head, form) = streamed.into_parts();
        let prefix = Bytes::copy_from_slice(form.prefix());
        let suffix = Bytes::copy_from_slice(form.suffix());
        let (parts, ()) = head.into_parts();
        let make_body = || async {
            let file = tokio::fs::File::open(&path).await.map_err(file_error)?;
            Ok(RequestBody::File(Box::new(FileBody {
                prefix: Some(prefix.clone()),
                file,
                path: path.clone(),
                remaining: file_len,
                suffix: Some(suffix.clone()),
                chunk: upload.chunk_size,
                buffer: BytesMut::new(),
                sent: 0,
                total: file_len,
                progress: upload.progress.clone(),
            })))
        };
        self.send_parts_with_meta::<UploadFile, _, _>(&parts, make_body)
            .await
    }

    /// Fetches `GET /server_settings` (no credentials sent) and records the server's feature
    /// level with [`Client::set_feature_level`], for this client and its clones: from then on
    /// responses are parsed knowing it (e.g. attachment timestamps in milliseconds or seconds,
    /// without looking at their magnitude). Returns the settings.
    ///
    /// Call it once after building the client; the level is not fetched implicitly, so no
    /// request is ever sent that the caller did not ask for.
    ///
    /// # Errors
    /// As [`Client::send`].
    pub async fn learn_feature_level(&self) -> Result<GetServerSettingsResponse, Error> {
        let settings = self.send(&GetServerSettings::new()).await?;
        self.set_feature_level(Some(settings.zulip_feature_level));
        Ok(settings)
    }
}
