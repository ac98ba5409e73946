//! One shim per target: build the conformance app for it, start the target's real local
//! runtime, hand back a base URL, stop it. An adapter adds its shim here and nothing else.

mod aws;
mod cloudflare;
mod fastly;
mod local;
mod openwhisk;
mod spin;
mod wasi;

use std::time::Duration;

use cargo_faasade::config::AppConfig;
use cargo_faasade::manifest::App;
use faasade_suite::process::{self, Process};

/// What every target's app is started with.
pub(crate) struct Setup {
    /// Base URL of the test upstream (the `fetch` group).
    pub(crate) upstream_url: String,
    /// Config vars the cases read.
    pub(crate) vars: Vec<(&'static str, String)>,
}

/// The conformance app as provider manifests describe it: its faasade.toml, read by
/// `cargo faasade`, plus the suite's [`Setup`] in its vars (`UPSTREAM_URL`, then the suite's
/// vars, which win). The cloudflare and fastly shims write their wrangler.toml and fastly.toml
/// with `cargo_faasade::manifest` from it, so the suite runs the files users deploy.
pub(crate) fn app_config(app: &std::path::Path, setup: &Setup) -> Result<App, String> {
    let mut config = AppConfig::read(app, "app").map_err(|e| format!("{e:#}"))?;
    config
        .file
        .vars
        .insert("UPSTREAM_URL".into(), setup.upstream_url.clone());
    for (name, value) in &setup.vars {
        config.file.vars.insert((*name).to_owned(), value.clone());
    }
    let package = config.name.clone();
    Ok(App { config, package })
}

/// Vars and secrets as `NAME=VALUE` pairs, for targets that read them from the environment.
pub(crate) fn environment(app: &App) -> Vec<String> {
    cargo_faasade::manifest::environment(app)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

/// A target's conformance driver.
pub(crate) trait Shim {
    /// The target's name, as in `faasade::targets`.
    fn target(&self) -> &'static str;
    /// The column of the table: the target, and the runtime where a target runs on several.
    fn label(&self) -> &'static str {
        self.target()
    }
    /// Build the conformance app and start it on the target's runtime.
    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String>;
    /// Why a case group cannot run on this runtime though the target offers it (a runtime
    /// that lacks the provider's own interfaces); `None` when it runs.
    fn not_on_this_runtime(&self, group: &str) -> Option<&'static str> {
        let _ = group;
        None
    }
    /// Whether the checks beyond the shared cases (`extras`) apply to this run.
    fn checks_extras(&self) -> bool {
        true
    }
}

/// A started app.
pub(crate) trait Instance {
    /// Where to send the cases, e.g. `http://127.0.0.1:41234`.
    fn base_url(&self) -> &str;
    /// What the runtime printed so far (shown when a case fails).
    fn logs(&self) -> String;
    /// Stop the runtime; an unclean stop is an error.
    fn stop(self: Box<Self>) -> Result<(), String>;
}

/// A runtime process serving the conformance app at `base_url`.
pub(crate) struct ProcessInstance {
    pub(crate) process: Process,
    pub(crate) base_url: String,
    /// Whether SIGTERM must end the process cleanly (a target's own server), or only end it
    /// (an emulator whose exit status is not part of the contract).
    pub(crate) clean_exit_required: bool,
}

impl ProcessInstance {
    /// Spawn `command`, a runtime serving the app at `base_url`, and wait (at most `timeout`)
    /// until `GET <base_url>/` answers `200`; `what` names the runtime in errors.
    pub(crate) fn started(
        command: std::process::Command,
        base_url: String,
        what: &str,
        timeout: Duration,
        clean_exit_required: bool,
    ) -> Result<Box<dyn Instance>, String> {
        let process = Process::spawn(command)?;
        process::wait_for_ok(&process, &format!("{base_url}/"), timeout, what)?;
        Ok(Box::new(Self {
            process,
            base_url,
            clean_exit_required,
        }))
    }
}

impl Instance for ProcessInstance {
    fn base_url(&self) -> &str {
        &self.base_url
    }

    fn logs(&self) -> String {
        self.process.output()
    }

    fn stop(self: Box<Self>) -> Result<(), String> {
        let stopped = self.process.terminate(Duration::from_secs(15));
        if self.clean_exit_required {
            stopped
        } else {
            Ok(())
        }
    }
}

/// Every shim, in the registry's order: one per target (two for spin, which runs on two
/// hosts). A target in the registry without a shim stops the suite.
pub(crate) fn all() -> Vec<Box<dyn Shim>> {
    faasade::targets::TARGETS
        .iter()
        .flat_map(|t| for_target(t.name))
        .collect()
}

fn for_target(target: &str) -> Vec<Box<dyn Shim>> {
    match target {
        "local" => vec![Box::new(local::Local)],
        "aws" => vec![Box::new(aws::Aws)],
        "cloudflare" => vec![Box::new(cloudflare::Cloudflare)],
        "fastly" => vec![Box::new(fastly::Fastly)],
        "spin" => vec![
            Box::new(spin::SpinOnWasmHost),
            Box::new(spin::SpinOnWasmtime),
        ],
        "openwhisk" => vec![Box::new(openwhisk::OpenWhisk)],
        "wasi" => vec![Box::new(wasi::Wasi)],
        other => panic!(
            "the target `{other}` is in the registry but has no conformance shim: add one in suite/tests/conformance/shims/"
        ),
    }
}
