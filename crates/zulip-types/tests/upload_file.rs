//! `POST /user_uploads`: the multipart request (in memory and streamed), the response's three
//! shapes (tests/fixtures/upload-file), and its errors.

mod common;

use std::fmt::Write as _;

use common::{fixture_bytes, fixture_names, ok_json, parse_http};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use zulip_types::{
    Boundary, BuildError, Credentials, Endpoint, FeatureLevel, FilePart, IncomingResponse,
    MultipartForm, ParseErrorKind, RequestContext, ResponseContext, ResponseError, Site,
    StreamedUpload, UploadFile, UploadFileResponse, UploadRejection, redacted,
};

const EMAIL: &str = "iago@zulip.com";
const API_KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";

fn context() -> RequestContext {
    RequestContext::new(Site::parse("chat.example.com").unwrap())
        .with_credentials(Credentials::new(EMAIL, API_KEY))
        .with_user_agent("zulip-types-tests/1.0 (snapshot)")
        .unwrap()
}

/// One part of a multipart body, read by this test's own parser.
#[derive(Debug, PartialEq)]
struct Part {
    headers: Vec<(String, String)>,
    content: Vec<u8>,
}

/// Splits a `multipart/form-data` body by RFC 2046's rules, independently of the crate.
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    let first = format!("--{boundary}\r\n").into_bytes();
    if !body.starts_with(&first) {
        return Err("no opening boundary".into());
    }
    let mut rest = &body[first.len()..];
    let mut parts = Vec::new();
    loop {
        let head_end = rest
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or("no end of part headers")?;
        let head = std::str::from_utf8(&rest[..head_end]).map_err(|e| e.to_string())?;
        let headers = head
            .split("\r\n")
            .map(|line| {
                let (name, value) = line
                    .split_once(": ")
                    .ok_or(format!("bad header {line:?}"))?;
                Ok((name.to_owned(), value.to_owned()))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let content_start = head_end + 4;
        let end = rest[content_start..]
            .windows(delimiter.len())
            .position(|w| w == delimiter)
            .ok_or("no closing delimiter")?;
        parts.push(Part {
            headers,
            content: rest[content_start..content_start + end].to_vec(),
        });
        rest = &rest[content_start + end + delimiter.len()..];
        if rest == b"--\r\n" {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("garbage after a delimiter")?;
    }
}

/// `filename="..."` of a Content-Disposition value, and the percent-decoded name.
fn disposition_filename(value: &str) -> (String, String) {
    let raw = value
        .split("; ")
        .find_map(|param| param.strip_prefix("filename=\""))
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no filename in {value:?}"))
        .to_owned();
    let mut bytes = Vec::new();
    let mut iter = raw.bytes();
    while let Some(b) = iter.next() {
        if b == b'%' {
            let hex = [iter.next().unwrap(), iter.next().unwrap()];
            bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).unwrap(), 16).unwrap());
        } else {
            bytes.push(b);
        }
    }
    (raw, String::from_utf8(bytes).unwrap())
}

fn boundary_of(request: &http::Request<Vec<u8>>) -> String {
    request.headers()["content-type"]
        .to_str()
        .unwrap()
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap()
        .to_owned()
}

#[test]
fn request_snapshot() {
    let request = UploadFile::new("zulip.txt", b"Hello, Zulip!\n".to_vec())
        .with_boundary(Boundary::new("zulip-rs-0123456789abcdef").unwrap())
        .try_into_http_request(&context())
        .unwrap();
    let rendered = redacted(&request).to_string();
    assert!(!rendered.contains(API_KEY), "{rendered}");
    insta::assert_snapshot!("request", rendered);
}

#[test]
fn the_request_is_a_post_with_one_file_part() {
    let request = UploadFile::new("photo.png", vec![0x89, b'P', b'N', b'G'])
        .try_into_http_request(&context())
        .unwrap();
    assert_eq!(request.method(), http::Method::POST);
    assert_eq!(
        request.uri(),
        "https://chat.example.com/api/v1/user_uploads"
    );
    assert_eq!(request.headers()["accept"], "application/json");
    assert!(request.headers()["authorization"].is_sensitive());
    let boundary = boundary_of(&request);
    assert!(boundary.starts_with("zulip-rs-"), "{boundary}");
    let parts = parse_multipart(request.body(), &boundary).unwrap();
    assert_eq!(parts.len(), 1);
    assert_eq!(
        parts[0].headers,
        [
            (
                "Content-Disposition".to_owned(),
                "form-data; name=\"filename\"; filename=\"photo.png\"".to_owned()
            ),
            ("Content-Type".to_owned(), "image/png".to_owned()),
        ]
    );
    assert_eq!(parts[0].content, [0x89, b'P', b'N', b'G']);
    // Deterministic: the same content gives the same request.
    let again = UploadFile::new("photo.png", vec![0x89, b'P', b'N', b'G'])
        .try_into_http_request(&context())
        .unwrap();
    assert_eq!(again.body(), request.body());
}

#[test]
fn hostile_file_names_are_percent_encoded_and_read_back() {
    let names = [
        "a \"quoted\" name.txt",
        "line\r\nContent-Type: text/html\r\n\r\n<script>.txt",
        "nul\0and\u{1}controls\u{7f}.bin",
        "back\\slash/and/slash.txt",
        "semi;colon=equals.txt",
        "Résumé 日本語 😀.pdf",
        "%41%42 already encoded.txt",
        "&amp; html entity.txt",
        ".",
        "..",
        "...",
        "--zulip-rs-looks-like-a-boundary",
        " leading and trailing ",
    ];
    for name in names {
        let request = UploadFile::new(name, b"x".to_vec())
            .try_into_http_request(&context())
            .unwrap();
        let boundary = boundary_of(&request);
        let parts = parse_multipart(request.body(), &boundary).unwrap();
        assert_eq!(parts.len(), 1, "{name:?}");
        let disposition = &parts[0].headers[0].1;
        let (raw, decoded) = disposition_filename(disposition);
        assert!(
            raw.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
            "{name:?} -> {raw:?}"
        );
        assert_eq!(decoded, name);
        assert_ne!(raw, ".", "Django drops a name that is only dots");
        assert_ne!(raw, "..");
    }
}

#[test]
fn invalid_parts_are_build_errors() {
    let invalid = |upload: UploadFile| match upload.try_into_http_request(&context()) {
        Err(BuildError::InvalidParameter { name, .. }) => name,
        other => panic!("{other:?}"),
    };
    assert_eq!(invalid(UploadFile::new("", b"x".to_vec())), "filename");
    assert_eq!(
        invalid(UploadFile::new("a".repeat(5000), b"x".to_vec())),
        "filename"
    );
    for content_type in ["text/plain\r\nX-Injected: 1", "noslash", "", "tëxt/plain"] {
        assert_eq!(
            invalid(UploadFile::new("a.txt", b"x".to_vec()).with_content_type(content_type)),
            "content_type",
            "{content_type:?}"
        );
    }
    // A boundary found in the content is refused when the content is in memory.
    let boundary = Boundary::new("abc").unwrap();
    assert_eq!(
        invalid(UploadFile::new("a.txt", b"x\r\n--abc--\r\n".to_vec()).with_boundary(boundary)),
        "boundary"
    );
    let context = RequestContext::new(Site::parse("chat.example.com").unwrap());
    assert!(matches!(
        UploadFile::new("a.txt", b"x".to_vec()).try_into_http_request(&context),
        Err(BuildError::MissingCredentials {
            endpoint: "upload-file"
        })
    ));
}

#[test]
fn content_types_are_guessed_given_or_left_to_the_server() {
    let header_of = |part: FilePart| {
        let form = MultipartForm::new(&part, Boundary::new("b").unwrap()).unwrap();
        String::from_utf8(form.prefix().to_vec()).unwrap()
    };
    assert!(header_of(FilePart::new("a.JPEG")).contains("\r\nContent-Type: image/jpeg\r\n"));
    assert!(!header_of(FilePart::new("a.unknownext")).contains("Content-Type"));
    assert!(
        header_of(FilePart::new("a.txt").with_content_type("text/x-rust; charset=utf-8"))
            .contains("\r\nContent-Type: text/x-rust; charset=utf-8\r\n")
    );
    assert!(!header_of(FilePart::new("a.png").without_content_type()).contains("Content-Type"));
}

#[test]
fn streamed_and_in_memory_requests_are_the_same_bytes() {
    let boundary = Boundary::from_random_bytes(&[0x5a; 20]);
    let content = b"0123456789".repeat(100);
    let part = FilePart::new("digits.txt");
    let whole = UploadFile::from_part(part.clone(), content.clone())
        .with_boundary(boundary.clone())
        .try_into_http_request(&context())
        .unwrap();
    let streamed = StreamedUpload::new(&context(), &part, boundary, content.len() as u64).unwrap();
    assert_eq!(streamed.head().method(), whole.method());
    assert_eq!(streamed.head().uri(), whole.uri());
    assert_eq!(streamed.head().headers(), whole.headers());
    let body = [streamed.prefix(), &content, streamed.suffix()].concat();
    assert_eq!(&body, whole.body());
    assert_eq!(streamed.content_length(), body.len() as u64);
    assert_eq!(streamed.file_len(), 1000);
    assert!(StreamedUpload::new(&context(), &part, Boundary::new("b").unwrap(), u64::MAX).is_err());
}

// ---------------------------------------------------------------------------------------------
// Responses

/// Every success fixture, the feature level of the server that sends it, and the expected URL
/// and file name.
const SUCCESS: [(&str, u32, &str, Option<&str>); 5] = [
    (
        "filename-feature-level-285.json",
        285,
        "/user_uploads/2/0b/Vx3yX9kq2Tq0bLmNnR3zPw8e/notes-draft-v2.txt",
        Some("notes [draft] v2.txt"),
    ),
    (
        "spec-example.json",
        276,
        "/user_uploads/1/4e/m2A3MSqFnWRLUf9SaPzQ0Up_/zulip.txt",
        None,
    ),
    (
        "uri-only-feature-level-271.json",
        271,
        "/user_uploads/2/f1/8rcKOjRWDdcflEhqRq-y4cMN/screenshot.png",
        None,
    ),
    (
        "uri-only-zulip-2.1.json",
        0,
        "/user_uploads/2/d4/Qb3Kk2pXjZuvSr0ADcHPVXfy/Résumé-2020.pdf",
        None,
    ),
    (
        "url-feature-level-272.json",
        272,
        "/user_uploads/2/f1/8rcKOjRWDdcflEhqRq-y4cMN/screenshot.png",
        None,
    ),
];

/// Every error fixture and the rejection it is.
const ERRORS: [(&str, Option<UploadRejection>); 9] = [
    (
        "400-larger-than-limit-before-fl76.http",
        Some(UploadRejection::FileTooLarge {
            limit_mib: Some(25),
        }),
    ),
    (
        "400-larger-than-limit.http",
        Some(UploadRejection::FileTooLarge {
            limit_mib: Some(25),
        }),
    ),
    ("400-no-file.http", Some(UploadRejection::NoFile)),
    (
        "400-realm-upload-quota-before-fl76.http",
        Some(UploadRejection::QuotaExceeded),
    ),
    (
        "400-realm-upload-quota.http",
        Some(UploadRejection::QuotaExceeded),
    ),
    (
        "400-too-many-files.http",
        Some(UploadRejection::TooManyFiles),
    ),
    ("413-html-proxy.http", Some(UploadRejection::ProxyTooLarge)),
    ("504-html-proxy.http", Some(UploadRejection::ProxyFailure)),
    ("200-no-url.http", None),
];

fn parse(body: Vec<u8>) -> Result<UploadFileResponse, ResponseError> {
    UploadFileResponse::try_from_http_response(&ok_json(body), &ResponseContext::new())
}

#[test]
fn every_fixture_is_listed() {
    let mut listed: Vec<&str> = SUCCESS.iter().map(|(name, ..)| *name).collect();
    listed.sort_unstable();
    assert_eq!(fixture_names("upload-file", "json"), listed);
    let mut listed: Vec<&str> = ERRORS.iter().map(|(name, _)| *name).collect();
    listed.sort_unstable();
    assert_eq!(fixture_names("upload-file", "http"), listed);
}

#[test]
fn every_shape_gives_the_url_and_the_file_name_when_present() {
    let site = Site::parse("https://chat.example.com").unwrap();
    for (name, level, url, filename) in SUCCESS {
        let parsed = parse(fixture_bytes(&format!("upload-file/{name}"))).unwrap();
        insta::assert_snapshot!(
            name.trim_end_matches(".json").to_owned(),
            format!("{parsed:#?}")
        );
        assert_eq!(parsed.url, url, "{name}");
        assert_eq!(parsed.filename.as_deref(), filename, "{name}");
        let absolute = parsed.absolute_url(&site).unwrap();
        assert!(
            absolute.starts_with("https://chat.example.com/user_uploads/"),
            "{absolute}"
        );
        let path = parsed.upload_path(&site).unwrap();
        assert_eq!(format!("/user_uploads/{path}"), url, "{name}");
        // Written back for the server's level and read again: the same response.
        let level = FeatureLevel::new(level);
        assert_eq!(parse(parsed.to_wire_json(level)).unwrap().url, parsed.url);
    }
}

#[test]
fn url_wins_over_uri_and_either_is_enough() {
    let both =
        br#"{"result":"success","msg":"","uri":"/user_uploads/old","url":"/user_uploads/new"}"#;
    assert_eq!(parse(both.to_vec()).unwrap().url, "/user_uploads/new");
    let url_only = br#"{"result":"success","msg":"","url":"/user_uploads/new"}"#;
    assert_eq!(parse(url_only.to_vec()).unwrap().url, "/user_uploads/new");
}

#[test]
fn wire_forms_follow_the_feature_level() {
    let mut response = UploadFileResponse::new("/user_uploads/2/ab/x/a.txt");
    response.filename = Some("a.txt".into());
    let text = |level| String::from_utf8(response.to_wire_json(FeatureLevel::new(level))).unwrap();
    assert_eq!(
        text(0),
        r#"{"msg":"","result":"success","uri":"/user_uploads/2/ab/x/a.txt"}"#
    );
    assert_eq!(
        text(272),
        r#"{"msg":"","result":"success","uri":"/user_uploads/2/ab/x/a.txt","url":"/user_uploads/2/ab/x/a.txt"}"#
    );
    assert_eq!(
        text(285),
        r#"{"filename":"a.txt","msg":"","result":"success","uri":"/user_uploads/2/ab/x/a.txt","url":"/user_uploads/2/ab/x/a.txt"}"#
    );
}

#[test]
fn errors_are_typed() {
    let mut out = String::new();
    for (name, rejection) in ERRORS {
        let response = parse_http(&fixture_bytes(&format!("upload-file/{name}"))).unwrap();
        let error = UploadFileResponse::try_from_http_response(&response, &ResponseContext::new())
            .unwrap_err();
        writeln!(out, "{name}: {error}").unwrap();
        match error.as_server() {
            Some(server) => {
                assert_eq!(
                    UploadRejection::from_server_error(server),
                    rejection,
                    "{name}"
                );
                writeln!(
                    out,
                    "  rejection: {:?}",
                    UploadRejection::from_server_error(server)
                )
                .unwrap();
            }
            None => {
                assert_eq!(rejection, None, "{name}");
                let parse = error.as_parse().unwrap();
                assert_eq!(parse.kind(), ParseErrorKind::Shape, "{name}");
                assert!(parse.detail().contains("url"), "{}", parse.detail());
            }
        }
    }
    insta::assert_snapshot!("errors", out);
}

#[test]
fn other_errors_are_not_rejections() {
    for (status, body) in [
        (
            400,
            r#"{"result":"error","msg":"Datei ist zu groß","code":"BAD_REQUEST"}"#,
        ),
        (
            401,
            r#"{"result":"error","msg":"Invalid API key","code":"INVALID_API_KEY"}"#,
        ),
        (502, r#"{"result":"error","msg":"x"}"#),
        (500, "<html>oops</html>"),
    ] {
        let response = http::Response::builder().status(status).body(body).unwrap();
        let error = zulip_types::ServerError::from_response(&response);
        assert_eq!(UploadRejection::from_server_error(&error), None, "{body}");
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/upload_file.txt",
        ))),
        ..ProptestConfig::default()
    }
}

fn filename() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 1..40).prop_map(String::from_iter),
        "[ -~]{1,30}",
        prop::sample::select(vec![".", "..", "\"", "\r\n", "--", "%", "a/b", "\\"])
            .prop_map(str::to_owned),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_name_and_content_make_one_part_that_reads_back(
        name in filename(),
        content in prop::collection::vec(any::<u8>(), 0..512),
        streamed_boundary in any::<[u8; 20]>(),
    ) {
        let upload = UploadFile::new(name.clone(), content.clone());
        let request = upload.try_into_http_request(&context()).unwrap();
        let boundary = boundary_of(&request);
        let parts = parse_multipart(request.body(), &boundary).unwrap();
        prop_assert_eq!(parts.len(), 1);
        prop_assert_eq!(&parts[0].content, &content);
        let (_, decoded) = disposition_filename(&parts[0].headers[0].1);
        prop_assert_eq!(decoded, name.clone());
        // Streamed with a random boundary: prefix + content + suffix is a valid body too.
        let streamed = StreamedUpload::new(
            &context(),
            upload.part(),
            Boundary::from_random_bytes(&streamed_boundary),
            content.len() as u64,
        ).unwrap();
        let body = [streamed.prefix(), &content, streamed.suffix()].concat();
        prop_assert_eq!(body.len() as u64, streamed.content_length());
        let boundary = streamed.form().boundary().as_str().to_owned();
        let parts = parse_multipart(&body, &boundary).unwrap();
        prop_assert_eq!(parts.len(), 1);
        prop_assert_eq!(&parts[0].content, &content);
    }

    #[test]
    fn responses_round_trip_through_every_level(
        url in "/user_uploads/[0-9]{1,3}/[a-z0-9]{2}/[A-Za-z0-9_-]{24}/[^\"\\\\]{1,20}",
        filename in proptest::option::of(".{1,20}"),
        level in prop::sample::select(vec![0u32, 1, 271, 272, 284, 285, 478]),
    ) {
        let mut response = UploadFileResponse::new(url);
        response.filename = filename;
        let level = FeatureLevel::new(level);
        let read = parse(response.to_wire_json(level)).unwrap();
        prop_assert_eq!(&read.url, &response.url);
        let filename = if level >= FeatureLevel::new(285) { response.filename.clone() } else { None };
        prop_assert_eq!(read.filename, filename);
    }

    #[test]
    fn no_panic_on_any_body(body in prop::collection::vec(any::<u8>(), 0..256), status in 100u16..600) {
        let response = http::Response::builder().status(status).body(body).unwrap();
        let _ = UploadFileResponse::try_from_http_response(&response, &ResponseContext::new());
    }
}
