//! With the `tracing` feature: spans for build / request / connect / send / receive / parse,
//! the insecure-mode warning as an event, and no API key in any recorded field.
//!
//! A test binary of its own: `tracing` caches callsite interest per process, and thread-local
//! subscribers of tests running in parallel would disturb each other.
#![cfg(feature = "tracing")]

#[allow(dead_code)]
#[path = "integration/support.rs"]
mod support;

use std::fmt::{Debug, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};
use zulip_hyper::Client;
use zulip_hyper::zulip_types::{Credentials, GetAttachments};

use support::{API_KEY, ATTACHMENTS, EMAIL, TestServer, json};

/// Records span names with their fields, and events.
#[derive(Clone, Default)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut line = format!("span {}", span.metadata().name());
        span.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
        Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut line = "record".to_owned();
        values.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = format!("event {}", event.metadata().level());
        event.record(&mut Fields(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn spans_cover_every_phase_and_never_hold_the_key() {
    let recorder = Recorder::default();
    let _guard = tracing::subscriber::set_default(recorder.clone());
    let server = TestServer::start(|_| json(200, ATTACHMENTS)).await;
    let client = Client::builder()
        .site(server.url())
        .credentials(Credentials::new(EMAIL, API_KEY))
        .build()
        .unwrap();
    client.send(&GetAttachments::new()).await.unwrap();
    let _ = Client::builder()
        .site("https://127.0.0.1:1")
        .insecure(true)
        .build()
        .unwrap();

    let lines = recorder.lines.lock().unwrap().clone();
    let text = lines.join("\n");
    for name in [
        "zulip.build",
        "zulip.request",
        "zulip.connect",
        "zulip.send",
        "zulip.receive",
        "zulip.parse",
    ] {
        assert!(
            text.contains(&format!("span {name}")),
            "{name} missing from:\n{text}"
        );
    }
    assert!(text.contains("endpoint=get-attachments"), "{text}");
    assert!(text.contains("status=200"), "{text}");
    assert!(
        text.contains("event WARN") && text.contains("insecure mode enabled"),
        "{text}"
    );
    assert!(!text.contains(API_KEY), "{text}");
    assert!(!text.to_lowercase().contains("authorization"), "{text}");
}
