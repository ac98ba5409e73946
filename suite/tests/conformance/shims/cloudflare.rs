//! Cloudflare Workers: the conformance app built with worker-build (`--features cloudflare`,
//! wasm32-unknown-unknown) and served by workerd through `wrangler dev`, with local Workers KV
//! persisted in a scratch folder. wrangler.toml and `.dev.vars` (the secrets, as wrangler reads
//! them locally) are the ones `cargo faasade` generates from the app's faasade.toml, plus the
//! suite's vars; each KV store is a namespace bound under its name.
//!
//! The Worker is built as `cargo faasade build cloudflare` builds it
//! (`cargo_faasade::targets::cloudflare::worker_build`). Tools come from the test command:
//! `FAASADE_WORKER_BUILD`, `FAASADE_WASM_BINDGEN` (the CLI at exactly the wasm-bindgen version
//! in Cargo.lock) and `FAASADE_NPM` (a folder whose node_modules holds Node 22, wrangler,
//! binaryen's wasm-opt and esbuild).

use std::process::Command;
use std::time::Duration;

use super::{Instance, ProcessInstance, Setup, Shim, app_config};
use faasade_suite::process::{Process, free_port, installed_tool, scratch, workspace};

pub(crate) struct Cloudflare;

impl Shim for Cloudflare {
    fn target(&self) -> &'static str {
        "cloudflare"
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String> {
        let npm = installed_tool("FAASADE_NPM", "npm", "the npm tools folder")?;
        let bin = npm.join("node_modules/.bin");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );

        let dir = scratch("cloudflare")?;
        let app = workspace().join("examples/conformance");
        // wrangler.toml's `main` is `build/worker/shim.mjs`, beside it.
        cargo_faasade::targets::cloudflare::worker_build(
            &app,
            &dir.join("build"),
            true,
            &["--features", "cloudflare"],
        )
        .map_err(|e| format!("{e:#}"))?;
        let app = app_config(&app, setup)?;
        let wrangler_toml = cargo_faasade::targets::cloudflare::wrangler_toml(&app)
            .map_err(|e| format!("{e:#}"))?;
        std::fs::write(dir.join("wrangler.toml"), wrangler_toml.text).map_err(|e| e.to_string())?;
        std::fs::write(
            dir.join(".dev.vars"),
            cargo_faasade::targets::cloudflare::dev_vars(&app),
        )
        .map_err(|e| e.to_string())?;

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
