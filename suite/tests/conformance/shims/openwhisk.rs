//! Apache OpenWhisk: the conformance app built as the action's static `exec`
//! (`x86_64-unknown-linux-musl`, `--features openwhisk`), started by a driver that does what
//! OpenWhisk's actionloop proxy does, behind an HTTP front that turns each request into a raw
//! web action's activation and its result back into a response, as the controller does
//! (`faasade_openwhisk_host`, what `cargo faasade dev openwhisk` runs). No OpenWhisk
//! deployment runs here: the protocol and the controller's mapping are followed from
//! OpenWhisk's sources.
//!
//! The app's vars reach it as the action's default parameters (merged into every activation,
//! as `wsk action create -p` does); its secrets as `/init`'s `env` (parameters created with
//! `init: true`).

use super::{Instance, Setup, Shim, app_config};
use faasade_openwhisk_host as driver;
use faasade_suite::process::{cargo_build_openwhisk, workspace};

pub(crate) struct OpenWhisk;

impl Shim for OpenWhisk {
    fn target(&self) -> &'static str {
        "openwhisk"
    }

    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String> {
        let exec = cargo_build_openwhisk("conformance")?;
        let app = app_config(&workspace().join("examples/conformance"), setup)?;
        let (secrets, vars) = (&app.config.file.secrets, &app.config.file.vars);
        let front = driver::WebFront::serve_app(&exec, secrets, vars, "127.0.0.1:0", false)?;
        Ok(Box::new(Front(front)))
    }
}

struct Front(driver::WebFront);

impl Instance for Front {
    fn base_url(&self) -> &str {
        &self.0.url
    }

    fn logs(&self) -> String {
        self.0.logs()
    }

    fn stop(self: Box<Self>) -> Result<(), String> {
        let status = self.0.stop()?;
        if status.success() {
            Ok(())
        } else {
            Err(format!(
                "the action exited with {status} when its stdin closed"
            ))
        }
    }
}
