//! The aws target's deployable artifacts: `bootstrap.zip` for x86_64 and arm64 built by
//! cargo-lambda (cross-linked with zig from PyPI), and the SAM template, checked by cfn-lint.
//! The test command installs both tools and points `FAASADE_CARGO_LAMBDA` / `FAASADE_CFN_LINT`
//! at them.

use faasade_suite::process;

use std::io::Read;
use std::path::Path;
use std::process::Command;

use process::cached_tool;

fn root() -> std::path::PathBuf {
    process::workspace()
}

/// `bootstrap` from `zip`: the file's bytes and its Unix mode.
fn bootstrap_in(zip: &Path) -> (Vec<u8>, u32) {
    let file = std::fs::File::open(zip).unwrap_or_else(|e| panic!("{}: {e}", zip.display()));
    let mut archive = zip::ZipArchive::new(file).expect("a zip archive");
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.expect("a readable entry name").into_owned())
        .collect();
    assert_eq!(
        names,
        ["bootstrap"],
        "the zip holds exactly `bootstrap` at its top"
    );
    let mut entry = archive.by_name("bootstrap").unwrap();
    let mode = entry.unix_mode().expect("the zip records Unix permissions");
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).unwrap();
    (bytes, mode)
}

#[test]
fn bootstrap_zips_for_x86_64_and_arm64() {
    // ELF e_machine values: x86-64 is 62, AArch64 is 183.
    for (flag, dir, machine) in [("--x86-64", "x86_64", 62u16), ("--arm64", "arm64", 183)] {
        let lambda_dir = root().join("target/lambda-dist").join(dir);
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
                flag,
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
        assert!(status.success(), "cargo lambda build {flag} failed");
        let (elf, mode) = bootstrap_in(&lambda_dir.join("hello/bootstrap.zip"));
        assert_eq!(&elf[..4], b"\x7fELF", "bootstrap is an ELF executable");
        assert_eq!(
            u16::from_le_bytes([elf[18], elf[19]]),
            machine,
            "{flag} built for the wrong machine"
        );
        assert_eq!(
            mode & 0o111,
            0o111,
            "bootstrap is executable (mode {mode:o})"
        );
    }
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
