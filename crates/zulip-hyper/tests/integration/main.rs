//! Integration tests of zulip-hyper against small servers of its own on 127.0.0.1.

mod config;
mod secrets;
mod support;
mod tls;
mod transport;
