//! Fastly Compute: the conformance app built for `wasm32-wasip1` with `--features fastly` and
//! served by Viceroy, Fastly's local Compute runtime. fastly.toml's `[local_server]` is
//! generated from the app's faasade.toml: its vars (plus the suite's) become the config store
//! `vars`, its secrets the secret store `secrets`, each KV store an empty KV store under its
//! name. Outbound fetches reach the test upstream through a dynamic backend, which Viceroy
//! allows by default.
//!
//! Viceroy comes from the test command (`FAASADE_VICEROY`, or `cargo/bin/viceroy` in its cache).

use std::fmt::Write as _;
use std::process::Command;
use std::time::Duration;

use super::process::{cargo_build_fastly, free_port, installed_tool, scratch, workspace};
use super::{AppConfig, Instance, ProcessInstance, Setup, Shim};

pub(crate) struct Fastly;

impl Shim for Fastly {
    fn target(&self) -> &'static str {
        "fastly"
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String> {
        let viceroy = installed_tool("FAASADE_VICEROY", "cargo/bin/viceroy", "viceroy")?;
        let wasm = cargo_build_fastly("conformance")?;
        let dir = scratch("fastly")?;
        let app = workspace().join("examples/conformance");
        let config = AppConfig::read(&app, setup)?;
        std::fs::write(dir.join("fastly.toml"), fastly_toml(&config)).map_err(|e| e.to_string())?;

        let port = free_port()?;
        let mut command = Command::new(viceroy);
        command
            .args(["serve", "-C", "fastly.toml", "--addr"])
            .arg(format!("127.0.0.1:{port}"))
            .arg(&wasm)
            .current_dir(&dir);
        // Viceroy compiles the module before it listens; its own exit status on SIGTERM is not
        // part of the contract.
        ProcessInstance::started(
            command,
            format!("http://127.0.0.1:{port}"),
            "viceroy",
            Duration::from_secs(120),
            false,
        )
    }
}

/// fastly.toml with a `[local_server]` for the app. `config_stores` only (Viceroy refuses a
/// manifest that also has `dictionaries`, the older name of the same thing).
fn fastly_toml(config: &AppConfig) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "manifest_version = 3\nname = {:?}\nlanguage = \"rust\"\n",
        config.name
    );
    let _ = writeln!(
        out,
        "[local_server.config_stores.vars]\nformat = \"inline-toml\"\n\
         [local_server.config_stores.vars.contents]"
    );
    for (k, v) in &config.vars {
        let _ = writeln!(out, "{k} = {v:?}");
    }
    let _ = writeln!(out, "\n[local_server.secret_stores]");
    let _ = writeln!(out, "secrets = [");
    for (k, v) in &config.secrets {
        let _ = writeln!(out, "  {{ key = {k:?}, data = {v:?} }},");
    }
    let _ = writeln!(out, "]\n\n[local_server.kv_stores]");
    for store in &config.kv_stores {
        let _ = writeln!(out, "{store} = []");
    }
    out
}
