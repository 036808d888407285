//! One module per endpoint, each named after the spec's `operationId`.

use std::collections::BTreeMap;

use http::Method;

use crate::{Authentication, Endpoint, FeatureLevel};

pub mod get_attachments;
pub mod get_file_temporary_url;
pub mod get_server_settings;
pub mod remove_attachment;
pub mod upload_file;

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
    vec![
        EndpointInfo::of::<get_attachments::GetAttachments>(),
        EndpointInfo::of::<remove_attachment::RemoveAttachment>(),
        EndpointInfo::of::<upload_file::UploadFile>(),
        EndpointInfo::of::<get_file_temporary_url::GetFileTemporaryUrl>(),
        EndpointInfo::of::<get_server_settings::GetServerSettings>(),
    ]
}

/// A success body's keys, sorted whatever serde_json's features: `msg`, `result`, and
/// `ignored_parameters_unsupported` when `level` sends it.
fn success_map(
    level: FeatureLevel,
    ignored: Option<&[String]>,
) -> BTreeMap<&'static str, serde_json::Value> {
    let mut map = BTreeMap::new();
    if let (Some(ignored), true) = (
        ignored,
        level >= FeatureLevel::IGNORED_PARAMETERS_UNSUPPORTED,
    ) {
        map.insert("ignored_parameters_unsupported", ignored.to_vec().into());
    }
    map.insert("msg", "".into());
    map.insert("result", "success".into());
    map
}

/// Compact JSON of a sorted map.
fn to_json(map: &BTreeMap<&'static str, serde_json::Value>) -> Vec<u8> {
    // Serializing plain data into a Vec cannot fail.
    serde_json::to_vec(map).unwrap_or_default()
}
