//! The aws target's deployable artifacts: an x86-64 `bootstrap.zip` built by cargo-lambda
//! (cross-linked with zig from PyPI), and the SAM template, checked by cfn-lint. The arm64 zip,
//! the default, is built and checked by `cargo faasade build aws` in `e2e.rs`; one build of each
//! architecture keeps the suite within its time. The test command installs both tools and
//! points `FAASADE_CARGO_LAMBDA` / `FAASADE_CFN_LINT` at them.

use faasade_suite::{lambda_zip, process};

use std::process::Command;

use process::cached_tool;

fn root() -> std::path::PathBuf {
    process::workspace()
}

#[test]
fn bootstrap_zip_for_x86_64() {
    let lambda_dir = root().join("target/lambda-dist/x86_64");
    let cargo_lambda = cached_tool("FAASADE_CARGO_LAMBDA", "venv/bin/cargo-lambda");
    // cargo-lambda finds zig through the Python beside it (the `ziglang` package).
    let venv_bin = cargo_lambda.parent().unwrap().to_owned();
    let path = std::env::join_paths(std::iter::once(venv_bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let status = Command::new(cargo_lambda)
        .env("PATH", path)
        .args([
            "lambda",
            "build",
            "--release",
            "--x86-64",
            "--features",
            "aws",
            "--output-format",
            "zip",
        ])
        .arg("--lambda-dir")
        .arg(&lambda_dir)
        .current_dir(root().join("examples/hello"))
        .status()
        .expect("run cargo lambda build");
    assert!(status.success(), "cargo lambda build --x86-64 failed");
    lambda_zip::assert_bootstrap(&lambda_dir.join("hello/bootstrap.zip"), lambda_zip::X86_64);
}

#[test]
fn sam_template_passes_cfn_lint() {
    let out = Command::new(cached_tool("FAASADE_CFN_LINT", "venv/bin/cfn-lint"))
        .arg(root().join("templates/aws/template.yaml"))
        .output()
        .expect("run cfn-lint");
    assert!(
        out.status.success(),
        "cfn-lint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
