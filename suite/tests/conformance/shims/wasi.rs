//! WASI: the conformance app built as a plain `wasi:http` 0.2 proxy component (`wasm32-wasip2`,
//! `--features wasi`) and served by `wasmtime serve`, the reference host. Vars and secrets
//! reach the component as environment variables (`-Scli --env NAME=VALUE`); the app's
//! `kv` feature is left out, as the target offers no KV.
//!
//! wasmtime comes from the test command (`FAASADE_WASMTIME`, or `cargo/bin/wasmtime` in its
//! cache).

use std::process::Command;
use std::time::Duration;

use super::{Instance, ProcessInstance, Setup, Shim, app_config, environment};
use faasade_suite::process::{cargo_build_component, free_port, installed_tool, workspace};

pub(crate) struct Wasi;

impl Shim for Wasi {
    fn target(&self) -> &'static str {
        "wasi"
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String> {
        let wasm = cargo_build_component("conformance", "wasi,vars,fetch")?;
        let app = app_config(&workspace().join("examples/conformance"), setup)?;
        wasmtime_serve(&wasm, &environment(&app))
    }
}

/// `wasmtime serve` on `wasm` with the environment `env` (`NAME=VALUE`), once it answers.
pub(crate) fn wasmtime_serve(
    wasm: &std::path::Path,
    env: &[String],
) -> Result<Box<dyn Instance>, String> {
    let wasmtime = installed_tool("FAASADE_WASMTIME", "cargo/bin/wasmtime", "wasmtime")?;
    let port = free_port()?;
    let mut command = Command::new(wasmtime);
    command
        .args(["serve", "-Scli", "-Wcomponent-model-async", "--addr"])
        .arg(format!("127.0.0.1:{port}"));
    for pair in env {
        command.arg("--env").arg(pair);
    }
    command.arg(wasm);
    // wasmtime's exit status on SIGTERM is not part of the contract.
    ProcessInstance::started(
        command,
        format!("http://127.0.0.1:{port}"),
        "wasmtime serve",
        Duration::from_secs(120),
        false,
    )
}
