//! Transport (filled by the transport issue).
