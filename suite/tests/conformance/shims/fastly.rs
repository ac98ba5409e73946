//! Fastly Compute: the conformance app built for `wasm32-wasip1` with `--features fastly` and
//! served by Viceroy, Fastly's local Compute runtime, with the fastly.toml `cargo faasade`
//! generates from the app's faasade.toml (plus the suite's vars): its `[local_server]` has the
//! vars in the config store `vars`, the secrets in the secret store `secrets`, each KV store
//! empty under its name, and a backend for the app's one upstream (`[upstreams] harness`, the
//! test upstream), which outbound fetches go through.
//!
//! Viceroy comes from the test command (`FAASADE_VICEROY`, or `cargo/bin/viceroy` in its cache).

use std::process::Command;
use std::time::Duration;

use super::{Instance, ProcessInstance, Setup, Shim, app_config};
use faasade_suite::process::{cargo_build_fastly, free_port, installed_tool, scratch, workspace};

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
        let app = app_config(&app, setup)?;
        let fastly_toml =
            cargo_faasade::targets::fastly::fastly_toml(&app).map_err(|e| format!("{e:#}"))?;
        std::fs::write(dir.join("fastly.toml"), fastly_toml.text).map_err(|e| e.to_string())?;

        let port = free_port()?;
        let mut command = Command::new(viceroy);
        command
            .args(["serve", "-C", "fastly.toml", "--addr"])
            .arg(format!("127.0.0.1:{port}"))
            .arg(&wasm)
            // fastly.toml names each secret's variable; its value comes from here.
            .envs(&app.config.file.secrets)
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
