//! One module per endpoint, each named after the spec's `operationId`.

use http::Method;

use crate::{Authentication, Endpoint};

pub mod get_attachments;

/// An endpoint's metadata, readable without a value of it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointInfo {
    /// The spec's `operationId`, e.g. `get-attachments`.
    pub name: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template below `/api/v1`, as the spec writes it.
    pub path: &'static str,
    /// How it authenticates.
    pub authentication: Authentication,
}

impl EndpointInfo {
    /// The metadata of `E`.
    #[must_use]
    pub fn of<E: Endpoint>() -> Self {
        Self {
            name: E::NAME,
            method: E::METHOD,
            path: E::PATH,
            authentication: E::AUTHENTICATION,
        }
    }
}

/// Every endpoint this crate models: the one list that conformance tests and fuzzers read.
///
/// ```
/// let names: Vec<_> = zulip_types::endpoints::all().iter().map(|e| e.name).collect();
/// assert!(names.contains(&"get-attachments"));
/// ```
#[must_use]
pub fn all() -> Vec<EndpointInfo> {
    vec![EndpointInfo::of::<get_attachments::GetAttachments>()]
}
