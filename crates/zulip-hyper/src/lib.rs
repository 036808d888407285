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
#![cfg_attr(docsrs, feature(doc_cfg))]

mod body;
mod client;
mod config;
mod connector;
mod error;
mod retry;
mod tls;
mod trace;
mod upload;

pub use body::UploadProgress;
pub use client::{
    Client, ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_SIZE,
    DEFAULT_MAX_ERROR_BODY_SIZE, DEFAULT_POOL_IDLE_TIMEOUT, DEFAULT_REQUEST_TIMEOUT,
    DEFAULT_USER_AGENT, Response,
};
pub use config::Config;
pub use error::{ConfigError, Error, TimeoutPhase, TransportError};
pub use retry::RetryPolicy;
pub use upload::{DEFAULT_UPLOAD_CHUNK_SIZE, FileUpload};

/// The sans-IO crate this transport drives, re-exported so one dependency is enough.
pub use zulip_types;
pub use zulip_types::ConfigOptions;

/// The `rustls` crate, re-exported for [`ClientBuilder::tls_config`].
pub use rustls;
