//! The response body type: a full buffer, a streamed padding body, or a body that stalls.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Response, StatusCode};
use http_body::{Body, Frame, SizeHint};

/// What handlers answer with.
pub(crate) type Reply = Response<ResponseBody>;

const CHUNK: usize = 64 * 1024;

fn filler() -> Bytes {
    static FILLER: OnceLock<Bytes> = OnceLock::new();
    FILLER
        .get_or_init(|| Bytes::from(vec![b'x'; CHUNK]))
        .clone()
}

/// A response body.
#[derive(Debug)]
pub(crate) struct ResponseBody {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Full(Option<Bytes>),
    Padding {
        prefix: Option<Bytes>,
        remaining: u64,
        suffix: Option<Bytes>,
        exact: bool,
    },
    Stall(Option<Bytes>),
    /// A file read from disk in `CHUNK`s as the connection asks for them.
    File {
        file: std::fs::File,
        remaining: u64,
    },
}

impl ResponseBody {
    pub(crate) fn empty() -> ResponseBody {
        ResponseBody {
            kind: Kind::Full(None),
        }
    }

    pub(crate) fn full(bytes: impl Into<Bytes>) -> ResponseBody {
        let bytes = bytes.into();
        ResponseBody {
            kind: Kind::Full((!bytes.is_empty()).then_some(bytes)),
        }
    }

    /// `{"result":"success","msg":"","padding":"xxx…"}` of exactly `size` bytes, streamed.
    pub(crate) fn padding(size: u64, exact: bool) -> ResponseBody {
        const PREFIX: &[u8] = br#"{"result":"success","msg":"","padding":""#;
        const SUFFIX: &[u8] = br#""}"#;
        let frame = (PREFIX.len() + SUFFIX.len()) as u64;
        if size < frame {
            let cut = PREFIX.get(..size as usize).unwrap_or(PREFIX);
            let mut body = ResponseBody::full(Bytes::from_static(cut));
            if !exact {
                // Keep the "no length" promise even for tiny bodies.
                if let Kind::Full(bytes) = body.kind {
                    body.kind = Kind::Padding {
                        prefix: bytes,
                        remaining: 0,
                        suffix: None,
                        exact: false,
                    };
                }
            }
            return body;
        }
        ResponseBody {
            kind: Kind::Padding {
                prefix: Some(Bytes::from_static(PREFIX)),
                remaining: size - frame,
                suffix: Some(Bytes::from_static(SUFFIX)),
                exact,
            },
        }
    }

    /// The `size` bytes of `file`, read in 64 KiB chunks (a short file ends the body early).
    pub(crate) fn file(file: std::fs::File, size: u64) -> ResponseBody {
        ResponseBody {
            kind: Kind::File {
                file,
                remaining: size,
            },
        }
    }

    /// Sends `first` and then never ends.
    pub(crate) fn stall(first: Bytes) -> ResponseBody {
        ResponseBody {
            kind: Kind::Stall(Some(first)),
        }
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let frame = match &mut self.kind {
            Kind::Full(bytes) => bytes.take(),
            Kind::Padding {
                prefix,
                remaining,
                suffix,
                ..
            } => {
                if let Some(prefix) = prefix.take() {
                    Some(prefix)
                } else if *remaining > 0 {
                    let n = (*remaining).min(CHUNK as u64);
                    *remaining -= n;
                    Some(filler().slice(..n as usize))
                } else {
                    suffix.take()
                }
            }
            Kind::File { file, remaining } => {
                use std::io::Read as _;
                if *remaining == 0 {
                    None
                } else {
                    let want = (*remaining).min(CHUNK as u64) as usize;
                    let mut buffer = vec![0; want];
                    match file.read(&mut buffer) {
                        Ok(n) if n > 0 => {
                            buffer.truncate(n);
                            *remaining -= n as u64;
                            Some(Bytes::from(buffer))
                        }
                        _ => {
                            *remaining = 0;
                            None
                        }
                    }
                }
            }
            Kind::Stall(first) => match first.take() {
                Some(first) => Some(first),
                // Never woken: the connection stays open until the client or the server's
                // shutdown drops it.
                None => return Poll::Pending,
            },
        };
        Poll::Ready(frame.map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(bytes) => bytes.is_none(),
            Kind::Padding {
                prefix,
                remaining,
                suffix,
                ..
            } => prefix.is_none() && *remaining == 0 && suffix.is_none(),
            Kind::Stall(_) => false,
            Kind::File { remaining, .. } => *remaining == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Padding {
                prefix,
                remaining,
                suffix,
                exact: true,
            } => SizeHint::with_exact(
                prefix.as_ref().map_or(0, |b| b.len() as u64)
                    + remaining
                    + suffix.as_ref().map_or(0, |b| b.len() as u64),
            ),
            Kind::File { remaining, .. } => SizeHint::with_exact(*remaining),
            Kind::Padding { .. } | Kind::Stall(_) => SizeHint::default(),
        }
    }
}

/// A response with `status`, `Content-Type: content_type` and `body`.
pub(crate) fn with_body(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Reply {
    let mut response = Response::new(ResponseBody::full(body));
    *response.status_mut() = status_code(status);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// A JSON response (`Content-Type: application/json`).
pub(crate) fn json(status: u16, body: impl Into<Bytes>) -> Reply {
    with_body(status, "application/json", body)
}

/// An HTML response (`Content-Type: text/html; charset=utf-8`, like Django).
pub(crate) fn html(status: u16, body: impl Into<Bytes>) -> Reply {
    with_body(status, "text/html; charset=utf-8", body)
}

pub(crate) fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
