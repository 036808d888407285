//! The server must build its JSON independently of `zulip-types`: no dependency of any kind.

#[test]
fn manifest_has_no_zulip_types_dependency() {
    let manifest = include_str!("../Cargo.toml");
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        assert!(
            !line.starts_with("zulip-types") && !line.contains("package = \"zulip-types\""),
            "zulip-test-server must not depend on zulip-types: {line}"
        );
    }
}

#[test]
fn sources_do_not_mention_the_types_crate() {
    for (name, source) in [
        ("lib.rs", include_str!("../src/lib.rs")),
        ("wire.rs", include_str!("../src/wire.rs")),
        ("routes.rs", include_str!("../src/routes.rs")),
        ("server.rs", include_str!("../src/server.rs")),
        ("state.rs", include_str!("../src/state.rs")),
    ] {
        assert!(!source.contains("zulip_types::"), "{name} uses zulip_types");
    }
}
