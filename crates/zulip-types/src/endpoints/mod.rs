//! One module per endpoint, each named after the spec's `operationId`.

pub mod get_attachments;
