//! The main job, `crates/zulip-hyper/examples/get_attachments.rs`, run as the real program
//! (built from the same source as this package's `get_attachments` binary) with a controlled
//! environment: an empty `HOME` and no `ZULIP_*` variable runs the demo server; a zuliprc,
//! `ZULIP_CONFIG`, `--config` and the overrides point it at a test server; `--json` gives the
//! normalized JSON; broken configurations and server errors give one line and a non-zero exit
//! status; the API key never appears.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use zulip_test_server::{
    Attachment, DEMO_API_KEY, Mode, Preset, RawResponse, ServerConfig, TestServer, sample,
};
use zulip_tests::{API_KEY, EMAIL, assert_authenticated_as_test_user, assert_no_secret, user};

/// Environment variables of a run.
type Env<'a> = &'a [(&'a str, &'a str)];

/// What a run of the program gave.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the program with only `HOME` (when given) and `env` in its environment.
fn program(home: Option<&Path>, env: &[(&str, &str)], args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_get_attachments"));
    command
        .env_clear()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(home) = home {
        command.env("HOME", home);
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().expect("the get_attachments binary starts");
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    // Bounded: a program that hangs is killed (it is our own child) and the test fails.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("get_attachments {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let run = Run {
        code: status.code().expect("exited normally"),
        stdout: out.join().unwrap().expect("UTF-8 standard output"),
        stderr: err.join().unwrap().expect("UTF-8 standard error"),
    };
    // Whatever happened, no key of the test user or of the demo, and nothing that can act on
    // a terminal.
    for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        assert_no_secret(text, what);
        assert!(!text.contains(DEMO_API_KEY), "{what} shows the demo's key");
        assert_terminal_safe(text, what);
    }
    run
}

fn assert_terminal_safe(text: &str, what: &str) {
    let unsafe_char = text.chars().find(|&c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    });
    assert_eq!(
        unsafe_char, None,
        "{what} holds a control character: {text:?}"
    );
}

/// Writes a zuliprc for the test user on `site` into `dir`.
fn write_zuliprc(dir: &Path, name: &str, site: &str, extra: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!("[api]\nemail = {EMAIL}\nkey = {API_KEY}\nsite = {site}\n{extra}"),
    )
    .unwrap();
    path
}

/// Attachments for the table: names with terminal escapes, control and bidi characters, a
/// name too long for its column, sizes on unit boundaries and one unknown (a G1 server sends
/// `null`), given in no particular order.
fn table_attachments() -> Vec<Attachment> {
    vec![
        Attachment::new(
            4000,
            "backup.iso",
            "2/e0/e/backup.iso",
            Some(5_905_580_032),
            1_710_000_000,
        )
        .with_message(40, 1_710_000_001),
        Attachment::new(
            5,
            "\x1b[31mred\x1b[0m.txt",
            "2/a0/a/red.txt",
            Some(1023),
            1_588_145_417,
        )
        .with_message(10, 1_588_145_420)
        .with_message(11, 1_588_145_500),
        Attachment::new(
            300,
            "invoice \u{202e}fdp.exe",
            "2/d0/d/invoice-fdp.exe",
            None,
            1_650_000_000,
        )
        .with_message(30, 1_650_000_001)
        .with_message(31, 1_650_000_002)
        .with_message(32, 1_650_000_003),
        Attachment::new(
            12,
            "日本語".repeat(30),
            "2/b0/b/long.txt",
            Some(1024),
            1_600_000_000,
        )
        .with_message(20, 1_600_000_100),
        Attachment::new(
            77,
            "tab\there\nnew\u{7f}\u{9b}line.txt",
            "2/c0/c/tabherenewline.txt",
            Some(558_592),
            1_700_000_000,
        ),
    ]
}

fn table_server() -> TestServer {
    TestServer::start(
        ServerConfig::preset(Preset::Zulip2_1).user(user().with_attachments(table_attachments())),
    )
}

/// The exact table for [`table_attachments`].
fn expected_table(site: &str) -> String {
    let long = format!("{}日本…", "日本語".repeat(19));
    format!(
        "Attachments of iago@zulip.com on {site}\n\
         \n\
         \x20 ID       SIZE  CREATED (UTC)         MESSAGES  NAME\n\
         \x20  5     1023 B  2020-04-29T07:30:17Z         2  ␛[31mred␛[0m.txt\n\
         \x20 12    1.0 KiB  2020-09-13T12:26:40Z         1  {long}\n\
         \x20 77  545.5 KiB  2023-11-14T22:13:20Z         0  tab␉here␊new␡\u{fffd}line.txt\n\
         \x20300          -  2022-04-15T05:20:00Z         3  invoice \u{fffd}fdp.exe\n\
         4000    5.5 GiB  2024-03-09T16:00:00Z         1  backup.iso\n\
         \n\
         5 attachments. Upload space used by the whole organization: 5.5 GiB\n"
    )
}

#[test]
fn without_configuration_it_runs_against_the_demo_server() {
    let home = tempfile::tempdir().unwrap();
    // An empty home, and no home at all.
    for home in [Some(home.path()), None] {
        let run = program(home, &[], &[]);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(
            run.stderr
                .starts_with("note: no Zulip configuration found (~/.zuliprc, ZULIP_CONFIG,")
                && run
                    .stderr
                    .contains("running against a built-in demo server at http://127.0.0.1:"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1);

        let lines: Vec<&str> = run.stdout.lines().collect();
        assert!(
            lines[0].starts_with("Attachments of iago@zulip.com on http://127.0.0.1:"),
            "{}",
            lines[0]
        );
        assert_eq!(
            lines[2],
            "  ID       SIZE  CREATED (UTC)         MESSAGES  NAME"
        );
        // The demo's data: the test server's sample of 14 attachments, sorted by ID.
        let mut demo = sample::user_attachments(1);
        demo.sort_by_key(|a| a.id);
        assert_eq!(demo.len(), 14);
        let rows = &lines[3..3 + demo.len()];
        for (row, attachment) in rows.iter().zip(&demo) {
            let fields: Vec<&str> = row.split_whitespace().collect();
            assert_eq!(fields[0], attachment.id.to_string(), "{row}");
            assert!(
                row.contains(&format!("Z  {:>8}  ", attachment.messages.len())),
                "{row}"
            );
            let shown = attachment.name.replace('\t', "␉");
            assert!(row.ends_with(&format!("  {shown}")), "{row}");
        }
        assert_eq!(lines[3 + demo.len()], "");
        assert!(
            lines[4 + demo.len()]
                .starts_with("14 attachments. Upload space used by the whole organization: "),
            "{}",
            lines[4 + demo.len()]
        );
        assert_eq!(lines.len(), 5 + demo.len());
    }
}

#[test]
fn a_zuliprc_points_it_at_a_server_and_the_table_is_exact() {
    let server = table_server();
    let home = tempfile::tempdir().unwrap();
    write_zuliprc(home.path(), ".zuliprc", &server.site(), "");

    let run = program(Some(home.path()), &[], &[]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout, expected_table(&server.site()));

    let request = server.last_request().unwrap();
    assert_authenticated_as_test_user(&request);
    assert_eq!(request.path_and_query, "/api/v1/attachments");
    assert!(
        request
            .user_agent()
            .is_some_and(|agent| agent.starts_with("zulip-rs-get-attachments/")),
        "{request:?}"
    );
}

#[test]
fn configuration_precedence_like_the_python_client() {
    let server = table_server();
    let site = server.site();
    let elsewhere = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    // A port nobody listens on.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port())
    };
    // ~/.zuliprc points nowhere; the others at the server.
    write_zuliprc(home.path(), ".zuliprc", &dead, "");
    let file = write_zuliprc(elsewhere.path(), "zuliprc", &site, "");
    let file = file.to_str().unwrap();

    let cases: [(Env<'_>, Vec<&str>); 4] = [
        (&[("ZULIP_CONFIG", file)], vec![]),
        (&[], vec!["--config", file]),
        (&[("ZULIP_SITE", site.as_str())], vec![]),
        (
            &[("ZULIP_SITE", dead.as_str())],
            vec!["--site", site.as_str()],
        ),
    ];
    for (env, args) in cases {
        let run = program(Some(home.path()), env, &args);
        assert_eq!(run.code, 0, "{env:?} {args:?}: {}", run.stderr);
        assert_eq!(run.stdout, expected_table(&site), "{env:?} {args:?}");
    }
    // Credentials from the environment and the command line, no file at all.
    let empty = tempfile::tempdir().unwrap();
    let run = program(
        Some(empty.path()),
        &[("ZULIP_EMAIL", EMAIL), ("ZULIP_API_KEY", API_KEY)],
        &["--site", &site],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, expected_table(&site));
    assert_eq!(server.request_count(), 5);

    // The same with the file's site: nothing reaches the server.
    let run = program(Some(home.path()), &[], &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("error: cannot connect: "),
        "{}",
        run.stderr
    );
    assert_eq!(server.request_count(), 5);
}

/// `--json`: one shape for every generation, compared with literal values.
#[test]
fn json_output_is_normalized_for_every_generation() {
    let home = tempfile::tempdir().unwrap();
    for preset in Preset::ALL {
        let server = TestServer::start(
            ServerConfig::preset(preset)
                .user(user().with_attachments(zulip_tests::fixture_attachments())),
        );
        let config = write_zuliprc(home.path(), "zuliprc", &server.site(), "");
        let run = program(None, &[], &["--json", "--config", config.to_str().unwrap()]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{preset:?}");
        let parsed: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(parsed, expected_json(preset), "{preset:?}");

        // Keys in the documented order.
        let order = [
            "\"id\"",
            "\"name\"",
            "\"path_id\"",
            "\"size\"",
            "\"create_time\"",
            "\"messages\"",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|key| run.stdout.find(key).unwrap())
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "{preset:?}: {positions:?}"
        );
        assert!(run.stdout.find("\"attachments\"") < run.stdout.find("\"upload_space_used\""));
    }
}

fn expected_json(preset: Preset) -> Value {
    let g0 = preset == Preset::Zulip1_6;
    let g1 = matches!(
        preset,
        Preset::Zulip2_0 | Preset::Zulip2_1 | Preset::Zulip3_0Dev
    );
    let g4 = preset == Preset::Zulip12_0;
    let known = |value: Value| if g0 { Value::Null } else { value };
    let sent = |seconds: i64| if g4 { Value::Null } else { json!(seconds) };
    json!({
        "attachments": [
            {
                "id": 1,
                "name": "166050.jpg",
                "path_id": "2/ce/DfOkzwdg_IwlrN3myw3KGtiJ/166050.jpg",
                "size": known(json!(571946)),
                "create_time": known(json!(1588145417)),
                "messages": [
                    {"id": 102, "date_sent": sent(1588145424)},
                    {"id": 103, "date_sent": sent(1588231824)}
                ]
            },
            {
                "id": 7,
                "name": "Résumé – Zoë \"final\" [v2]\\draft 🎉.pdf",
                "path_id": "2/4f/aBcDeFgHiJkLmNoPqRsTuVwX/Resume-Zoe-final-v2draft-.pdf",
                "size": if g0 || g1 { Value::Null } else { json!(0) },
                "create_time": known(json!(1600000000)),
                "messages": []
            },
            {
                "id": 42,
                "name": "日本語の資料.docx",
                "path_id": "2/a0/QwErTyUiOpAsDfGhJkLzXcVb/日本語の資料.docx",
                "size": known(json!(1023)),
                "create_time": known(json!(1700000000)),
                "messages": [{"id": 5001, "date_sent": sent(1700000123)}]
            }
        ],
        "upload_space_used": if g0 || preset == Preset::Zulip2_0 { Value::Null } else { json!(572969) }
    })
}

#[test]
fn json_escapes_what_could_act_on_a_terminal() {
    let server = table_server();
    let home = tempfile::tempdir().unwrap();
    write_zuliprc(home.path(), ".zuliprc", &server.site(), "");
    let run = program(Some(home.path()), &[], &["--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for escaped in [
        r"\u001b[31mred",
        r"\t",
        r"\n",
        r"\u007f",
        r"\u009b",
        r"\u202e",
    ] {
        assert!(
            run.stdout.contains(escaped),
            "{escaped} missing: {}",
            run.stdout
        );
    }
    // Escaped, not changed: the names read back exactly.
    let parsed: Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<&str> = parsed["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    let mut expected: Vec<(u64, String)> = table_attachments()
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    expected.sort();
    assert_eq!(
        names,
        expected.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>()
    );
    assert_eq!(parsed["upload_space_used"], json!(5_906_140_671_u64));
    assert_eq!(parsed["attachments"][3]["size"], Value::Null);
}

#[test]
fn a_broken_configuration_is_an_error_never_the_demo() {
    let home = tempfile::tempdir().unwrap();
    let rc = home.path().join(".zuliprc");
    let shown = rc.display().to_string();
    let cases = [
        (
            format!("[api]\nemail = {EMAIL}\nkey = {API_KEY}\nthis is not a setting\n"),
            format!("{shown}:4: expected `[section]`, `key = value` or `key: value`"),
        ),
        (
            format!(
                "[api]\nemail = {EMAIL}\nkey = {API_KEY}\nsite = a.example\nsite = b.example\n"
            ),
            format!("{shown}:5: key `site` appears twice in section [api]"),
        ),
        (
            format!(
                "[api]\nemail = {EMAIL}\nkey = {API_KEY}\nsite = chat.example.com\ninsecure = maybe\n"
            ),
            format!("{shown}:5: `insecure` is \"maybe\"; it must be \"true\" or \"false\""),
        ),
        (
            format!("[api]\nemail = {EMAIL}\nsite = chat.example.com\n"),
            format!("{shown}: `key` missing from section [api]"),
        ),
        (
            format!("[api]\nemail = {EMAIL}\nkey = {API_KEY}\n"),
            format!("{shown}: no Zulip site given"),
        ),
    ];
    for (contents, message) in cases {
        std::fs::write(&rc, &contents).unwrap();
        let run = program(Some(home.path()), &[], &[]);
        assert_eq!(run.code, 1, "{contents}");
        assert_eq!(run.stdout, "");
        assert!(
            run.stderr
                .starts_with(&format!("error: invalid configuration: {message}")),
            "{}",
            run.stderr
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(!run.stderr.contains("demo"));
    }
    std::fs::remove_file(&rc).unwrap();

    // Something says the user meant to configure: a named file that does not exist, part of
    // the credentials, an option.
    let missing = home.path().join("no-such-zuliprc");
    let missing = missing.to_str().unwrap();
    let cases: [(Env<'_>, &[&str]); 4] = [
        (&[("ZULIP_CONFIG", missing)], &[]),
        (&[("ZULIP_EMAIL", EMAIL)], &[]),
        (&[], &["--config", missing]),
        (&[], &["--site", "chat.example.com"]),
    ];
    for (env, args) in cases {
        let run = program(Some(home.path()), env, args);
        assert_eq!(run.code, 1, "{env:?} {args:?}");
        assert!(
            run.stderr.starts_with("error: invalid configuration: no "),
            "{env:?} {args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("demo"));
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn server_failures_are_one_line_without_the_key() {
    let server = TestServer::start(ServerConfig::preset(Preset::Zulip12_0).user(user()));
    let home = tempfile::tempdir().unwrap();
    let wrong_key = "0123456789abcdefghijABCDEFGHIJ01";
    std::fs::write(
        home.path().join(".zuliprc"),
        format!(
            "[api]\nemail = {EMAIL}\nkey = {wrong_key}\nsite = {}\n",
            server.site()
        ),
    )
    .unwrap();
    let run = program(Some(home.path()), &[], &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        "error: server error 401 Unauthorized INVALID_API_KEY: Invalid API key\n"
    );
    assert!(!run.stderr.contains(wrong_key));
    assert_eq!(run.stdout, "");

    // A server message with a terminal escape and a newline stays on one harmless line.
    write_zuliprc(home.path(), ".zuliprc", &server.site(), "");
    server.set_mode(Mode::Raw(RawResponse::json(
        400,
        r#"{"result":"error","msg":"bad\u001b[2J\nthing","code":"BAD_REQUEST"}"#,
    )));
    let run = program(Some(home.path()), &[], &[]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        // zulip-types' `ServerError` Display escapes server text itself (commit 74c5f9a).
        "error: server error 400 Bad Request BAD_REQUEST: bad\\u{1b}[2J\\u{a}thing\n"
    );

    // An nginx page.
    server.set_mode(Mode::Raw(RawResponse::nginx_502()));
    let run = program(Some(home.path()), &[], &["--json"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    assert!(
        run.stderr
            .starts_with("error: server error 502 Bad Gateway with a non-JSON body ("),
        "{}",
        run.stderr
    );
}

#[test]
fn usage() {
    let home = tempfile::tempdir().unwrap();
    for help in ["--help", "-h"] {
        let run = program(Some(home.path()), &[], &[help]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""));
        assert!(
            run.stdout
                .starts_with("Lists the files you uploaded to Zulip.\n")
        );
        for option in [
            "--json",
            "--config <zuliprc>",
            "--site <url>",
            "--email",
            "--api-key",
        ] {
            assert!(run.stdout.contains(option), "{option}");
        }
    }
    for (args, message) in [
        (
            &["--bogus"][..],
            "error: unexpected argument --bogus (see --help)\n",
        ),
        (
            &["--config"][..],
            "error: --config needs a value (see --help)\n",
        ),
        (
            &["--json=yes"][..],
            "error: unexpected argument --json=yes (see --help)\n",
        ),
    ] {
        let run = program(Some(home.path()), &[], args);
        assert_eq!(run.code, 2, "{args:?}");
        assert_eq!(run.stderr, message, "{args:?}");
        assert_eq!(run.stdout, "");
    }
}
