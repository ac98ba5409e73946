//! Spin: the conformance app built as a WASI 0.3 component (`wasm32-wasip2`, `--features
//! spin`), run twice, since the Spin CLI itself cannot be installed here:
//!
//! - on `wasmtime serve`, the reference host for `wasi:http`, which has none of Spin's own
//!   interfaces: the app is built without its `vars` and `kv` features, so the component
//!   imports neither `spin:variables` nor `spin:key-value` and reads its vars from the
//!   environment (`--env`); the kv group is left to the run below;
//! - on Faasade's own Wasm host (`faasade-wasm-host`), which implements `spin:variables` and
//!   `spin:key-value` (version 3.0.0, as spin-sdk 7 imports them) from a faasade.toml written
//!   from the app's: every group, and the extra checks (secret, KV list, `wait_until`).

use std::fmt::Write as _;
use std::process::Command;
use std::time::Duration;

use super::wasi::wasmtime_serve;
use super::{Instance, ProcessInstance, Setup, Shim, app_config, environment};
use faasade_suite::process::{cargo_build, cargo_build_component, free_port, scratch, workspace};

/// The Spin component on Faasade's Wasm host, with Spin's variables and key-value stores.
pub(crate) struct SpinOnWasmHost;

impl Shim for SpinOnWasmHost {
    fn target(&self) -> &'static str {
        "spin"
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String> {
        let wasm = cargo_build_component("conformance", "spin,vars,kv,fetch")?;
        let app = app_config(&workspace().join("examples/conformance"), setup)?;
        let dir = scratch("spin")?;
        std::fs::write(dir.join("faasade.toml"), faasade_toml(&app.config))
            .map_err(|e| e.to_string())?;
        wasm_host(&wasm, &dir, &[&upstream_authority(&setup.upstream_url)?])
    }
}

/// `host:port` of `url`.
fn upstream_authority(url: &str) -> Result<String, String> {
    let uri: http::Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let port = uri.port_u16().unwrap_or(80);
    Ok(format!("{}:{port}", uri.host().unwrap_or_default()))
}

/// The app's faasade.toml with the suite's vars, as the host reads it.
fn faasade_toml(config: &cargo_faasade::config::AppConfig) -> String {
    let mut out = format!("name = {:?}\n\n[vars]\n", config.name);
    for (k, v) in &config.file.vars {
        let _ = writeln!(out, "{k} = {v:?}");
    }
    out.push_str("\n[secrets]\n");
    for (k, v) in &config.file.secrets {
        let _ = writeln!(out, "{k} = {v:?}");
    }
    let _ = writeln!(out, "\n[kv]\nstores = {:?}", config.kv_stores());
    out
}

/// `faasade-wasm-host serve` (built `--release`) on `wasm` for the app in `app_dir`, allowed
/// to reach `outbound`, once it answers.
pub(crate) fn wasm_host(
    wasm: &std::path::Path,
    app_dir: &std::path::Path,
    outbound: &[&str],
) -> Result<Box<dyn Instance>, String> {
    let host = cargo_build(
        "faasade-wasm-host",
        &["--release", "--bin", "faasade-wasm-host"],
    )?;
    let port = free_port()?;
    let mut command = Command::new(host);
    command
        .arg("serve")
        .arg(wasm)
        .arg("--app")
        .arg(app_dir)
        .arg("--cache-dir")
        .arg(app_dir.join("cwasm"))
        .arg("--addr")
        .arg(format!("127.0.0.1:{port}"));
    for authority in outbound {
        command.arg("--allow-outbound").arg(authority);
    }
    ProcessInstance::started(
        command,
        format!("http://127.0.0.1:{port}"),
        "faasade-wasm-host",
        Duration::from_secs(120),
        true,
    )
}

/// The Spin component on `wasmtime serve`.
pub(crate) struct SpinOnWasmtime;

impl Shim for SpinOnWasmtime {
    fn target(&self) -> &'static str {
        "spin"
    }

    fn label(&self) -> &'static str {
        "spin@wasmtime"
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String> {
        let wasm = cargo_build_component("conformance", "spin,fetch")?;
        let app = app_config(&workspace().join("examples/conformance"), setup)?;
        wasmtime_serve(&wasm, &environment(&app))
    }

    fn not_on_this_runtime(&self, group: &str) -> Option<&'static str> {
        (group == "kv").then_some(
            "wasmtime serve has no spin:key-value; the kv group runs on the local Wasm host",
        )
    }

    fn checks_extras(&self) -> bool {
        false
    }
}
