//! The test server as a standalone process, for clients in other languages (the Python
//! comparison in `tests/perf/python_client.sh`).
//!
//! ```sh
//! cargo run --release -p zulip-test-server --example serve -- \
//!     [--generation G0..G4] [--attachments N] [--seed S] [--no-rate-limit] [--lifetime SECONDS]
//! ```
//!
//! Listens on 127.0.0.1 on an ephemeral port and prints one line, `SITE http://127.0.0.1:PORT`,
//! then serves the demo user ([`DEMO_EMAIL`] / [`DEMO_API_KEY`]) owning `N` attachments of
//! [`sample::many_attachments`] (`0`, the default: the 14 of [`sample::user_attachments`]) made
//! from `--seed`, as the canonical server of `--generation` (default G4: Zulip 12.0). It stops
//! when its standard input reaches end of file (the parent closed the pipe or exited) or after
//! `--lifetime` seconds (default 600), whichever comes first.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::Duration;

use zulip_test_server::{
    DEMO_API_KEY, DEMO_EMAIL, Generation, ServerConfig, TestServer, User, sample,
};

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    let at = args.iter().position(|arg| arg == name)?;
    args.get(at + 1).map(String::as_str)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let generation = match arg(&args, "--generation").unwrap_or("G4") {
        "G0" => Generation::G0,
        "G1" => Generation::G1,
        "G2" => Generation::G2,
        "G3" => Generation::G3,
        "G4" => Generation::G4,
        other => {
            eprintln!("serve: unknown generation {other} (G0 .. G4)");
            std::process::exit(2);
        }
    };
    let number = |name: &str, default: u64| -> u64 {
        match arg(&args, name).map(str::parse) {
            None => default,
            Some(Ok(value)) => value,
            Some(Err(_)) => {
                eprintln!("serve: {name} takes a number");
                std::process::exit(2);
            }
        }
    };
    let count = number("--attachments", 0);
    let seed = number("--seed", 1);
    let lifetime = Duration::from_secs(number("--lifetime", 600));

    let attachments = match count {
        0 => sample::user_attachments(seed),
        n => sample::many_attachments(usize::try_from(n).unwrap_or(usize::MAX), seed),
    };
    let mut config = ServerConfig::generation(generation)
        .user(User::new(DEMO_EMAIL, DEMO_API_KEY).with_attachments(attachments));
    if args.iter().any(|arg| arg == "--no-rate-limit") {
        config = config.rate_limit(None);
    }
    let server = TestServer::start(config);
    println!("SITE {}", server.site());
    let _ = std::io::stdout().flush();

    // Stop at end of input, or when the lifetime is over.
    let (done, stopped) = mpsc::channel();
    std::thread::spawn(move || {
        let mut sink = [0u8; 256];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        let _ = done.send(());
    });
    let _ = stopped.recv_timeout(lifetime);
    eprintln!("serve: stopping after {} requests", server.request_count());
    server.shutdown();
}
