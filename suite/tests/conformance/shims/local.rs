//! The local target: the conformance app built natively and run as its own process, the way
//! `cargo run` runs it, configured only through the environment.

use std::process::Command;
use std::time::Duration;

use super::{Instance, ProcessInstance, Setup, Shim};
use faasade_suite::process::{Process, cargo_build, scratch};

pub(crate) struct Local;

impl Shim for Local {
    fn target(&self) -> &'static str {
        "local"
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String> {
        let exe = cargo_build("conformance", &[])?;
        let dir = scratch("local")?;
        let mut command = Command::new(exe);
        command
            .current_dir(&dir)
            .env("PORT", "0")
            .env("FAASADE_DATA_DIR", dir.join("data"))
            .env("UPSTREAM_URL", &setup.upstream_url)
            .env("RUST_LOG", "info")
            .env_remove("NOT_SET");
        for (name, value) in &setup.vars {
            command.env(name, value);
        }
        let mut process = Process::spawn(command)?;
        let base_url = process.wait_for("listening on ", Duration::from_secs(60))?;
        let base_url = base_url
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        // Graceful shutdown is part of the contract: SIGTERM must end the server cleanly.
        Ok(Box::new(ProcessInstance {
            process,
            base_url,
            clean_exit_required: true,
        }))
    }
}
