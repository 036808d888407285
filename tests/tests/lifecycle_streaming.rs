//! A 30 MiB file uploaded through zulip-hyper's streaming upload to the test server (in this
//! process), with memory that does not grow with the file: the process's peak resident size
//! (`VmHWM` in `/proc/self/status`) grows by far less than the file, and every chunk handed to
//! the connection is at most the chunk size.
//!
//! Alone in its test binary so that no other test's allocations move the peak.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use zulip_hyper::{Client, FileUpload};
use zulip_test_server::{Preset, ServerConfig, TestServer, User};
use zulip_types::{Credentials, GetAttachments, UploadFile};

const FILE_SIZE: u64 = 30 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;
/// The most the peak may grow: a third of the file. Holding the file anywhere (client body,
/// server buffer) would add at least the whole 30 MiB.
const MAX_GROWTH: u64 = 10 * 1024 * 1024;

/// Peak resident set size of this process, in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// 64-bit FNV-1a over a file, read in chunks.
fn fnv_file(path: &std::path::Path) -> u64 {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path).unwrap();
    let mut buffer = vec![0; CHUNK];
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    loop {
        let n = file.read(&mut buffer).unwrap();
        if n == 0 {
            return hash;
        }
        for &byte in &buffer[..n] {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[test]
fn a_30_mib_upload_is_streamed_with_bounded_memory() {
    let Some(_) = peak_rss() else {
        eprintln!("no /proc/self/status VmHWM here: nothing to measure");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thirty.bin");
    {
        // Written 1 MiB at a time: the test itself never holds the file.
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let block: Vec<u8> = (0..1024 * 1024u32).map(|i| (i % 251) as u8).collect();
        for index in 0..FILE_SIZE / (1024 * 1024) {
            let mut block = block.clone();
            block[0] = index as u8;
            file.write_all(&block).unwrap();
        }
    }
    let server = TestServer::start(
        ServerConfig::preset(Preset::Zulip12_0)
            .user(User::new("iago@zulip.com", "key"))
            .max_file_upload_size_mib(64)
            .max_request_body(64 * 1024 * 1024)
            .log_body_bytes(1024),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let client = Client::builder()
        .site(server.site())
        .credentials(Credentials::new("iago@zulip.com", "key"))
        .build()
        .unwrap();

    runtime.block_on(async {
        // Warm up every path (connection, TLS-free HTTP, parser, storage) with a small upload.
        client
            .send(&UploadFile::new("warm-up.txt", b"warm".to_vec()))
            .await
            .unwrap();
        let before = peak_rss().unwrap();

        let largest_step = Arc::new(AtomicU64::new(0));
        let last = Arc::new(AtomicU64::new(0));
        let (step, previous) = (largest_step.clone(), last.clone());
        let upload = FileUpload::new(&path)
            .chunk_size(CHUNK)
            .on_progress(move |progress| {
                let delta = progress.sent - previous.swap(progress.sent, Ordering::Relaxed);
                step.fetch_max(delta, Ordering::Relaxed);
            });
        let uploaded = client.upload_file(&upload).await.unwrap();

        let growth = peak_rss().unwrap().saturating_sub(before);
        assert!(
            growth < MAX_GROWTH,
            "peak RSS grew by {growth} bytes for a {FILE_SIZE}-byte upload"
        );
        assert_eq!(last.load(Ordering::Relaxed), FILE_SIZE);
        assert!(largest_step.load(Ordering::Relaxed) <= CHUNK as u64);

        // The server got every byte, in order.
        let listed = client.send(&GetAttachments::new()).await.unwrap();
        let attachment = listed
            .attachments
            .iter()
            .find(|a| a.name == "thirty.bin")
            .unwrap();
        assert_eq!(attachment.size, Some(FILE_SIZE));
        let path_id = uploaded.upload_path(client.site()).unwrap().path_id();
        assert_eq!(attachment.path_id, path_id);
        let stored = server.uploaded_file(&path_id).unwrap();
        let stored_path = dir.path().join("stored.bin");
        std::fs::write(&stored_path, stored).unwrap();
        assert_eq!(fnv_file(&stored_path), fnv_file(&path));
    });
}
