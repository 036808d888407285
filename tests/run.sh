#!/usr/bin/env bash
# Runs every test of the workspace: the command README.md gives and .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Unit, integration, snapshot, property, end-to-end and doc tests of every member.
cargo test --workspace --locked

# zulip-types must keep working when serde_json's `arbitrary_precision` feature is enabled
# anywhere in a user's dependency graph.
cargo test -p zulip-types --locked --features serde_json/arbitrary_precision
