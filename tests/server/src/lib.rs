//! Test server (filled by the transport issue).
