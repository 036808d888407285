//! Request bodies: bytes built by zulip-types, or a multipart prefix, a file read in fixed-size
//! chunks, and a suffix.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, ReadBuf};

use crate::error::BoxError;

/// How far an upload has come: file bytes handed to the connection, out of the file's length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UploadProgress {
    /// File bytes read and handed to the connection so far.
    pub sent: u64,
    /// The file's length.
    pub total: u64,
}

impl UploadProgress {
    /// `sent / total` between 0.0 and 1.0 (1.0 for an empty file).
    #[must_use]
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.sent as f64 / self.total as f64
        }
    }
}

/// A progress callback, called after every chunk.
pub(crate) type ProgressFn = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// The body of every request the client sends.
pub(crate) enum RequestBody {
    Full(Option<Bytes>),
    File(Box<FileBody>),
}

impl RequestBody {
    pub(crate) fn full(bytes: Bytes) -> Self {
        Self::Full((!bytes.is_empty()).then_some(bytes))
    }
}

impl fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(bytes) => f
                .debug_tuple("Full")
                .field(&bytes.as_ref().map_or(0, Bytes::len))
                .finish(),
            Self::File(file) => f
                .debug_struct("File")
                .field("path", &file.path)
                .field("remaining", &file.remaining)
                .finish_non_exhaustive(),
        }
    }
}

/// A multipart prefix, exactly `remaining` bytes of a file read `chunk` bytes at a time, and a
/// suffix. At most one chunk is held: the next is read only when the connection asks for it.
pub(crate) struct FileBody {
    pub(crate) prefix: Option<Bytes>,
    pub(crate) file: tokio::fs::File,
    pub(crate) path: PathBuf,
    pub(crate) remaining: u64,
    pub(crate) suffix: Option<Bytes>,
    pub(crate) chunk: usize,
    pub(crate) buffer: BytesMut,
    pub(crate) sent: u64,
    pub(crate) total: u64,
    pub(crate) progress: Option<ProgressFn>,
}

impl FileBody {
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Result<Bytes, BoxError>> {
        let want = usize::try_from(self.remaining)
            .unwrap_or(usize::MAX)
            .min(self.chunk);
        if self.buffer.len() != want {
            self.buffer.clear();
            self.buffer.resize(want, 0);
        }
        let Some(space) = self.buffer.get_mut(..want) else {
            return Poll::Ready(Err("upload buffer too small".into()));
        };
        let mut read = ReadBuf::new(space);
        match Pin::new(&mut self.file).poll_read(cx, &mut read) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(error)) => Poll::Ready(Err(Box::new(error))),
            Poll::Ready(Ok(())) => {
                let n = read.filled().len();
                if n == 0 {
                    let error = io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "{} shrank while it was uploaded ({} of {} bytes sent)",
                            self.path.display(),
                            self.sent,
                            self.total
                        ),
                    );
                    return Poll::Ready(Err(Box::new(error)));
                }
                let chunk = self.buffer.split_to(n).freeze();
                self.remaining -= n as u64;
                self.sent += n as u64;
                if let Some(progress) = &self.progress {
                    progress(UploadProgress {
                        sent: self.sent,
                        total: self.total,
                    });
                }
                Poll::Ready(Ok(chunk))
            }
        }
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.get_mut() {
            Self::Full(bytes) => Poll::Ready(bytes.take().map(|bytes| Ok(Frame::data(bytes)))),
            Self::File(file) => {
                if let Some(prefix) = file.prefix.take() {
                    return Poll::Ready(Some(Ok(Frame::data(prefix))));
                }
                if file.remaining > 0 {
                    return file
                        .poll_chunk(cx)
                        .map(|chunk| Some(chunk.map(Frame::data)));
                }
                Poll::Ready(file.suffix.take().map(|suffix| Ok(Frame::data(suffix))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Full(bytes) => bytes.is_none(),
            Self::File(file) => {
                file.prefix.is_none() && file.remaining == 0 && file.suffix.is_none()
            }
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Self::File(file) => {
                let framing = file.prefix.as_ref().map_or(0, Bytes::len)
                    + file.suffix.as_ref().map_or(0, Bytes::len);
                SizeHint::with_exact(file.remaining.saturating_add(framing as u64))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use http_body_util::BodyExt;

    use super::*;

    async fn file_body(content: &[u8], chunk: usize, progress: Option<ProgressFn>) -> RequestBody {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        std::fs::write(&path, content).unwrap();
        let file = tokio::fs::File::open(&path).await.unwrap();
        // The open file stays readable after the directory is removed (Unix).
        let body = RequestBody::File(Box::new(FileBody {
            prefix: Some(Bytes::from_static(b"<prefix>")),
            file,
            path,
            remaining: content.len() as u64,
            suffix: Some(Bytes::from_static(b"<suffix>")),
            chunk,
            buffer: BytesMut::new(),
            sent: 0,
            total: content.len() as u64,
            progress,
        }));
        drop(dir);
        body
    }

    #[tokio::test]
    async fn frames_are_prefix_chunks_and_suffix_never_larger_than_a_chunk() {
        let content: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let recorder = seen.clone();
        let progress: ProgressFn = Arc::new(move |p| recorder.lock().unwrap().push(p));
        let mut body = file_body(&content, 1024, Some(progress)).await;
        assert_eq!(body.size_hint().exact(), Some(10_000 + 16));
        let mut frames = Vec::new();
        while let Some(frame) = body.frame().await {
            frames.push(frame.unwrap().into_data().unwrap());
        }
        assert!(body.is_end_stream());
        assert_eq!(frames.first().unwrap(), &b"<prefix>"[..]);
        assert_eq!(frames.last().unwrap(), &b"<suffix>"[..]);
        let middle = &frames[1..frames.len() - 1];
        assert!(
            middle
                .iter()
                .all(|chunk| !chunk.is_empty() && chunk.len() <= 1024)
        );
        assert_eq!(middle.concat(), content);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), middle.len());
        assert!(seen.windows(2).all(|w| w[0].sent < w[1].sent));
        assert_eq!(
            seen.last(),
            Some(&UploadProgress {
                sent: 10_000,
                total: 10_000
            })
        );
    }

    #[tokio::test]
    async fn a_file_shorter_than_announced_is_an_error() {
        let mut body = file_body(b"abc", 1024, None).await;
        if let RequestBody::File(file) = &mut body {
            file.remaining = 10;
            file.total = 10;
        }
        let mut error = None;
        while let Some(frame) = body.frame().await {
            if let Err(e) = frame {
                error = Some(e);
                break;
            }
        }
        let error = error.expect("an error");
        assert!(error.to_string().contains("shrank"), "{error}");
    }
}
