//! One shim per target: build the conformance app for it, start the target's real local
//! runtime, hand back a base URL, stop it. An adapter adds its shim here and nothing else.

mod aws;
mod cloudflare;
mod fastly;
mod local;
mod openwhisk;
mod process;
mod spin;
mod wasi;

use std::time::Duration;

use process::Process;

/// What every target's app is started with.
pub(crate) struct Setup {
    /// Base URL of the test upstream (the `fetch` group).
    pub(crate) upstream_url: String,
    /// Config vars the cases read.
    pub(crate) vars: Vec<(&'static str, String)>,
}

/// What a provider manifest (wrangler.toml, fastly.toml) is written from: the app's
/// faasade.toml plus the suite's [`Setup`].
pub(crate) struct AppConfig {
    /// The app's name.
    pub(crate) name: String,
    /// faasade.toml `[vars]`, then `UPSTREAM_URL` and the suite's vars (which win).
    pub(crate) vars: Vec<(String, String)>,
    /// faasade.toml `[secrets]` (local development values).
    pub(crate) secrets: Vec<(String, String)>,
    /// faasade.toml `[kv] stores`.
    pub(crate) kv_stores: Vec<String>,
}

impl AppConfig {
    /// Read `examples/<app>/faasade.toml` and add the suite's setup.
    pub(crate) fn read(app: &std::path::Path, setup: &Setup) -> Result<Self, String> {
        let path = app.join("faasade.toml");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let config: toml::Table = text
            .parse()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let strings = |name: &str| -> Vec<(String, String)> {
            config
                .get(name)
                .and_then(|v| v.as_table())
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        };
        let mut vars = strings("vars");
        vars.push(("UPSTREAM_URL".into(), setup.upstream_url.clone()));
        for (name, value) in &setup.vars {
            vars.retain(|(k, _)| k != name);
            vars.push(((*name).to_owned(), value.clone()));
        }
        let kv_stores = config
            .get("kv")
            .and_then(|kv| kv.get("stores")?.as_array())
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect();
        Ok(Self {
            name: config
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or("app")
                .to_owned(),
            vars,
            secrets: strings("secrets"),
            kv_stores,
        })
    }
}

impl AppConfig {
    /// Vars and secrets as `NAME=VALUE` pairs, for targets that read them from the environment.
    pub(crate) fn environment(&self) -> Vec<String> {
        self.vars
            .iter()
            .chain(&self.secrets)
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }
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

/// Every shim, in table order.
pub(crate) fn all() -> Vec<Box<dyn Shim>> {
    vec![
        Box::new(local::Local),
        Box::new(aws::Aws),
        Box::new(cloudflare::Cloudflare),
        Box::new(fastly::Fastly),
        Box::new(spin::SpinOnWasmHost),
        Box::new(spin::SpinOnWasmtime),
        Box::new(openwhisk::OpenWhisk),
        Box::new(wasi::Wasi),
    ]
}
