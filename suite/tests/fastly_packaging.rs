//! The fastly target's deployable artifact: `pkg/<name>.tar.gz` made by Fastly's own CLI
//! (`fastly compute pack`, from npm `@fastly/cli`) from `examples/hello` built for
//! `wasm32-wasip1` and the template fastly.toml, holding `<name>/bin/main.wasm` and
//! `<name>/fastly.toml`; and the template itself served by Viceroy. The test command installs
//! both tools (`FAASADE_NPM`, `FAASADE_VICEROY`).

use faasade_suite::process;

use std::process::Command;
use std::time::Duration;

use process::{
    Process, cached_tool, cargo_build_fastly, free_port, scratch, wait_for_ok, workspace,
};

fn hello_wasm() -> std::path::PathBuf {
    cargo_build_fastly("hello").unwrap()
}

#[test]
fn compute_pack_makes_the_package_fastly_deploys() {
    let wasm = hello_wasm();
    let dir = scratch("fastly-pack").unwrap();
    let template = std::fs::read_to_string(workspace().join("templates/fastly/fastly.toml"))
        .expect("templates/fastly/fastly.toml");
    std::fs::write(
        dir.join("fastly.toml"),
        template.replace("name = \"my-app\"", "name = \"hello\""),
    )
    .unwrap();
    let fastly = cached_tool("FAASADE_NPM", "npm").join("node_modules/.bin/fastly");
    let out = Command::new(&fastly)
        .args(["compute", "pack", "--non-interactive", "--wasm-binary"])
        .arg(&wasm)
        .current_dir(&dir)
        .env("FASTLY_CHECK_UPDATE", "false")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e} (the test command installs it)", fastly.display()));
    assert!(
        out.status.success(),
        "fastly compute pack failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    let package = dir.join("pkg/hello.tar.gz");
    let listing = Command::new("tar")
        .arg("-tzf")
        .arg(&package)
        .output()
        .unwrap();
    assert!(
        listing.status.success(),
        "{} is not a tar.gz",
        package.display()
    );
    let listing = String::from_utf8(listing.stdout).unwrap();
    for entry in ["hello/bin/main.wasm", "hello/fastly.toml"] {
        assert!(
            listing.lines().any(|l| l == entry),
            "{entry} missing in:\n{listing}"
        );
    }
    let unpacked = dir.join("unpacked");
    std::fs::create_dir_all(&unpacked).unwrap();
    let status = Command::new("tar")
        .arg("-xzf")
        .arg(&package)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        std::fs::read(unpacked.join("hello/bin/main.wasm")).unwrap(),
        std::fs::read(&wasm).unwrap(),
        "the package carries the module as built"
    );
}

#[test]
fn the_template_serves_in_viceroy() {
    let wasm = hello_wasm();
    let dir = scratch("fastly-template").unwrap();
    std::fs::copy(
        workspace().join("templates/fastly/fastly.toml"),
        dir.join("fastly.toml"),
    )
    .unwrap();
    let port = free_port().unwrap();
    let mut command = Command::new(cached_tool("FAASADE_VICEROY", "cargo/bin/viceroy"));
    command
        .args(["serve", "-C", "fastly.toml", "--addr"])
        .arg(format!("127.0.0.1:{port}"))
        .arg(&wasm)
        .current_dir(&dir);
    let viceroy = Process::spawn(command).unwrap();
    let url = format!("http://127.0.0.1:{port}/template");
    wait_for_ok(&viceroy, &url, Duration::from_secs(120), "viceroy").unwrap();
    let body = reqwest::blocking::get(&url).unwrap().text().unwrap();
    assert_eq!(
        body, "hello from faasade /template\n",
        "the config store's GREETING"
    );
    viceroy.terminate(Duration::from_secs(15)).ok();
}
