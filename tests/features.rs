//! Target features are exclusive, and a target on the wrong platform says which one it needs,
//! at compile time. Checked by running `cargo check` on the umbrella crate with those features.

use std::process::Command;

use faasade::targets::{Platform, TARGETS, Target};

fn check_with(features: &str) -> String {
    check_failing(&["--features", features])
}

/// `cargo check -p faasade --lib <args>`, which must fail; its stderr.
fn check_failing(args: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["check", "--quiet", "-p", "faasade", "--lib"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo");
    assert!(!out.status.success(), "{args:?} must not compile");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_wasm_build_without_a_target_feature_names_the_choices() {
    let stderr = check_failing(&["--target", "wasm32-wasip1"]);
    assert!(
        stderr.contains("a WebAssembly build needs a target feature"),
        "{stderr}"
    );
}

#[test]
fn two_targets_are_a_compile_error_naming_both() {
    let stderr = check_with("aws,cloudflare");
    assert!(
        stderr.contains("the target features `aws` and `cloudflare` are both enabled"),
        "{stderr}"
    );
    let stderr = check_with("spin,wasi,openwhisk");
    for pair in [
        "`spin` and `openwhisk`",
        "`spin` and `wasi`",
        "`openwhisk` and `wasi`",
    ] {
        assert!(stderr.contains(pair), "{pair} missing in:\n{stderr}");
    }
}

#[test]
fn openwhisk_off_linux_names_the_musl_target() {
    let stderr = check_failing(&["--features", "openwhisk", "--target", "wasm32-wasip1"]);
    assert!(
        stderr.contains("the `openwhisk` target builds a static Linux binary"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("both enabled"),
        "one feature is not two:\n{stderr}"
    );
}

#[test]
fn cloudflare_on_a_native_build_names_the_wasm_target() {
    let stderr = check_with("cloudflare");
    assert!(
        stderr.contains("the `cloudflare` target builds for wasm32-unknown-unknown"),
        "{stderr}"
    );
}

#[test]
fn fastly_on_a_native_build_names_the_wasm_target() {
    let stderr = check_with("fastly");
    assert!(
        stderr.contains("the `fastly` target builds for wasm32-wasip1"),
        "{stderr}"
    );
}

#[test]
fn spin_and_wasi_on_a_native_build_name_the_wasm_target() {
    for target in ["spin", "wasi"] {
        let stderr = check_with(target);
        let message = format!("the `{target}` target builds for wasm32-wasip2");
        assert!(stderr.contains(&message), "{message} missing in:\n{stderr}");
    }
    let stderr = check_failing(&["--features", "spin", "--target", "wasm32-wasip1"]);
    assert!(
        stderr.contains("the `spin` target builds for wasm32-wasip2"),
        "{stderr}"
    );
}

/// How each target of the registry is checked: `--features <feature>`, and `--target
/// <triple>` for a WebAssembly target (the native ones check on this machine). `None` for the
/// local target, which needs no feature.
fn target_args(target: &Target) -> Option<Vec<&'static str>> {
    let feature = target.feature?;
    Some(match target.platform {
        Platform::Wasm { .. } => vec!["--features", feature, "--target", target.rust_target],
        Platform::Native | Platform::Linux => vec!["--features", feature],
    })
}

/// `cargo check` of every example with `args` added.
fn check_examples(args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["check", "--quiet"])
        .args(args)
        .args(["-p", "hello", "-p", "event", "-p", "axum-router"])
        .args(["-p", "conformance"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "{args:?}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every example, unchanged, for every target of the registry.
#[test]
fn every_example_builds_for_every_target_unchanged() {
    for target in TARGETS {
        if let Some(args) = target_args(target) {
            check_examples(&args);
        }
    }
}

/// An app that never fetches, uses KV, reads vars or locates its clients turns the `fetch`,
/// `kv`, `vars` and `geo` features off; every target must still build with all of them off
/// and with each alone (`-p faasade` alone, so no other package's features leak in).
#[test]
fn builds_without_the_fetch_and_kv_features() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for target in TARGETS {
        let args = target_args(target).unwrap_or_default();
        for only in ["", "fetch", "kv", "vars", "geo"] {
            let out = Command::new(&cargo)
                .args(["check", "--quiet", "-p", "faasade", "--lib"])
                .arg("--no-default-features")
                .args(&args)
                .args(
                    (!only.is_empty())
                        .then_some(["--features", only])
                        .into_iter()
                        .flatten(),
                )
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .expect("run cargo");
            assert!(
                out.status.success(),
                "{}: --no-default-features {args:?} +{only}:\n{}",
                target.name,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
