//! `tracing` spans when the `tracing` feature is on; nothing at all otherwise.

use std::future::Future;

/// A span: `tracing::Span` with the feature, a zero-sized stand-in without.
#[cfg(feature = "tracing")]
pub(crate) type Span = tracing::Span;

/// A span: `tracing::Span` with the feature, a zero-sized stand-in without.
#[cfg(not(feature = "tracing"))]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Span;

#[cfg(not(feature = "tracing"))]
impl Span {
    pub(crate) fn in_scope<T>(&self, f: impl FnOnce() -> T) -> T {
        f()
    }
}

/// A debug-level span with fields recorded through `Display`.
#[cfg(feature = "tracing")]
macro_rules! span {
    ($name:literal $(, $field:ident = $value:expr)* $(,)?) => {
        tracing::debug_span!($name $(, $field = tracing::field::display(&$value))*)
    };
}

/// A debug-level span with fields recorded through `Display`.
#[cfg(not(feature = "tracing"))]
macro_rules! span {
    ($name:literal $(, $field:ident = $value:expr)* $(,)?) => {{
        $(let _ = &$value;)*
        $crate::trace::Span
    }};
}

pub(crate) use span;

/// Runs `future` inside `span`.
#[cfg(feature = "tracing")]
pub(crate) fn instrument<F: Future>(future: F, span: Span) -> impl Future<Output = F::Output> {
    tracing::Instrument::instrument(future, span)
}

/// Runs `future` inside `span`.
#[cfg(not(feature = "tracing"))]
pub(crate) fn instrument<F: Future>(future: F, _span: Span) -> impl Future<Output = F::Output> {
    future
}
