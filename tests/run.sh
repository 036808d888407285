#!/usr/bin/env bash
# Runs every test of the workspace: the command README.md gives and .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Unit, integration, snapshot, property, end-to-end and doc tests of every member.
cargo test --workspace --locked

# zulip-hyper's optional features (HTTP/2 through ALPN, tracing spans, native roots), and the
# end-to-end HTTP/2 test against the shared test server.
cargo test -p zulip-hyper --locked --all-features
cargo test -p zulip-tests --locked --features http2 --test e2e_http2

# zulip-types must keep working when serde_json's `arbitrary_precision` feature is enabled
# anywhere in a user's dependency graph.
cargo test -p zulip-types --locked --features serde_json/arbitrary_precision

# zulip-types is sans-IO: no async runtime, TLS or network crate among its normal dependencies.
forbidden='^(tokio|hyper|hyper-util|hyper-rustls|rustls|mio|socket2|reqwest|ureq|async-std|futures|native-tls|openssl) v'
if cargo tree -p zulip-types -e normal --prefix none --locked | grep -E "$forbidden"; then
    echo "zulip-types depends on an I/O crate (above)" >&2
    exit 1
fi
