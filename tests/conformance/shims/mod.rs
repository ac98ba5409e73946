//! One shim per target: build the conformance app for it, start the target's real local
//! runtime, hand back a base URL, stop it. An adapter adds its shim here and nothing else.

mod aws;
mod cloudflare;
mod local;
mod process;

use std::time::Duration;

use process::Process;

/// What every target's app is started with.
pub(crate) struct Setup {
    /// Base URL of the test upstream (the `fetch` group).
    pub(crate) upstream_url: String,
    /// Config vars the cases read.
    pub(crate) vars: Vec<(&'static str, String)>,
}

/// A target's conformance driver.
pub(crate) trait Shim {
    /// The target's name, as in `faasade::targets`.
    fn target(&self) -> &'static str;
    /// Build the conformance app and start it on the target's runtime.
    fn start(&self, setup: &Setup) -> Result<Box<dyn Instance>, String>;
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
    ]
}
