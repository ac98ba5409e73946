//! The local target: the conformance app built natively and run as its own process, the way
//! `cargo run` runs it, configured only through the environment.

use std::process::Command;
use std::time::Duration;

use super::process::{Process, cargo_build, scratch};
use super::{Instance, Setup, Shim};

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
        Ok(Box::new(Running { process, base_url }))
    }
}

struct Running {
    process: Process,
    base_url: String,
}

impl Instance for Running {
    fn base_url(&self) -> &str {
        &self.base_url
    }

    fn logs(&self) -> String {
        self.process.output()
    }

    fn stop(self: Box<Self>) -> Result<(), String> {
        // Graceful shutdown is part of the contract: SIGTERM must end the server cleanly.
        self.process.terminate(Duration::from_secs(15))
    }
}
