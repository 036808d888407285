//! `path_id` and upload URLs: whatever they hold, the URLs built from them stay on the site's
//! origin and under its `/user_uploads/`.
//!
//! Each hostile form of WIRE-NOTES and the issue (`..`, `//host`, `%2e%2e`, backslashes,
//! absolute URLs, control characters) has a test, and properties check the promise for any
//! input against an independent, browser-like reading of the resulting URL.

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use zulip_types::{Site, UploadPath, UploadPathErrorKind as Kind, resolve_url};

fn site() -> Site {
    Site::parse("https://chat.example.com").unwrap()
}

fn path_id_error(path_id: &str) -> Kind {
    match UploadPath::from_path_id(path_id) {
        Ok(path) => panic!("{path_id:?} was accepted as {path:?}"),
        Err(error) => error.kind(),
    }
}

fn url_error(url: &str) -> Kind {
    match UploadPath::from_url(url, &site()) {
        Ok(path) => panic!("{url:?} was accepted as {path:?}"),
        Err(error) => error.kind(),
    }
}

#[test]
fn real_path_ids_become_file_urls() {
    let cases = [
        (
            "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
            "https://chat.example.com/user_uploads/2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
        ),
        (
            "2/4e/m2A3MSqFnWRLUf9SaPzQ0Up_/Résumé-2020.pdf",
            "https://chat.example.com/user_uploads/2/4e/m2A3MSqFnWRLUf9SaPzQ0Up_/R%C3%A9sum%C3%A9-2020.pdf",
        ),
        (
            "unk/ab/c d[1].txt",
            "https://chat.example.com/user_uploads/unk/ab/c%20d%5B1%5D.txt",
        ),
    ];
    for (path_id, url) in cases {
        let path = UploadPath::from_path_id(path_id).unwrap();
        assert_eq!(path.file_url(&site()), url);
        assert_eq!(path.path_id(), path_id);
        assert_eq!(UploadPath::from_url(url, &site()).unwrap(), path, "{url}");
    }
}

#[test]
fn dot_dot_segments_are_rejected() {
    for path_id in [
        "2/../../etc/passwd",
        "2/ab/..",
        "../2/a.txt",
        "2/./a.txt",
        "2/ab/.",
    ] {
        let kind = path_id_error(path_id);
        assert!(
            matches!(kind, Kind::DotSegment | Kind::InvalidRealm),
            "{path_id}: {kind:?}"
        );
    }
    assert_eq!(path_id_error("2/a/../b"), Kind::DotSegment);
    assert_eq!(url_error("/user_uploads/2/a/../b"), Kind::DotSegment);
}

#[test]
fn protocol_relative_and_empty_segments_are_rejected() {
    assert_eq!(path_id_error("//evil.example/x"), Kind::EmptySegment);
    assert_eq!(path_id_error("2//evil.example/x"), Kind::EmptySegment);
    assert_eq!(path_id_error("/2/a.txt"), Kind::EmptySegment);
    assert_eq!(path_id_error("2/a.txt/"), Kind::EmptySegment);
    assert_eq!(path_id_error(""), Kind::Empty);
    assert_eq!(path_id_error("2"), Kind::MissingFilename);
    assert_eq!(
        url_error("//evil.example/user_uploads/2/a.txt"),
        Kind::InvalidUrl
    );
    assert_eq!(
        resolve_url(&site(), "//evil.example/x").unwrap_err().kind(),
        Kind::InvalidUrl
    );
}

#[test]
fn encoded_dots_are_contained_in_path_ids_and_rejected_in_urls() {
    // In a path_id `%` is a literal character: it is encoded, so the server reads it back as
    // the literal name `%2e%2e`, never as `..`.
    let path = UploadPath::from_path_id("2/%2e%2e/%2E%2e/passwd").unwrap();
    let url = path.file_url(&site());
    assert_eq!(
        url,
        "https://chat.example.com/user_uploads/2/%252e%252e/%252E%252e/passwd"
    );
    assert_eq!(browser_path(&url).unwrap().len(), 5, "{url}");
    // In a URL, segments are decoded once: `%2e%2e` is `..`.
    for url in [
        "/user_uploads/2/%2e%2e/passwd",
        "/user_uploads/2/%2E%2E/passwd",
        "/user_uploads/2/.%2e/passwd",
        "/user_uploads/2/%2e/passwd",
        "https://chat.example.com/user_uploads/2/a/%2e%2e/%2e%2e/x",
    ] {
        assert_eq!(url_error(url), Kind::DotSegment, "{url}");
    }
    assert_eq!(
        url_error("/user_uploads/2/a%2F..%2Fb"),
        Kind::EncodedSeparator
    );
    assert_eq!(
        url_error("/user_uploads/2/a%zz"),
        Kind::InvalidPercentEncoding
    );
    assert_eq!(
        url_error("/user_uploads/2/a%C3"),
        Kind::InvalidPercentEncoding
    );
}

#[test]
fn backslashes_are_rejected() {
    assert_eq!(path_id_error("2/..\\..\\etc"), Kind::Backslash);
    assert_eq!(path_id_error("2/a\\b.txt"), Kind::Backslash);
    assert_eq!(url_error("/user_uploads/2/a\\b"), Kind::Backslash);
    assert_eq!(
        url_error("/\\evil.example/user_uploads/2/a"),
        Kind::Backslash
    );
    assert_eq!(url_error("/user_uploads/2/a%5Cb"), Kind::Backslash);
    assert_eq!(url_error("/user_uploads/2/%5C%5Cevil"), Kind::Backslash);
    assert_eq!(
        resolve_url(&site(), "/\\evil.example").unwrap_err().kind(),
        Kind::Backslash
    );
}

#[test]
fn absolute_urls_are_contained_or_checked_for_origin() {
    // In a path_id, an absolute URL is text: its `//` is an empty segment.
    assert_eq!(path_id_error("https://evil.example/x"), Kind::InvalidRealm);
    assert_eq!(
        path_id_error("2/https://evil.example/x"),
        Kind::EmptySegment
    );
    let path = UploadPath::from_path_id("2/https:/evil.example").unwrap();
    assert_eq!(
        path.file_url(&site()),
        "https://chat.example.com/user_uploads/2/https%3A/evil.example"
    );
    // As a URL: the same origin only.
    let same = [
        "https://chat.example.com/user_uploads/2/a/b.txt",
        "HTTPS://CHAT.EXAMPLE.COM/user_uploads/2/a/b.txt",
        "https://chat.example.com:443/user_uploads/2/a/b.txt",
    ];
    for url in same {
        assert_eq!(
            UploadPath::from_url(url, &site()).unwrap().path_id(),
            "2/a/b.txt",
            "{url}"
        );
    }
    for url in [
        "https://evil.example/user_uploads/2/a/b.txt",
        "http://chat.example.com/user_uploads/2/a/b.txt",
        "https://chat.example.com:8443/user_uploads/2/a/b.txt",
        "https://chat.example.com.evil.example/user_uploads/2/a/b.txt",
        "https://chat.example.com@evil.example/user_uploads/2/a/b.txt",
        "https://user:pw@chat.example.com/user_uploads/2/a/b.txt",
    ] {
        assert_eq!(url_error(url), Kind::OtherOrigin, "{url}");
    }
    for url in [
        "javascript:alert(1)",
        "ftp://chat.example.com/user_uploads/2/a",
        "user_uploads/2/a/b.txt",
        "data:text/plain,hi",
    ] {
        assert_eq!(url_error(url), Kind::InvalidUrl, "{url}");
    }
    assert_eq!(
        url_error("https://chat.example.com/static/x.png"),
        Kind::NotUserUploads
    );
    assert_eq!(
        url_error("/user_uploads/temporary/ABCD/x.png"),
        Kind::InvalidRealm
    );
    assert_eq!(
        url_error("/user_uploads/2/a.txt?x=1"),
        Kind::QueryOrFragment
    );
    assert_eq!(
        url_error("/user_uploads/2/a.txt#top"),
        Kind::QueryOrFragment
    );
}

#[test]
fn control_characters_are_rejected() {
    for path_id in [
        "2/a\nb",
        "2/a\rb",
        "2/a\0b",
        "2/a\u{7f}b",
        "2/a\u{85}b",
        "2/a\tb",
    ] {
        assert_eq!(
            path_id_error(path_id),
            Kind::ControlCharacter,
            "{path_id:?}"
        );
    }
    assert_eq!(url_error("/user_uploads/2/a%0Ab"), Kind::ControlCharacter);
    assert_eq!(url_error("/user_uploads/2/a%00b"), Kind::ControlCharacter);
}

#[test]
fn realms_are_digits_or_unk() {
    assert_eq!(path_id_error("x/a.txt"), Kind::InvalidRealm);
    assert_eq!(path_id_error("2a/a.txt"), Kind::InvalidRealm);
    assert_eq!(path_id_error("-1/a.txt"), Kind::InvalidRealm);
    assert_eq!(path_id_error("UNK/a.txt"), Kind::InvalidRealm);
    assert!(UploadPath::from_path_id("0/a").is_ok());
}

#[test]
fn sizes_are_bounded() {
    let long = format!("2/{}", "a".repeat(9000));
    assert_eq!(path_id_error(&long), Kind::TooLong);
    let many = format!("2/{}", ["a"; 100].join("/"));
    assert_eq!(path_id_error(&many), Kind::TooLong);
}

#[test]
fn returned_urls_are_resolved_against_the_root() {
    let prefixed = Site::parse("https://example.com/zulip").unwrap();
    assert_eq!(
        resolve_url(&prefixed, "/user_uploads/temporary/AB12/zulip.txt").unwrap(),
        "https://example.com/zulip/user_uploads/temporary/AB12/zulip.txt"
    );
    assert_eq!(
        resolve_url(&site(), "/user_uploads/2/ab/xyz/Résumé 1.pdf").unwrap(),
        "https://chat.example.com/user_uploads/2/ab/xyz/R%C3%A9sum%C3%A9%201.pdf"
    );
    assert_eq!(
        resolve_url(&site(), "https://chat.example.com/user_uploads/x?a=1").unwrap(),
        "https://chat.example.com/user_uploads/x?a=1"
    );
    for (url, kind) in [
        ("", Kind::Empty),
        ("https://evil.example/user_uploads/x", Kind::OtherOrigin),
        ("user_uploads/x", Kind::InvalidUrl),
        ("/user_uploads/../../x", Kind::DotSegment),
        ("/user_uploads/%2e%2e/x", Kind::DotSegment),
        ("/user_uploads/x\r\nSet-Cookie: a", Kind::ControlCharacter),
    ] {
        assert_eq!(
            resolve_url(&site(), url).unwrap_err().kind(),
            kind,
            "{url:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

/// The path segments a browser would request for `url` (WHATWG URL rules for special schemes:
/// `\` is a separator, `%2e` is a dot in dot segments, dot segments are removed), or `None` when
/// `url` is not on the test site's origin.
fn browser_path(url: &str) -> Option<Vec<String>> {
    let rest = url.strip_prefix("https://chat.example.com")?;
    if !rest.starts_with('/') && !rest.starts_with('\\') {
        return None;
    }
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    let segments: Vec<&str> = path.split(['/', '\\']).skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (index, segment) in segments.into_iter().enumerate() {
        let lower = segment.to_ascii_lowercase();
        let dots = lower.replace("%2e", ".");
        match dots.as_str() {
            "." => {
                if index == last {
                    out.push(String::new());
                }
            }
            ".." => {
                out.pop();
                if index == last {
                    out.push(String::new());
                }
            }
            _ => out.push(segment.to_owned()),
        }
    }
    Some(out)
}

fn hostile_text() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "/",
        "//",
        "..",
        ".",
        "%2e",
        "%2E%2e",
        "\\",
        "%5c",
        "%2f",
        "?",
        "#",
        ":",
        "@",
        "https:",
        "evil.example",
        "2",
        "unk",
        "a",
        "é",
        "%",
        "%%",
        " ",
        "\n",
        "\u{0}",
        "😀",
        "%00",
    ]);
    prop_oneof![
        prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat()),
        prop::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        "[0-9]{1,3}/[a-z0-9%./\\\\]{0,12}/[^/]{0,12}",
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1024,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/upload_path.txt",
        ))),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn file_urls_never_leave_the_origin_or_user_uploads(input in hostile_text()) {
        if let Ok(path) = UploadPath::from_path_id(&input) {
            let url = path.file_url(&site());
            prop_assert!(url.starts_with("https://chat.example.com/user_uploads/"), "{}", url);
            let tail = &url["https://chat.example.com".len()..];
            prop_assert!(
                tail.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%/".contains(&b)),
                "{}", url
            );
            prop_assert!(url.parse::<http::Uri>().is_ok(), "{}", url);
            // A browser requests exactly the segments written: no dot segment collapses.
            let segments = browser_path(&url).unwrap();
            prop_assert_eq!(segments.first().map(String::as_str), Some("user_uploads"));
            prop_assert_eq!(segments.len(), 2 + path.segments().len());
            // And the URL reads back as the same file.
            prop_assert_eq!(UploadPath::from_url(&url, &site()).unwrap(), path);
        }
    }

    #[test]
    fn urls_read_as_paths_are_safe(input in hostile_text()) {
        for candidate in [
            input.clone(),
            format!("/user_uploads/{input}"),
            format!("https://chat.example.com/user_uploads/{input}"),
        ] {
            if let Ok(path) = UploadPath::from_url(&candidate, &site()) {
                for segment in path.segments() {
                    prop_assert!(segment != "." && segment != ".." && !segment.is_empty());
                    prop_assert!(!segment.contains(['/', '\\']));
                    prop_assert!(!segment.chars().any(char::is_control));
                }
                let url = path.file_url(&site());
                prop_assert_eq!(browser_path(&url).unwrap().len(), 2 + path.segments().len());
            }
        }
    }

    #[test]
    fn resolved_urls_stay_on_the_origin(input in hostile_text()) {
        for candidate in [input.clone(), format!("/{input}"), format!("https://chat.example.com/{input}")] {
            if let Ok(url) = resolve_url(&site(), &candidate) {
                prop_assert!(url.starts_with("https://chat.example.com/"), "{}", url);
                prop_assert!(url.parse::<http::Uri>().is_ok(), "{}", url);
                let uri: http::Uri = url.parse().unwrap();
                prop_assert_eq!(uri.authority().map(|a| a.as_str()), Some("chat.example.com"));
            }
        }
    }
}
