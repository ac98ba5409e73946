//! Cloudflare Workers: the conformance app built with worker-build (`--features cloudflare`,
//! wasm32-unknown-unknown) and served by workerd through `wrangler dev`, with local Workers KV
//! persisted in a scratch folder. wrangler.toml is generated from the app's faasade.toml (vars,
//! KV stores) plus the suite's vars; secrets go to `.dev.vars`, as wrangler reads them locally.
//!
//! Tools come from the test command: `FAASADE_WORKER_BUILD`, `FAASADE_WASM_BINDGEN` (the CLI at
//! exactly the wasm-bindgen version in Cargo.lock) and `FAASADE_NPM` (a folder whose
//! node_modules holds Node 22, wrangler, binaryen's wasm-opt and esbuild).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::process::{Process, free_port, installed_tool, scratch, workspace};
use super::{AppConfig, Instance, ProcessInstance, Setup, Shim};

pub(crate) struct Cloudflare;

impl Shim for Cloudflare {
    fn target(&self) -> &'static str {
        "cloudflare"
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String> {
        let worker_build = installed_tool(
            "FAASADE_WORKER_BUILD",
            "cargo/bin/worker-build",
            "worker-build",
        )?;
        let wasm_bindgen = installed_tool(
            "FAASADE_WASM_BINDGEN",
            "cargo/bin/wasm-bindgen",
            "wasm-bindgen (CLI)",
        )?;
        let npm = installed_tool("FAASADE_NPM", "npm", "the npm tools folder")?;
        let bin = npm.join("node_modules/.bin");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );

        let dir = scratch("cloudflare")?;
        let app = workspace().join("examples/conformance");
        let build = worker_build_in(&worker_build, &wasm_bindgen, &npm, &path, &app, &dir)?;
        let config = AppConfig::read(&app, setup)?;
        let (wrangler_toml, dev_vars) = wrangler_config(&config, &build);
        std::fs::write(dir.join("wrangler.toml"), wrangler_toml).map_err(|e| e.to_string())?;
        std::fs::write(dir.join(".dev.vars"), dev_vars).map_err(|e| e.to_string())?;

        let port = free_port()?;
        let mut command = Command::new(bin.join("wrangler"));
        command
            .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
            .args(["--inspector-port", &free_port()?.to_string()])
            .args(["--show-interactive-dev-session=false", "--persist-to"])
            .arg(dir.join("state"))
            .current_dir(&dir)
            .env("PATH", &path)
            .env("WRANGLER_SEND_METRICS", "false")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .env("CI", "true")
            .env("WRANGLER_LOG_PATH", dir.join("wrangler-logs"));
        let mut process = Process::spawn(command)?;
        process.wait_for("Ready on http://", Duration::from_secs(120))?;
        // wrangler's own exit status on SIGTERM is not part of the contract.
        Ok(Box::new(ProcessInstance {
            process,
            base_url: format!("http://127.0.0.1:{port}"),
            clean_exit_required: false,
        }))
    }
}

/// `worker-build --release --features cloudflare` on the app, output in `dir/build`.
fn worker_build_in(
    worker_build: &Path,
    wasm_bindgen: &Path,
    npm: &Path,
    path: &str,
    app: &Path,
    dir: &Path,
) -> Result<PathBuf, String> {
    let out = dir.join("build");
    let status = Command::new(worker_build)
        .arg("--release")
        .arg("--out-dir")
        .arg(&out)
        .args(["--features", "cloudflare"])
        .current_dir(app)
        .env("PATH", path)
        .env("WASM_BINDGEN_BIN", wasm_bindgen)
        .env("WASM_OPT_BIN", npm.join("node_modules/.bin/wasm-opt"))
        .env(
            "ESBUILD_BIN",
            npm.join("node_modules/@esbuild/linux-x64/bin/esbuild"),
        )
        .status()
        .map_err(|e| format!("{}: {e}", worker_build.display()))?;
    if !status.success() {
        return Err(format!("worker-build failed ({status})"));
    }
    Ok(out)
}

/// wrangler.toml and `.dev.vars` for the app: its vars, secrets and KV stores (each store
/// bound under its own name).
fn wrangler_config(config: &AppConfig, build: &Path) -> (String, String) {
    let mut out = String::new();
    let _ = writeln!(out, "name = {:?}", config.name);
    let _ = writeln!(
        out,
        "main = {:?}",
        build.join("worker/shim.mjs").display().to_string()
    );
    let _ = writeln!(out, "compatibility_date = \"2026-11-01\"\n\n[vars]");
    for (k, v) in &config.vars {
        let _ = writeln!(out, "{k} = {v:?}");
    }
    for store in &config.kv_stores {
        let _ = writeln!(
            out,
            "\n[[kv_namespaces]]\nbinding = {store:?}\nid = \"faasade-{store}\""
        );
    }
    let mut dev_vars = String::new();
    for (k, v) in &config.secrets {
        let _ = writeln!(dev_vars, "{k}={v:?}");
    }
    (out, dev_vars)
}
