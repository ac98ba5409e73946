//! AWS Lambda: the conformance app built with `--features aws` and run by cargo-lambda's
//! Runtime API emulator (`cargo lambda watch`), reached through its Function URL endpoint
//! (`/lambda-url/<function>/...`), which sends Lambda's v2 payload. The test command installs
//! cargo-lambda from PyPI and points `FAASADE_CARGO_LAMBDA` at it.
//!
//! Where the emulator differs from Lambda: its deadline is a duration (600000 ms), not an epoch
//! time (the adapter accepts both); it adds CORS headers unless told not to (`--disable-cors`).

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::{Instance, ProcessInstance, Setup, Shim, app_config};
use faasade_suite::process::{free_port, installed_tool, workspace};

pub(crate) struct Aws;

fn cargo_lambda() -> Result<PathBuf, String> {
    installed_tool(
        "FAASADE_CARGO_LAMBDA",
        "venv/bin/cargo-lambda",
        "cargo-lambda",
    )
}

impl Shim for Aws {
    fn target(&self) -> &'static str {
        "aws"
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String> {
        let port = free_port()?;
        let mut command = Command::new(cargo_lambda()?);
        command
            .args([
                "lambda",
                "watch",
                "--ignore-changes",
                "--disable-cors",
                "--features",
                "aws",
            ])
            .args([
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
                &port.to_string(),
            ])
            .arg("--env-var")
            .arg(format!("UPSTREAM_URL={}", setup.upstream_url))
            .current_dir(workspace().join("examples/conformance"));
        for (name, value) in &setup.vars {
            command.arg("--env-var").arg(format!("{name}={value}"));
        }
        // Lambda functions read secrets from the environment (filled by the deployment).
        // cargo-lambda hands its own environment to the function, so the values stay off its
        // command line, where `ps` would show them.
        let app = app_config(&workspace().join("examples/conformance"), setup)?;
        command.envs(&app.config.file.secrets);
        // The emulator compiles the function before it can answer: wait for a first reply.
        // Its own exit status on SIGTERM is not part of the contract.
        ProcessInstance::started(
            command,
            format!("http://127.0.0.1:{port}/lambda-url/conformance"),
            "cargo lambda watch",
            Duration::from_secs(900),
            false,
        )
    }
}
