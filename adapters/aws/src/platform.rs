//! The Lambda [`Platform`]: vars and secrets from the function's environment (Lambda has no
//! separate secret store; resolve Secrets Manager values into the environment at deploy time),
//! outbound fetch with reqwest. KV is not built in on this target.

use std::time::Duration;

use faasade_core::{BoxFuture, Platform, Request, Response, Result};
use faasade_native_fetch::Fetcher;

/// The target name this adapter reports.
pub const TARGET: &str = "aws";

pub(crate) struct AwsPlatform {
    fetcher: Fetcher,
}

impl AwsPlatform {
    pub(crate) fn new() -> Self {
        // Lambda's own limit is the function timeout (15 minutes at most).
        Self {
            fetcher: Fetcher::new(TARGET, Duration::from_secs(900)),
        }
    }
}

impl Platform for AwsPlatform {
    fn target(&self) -> &'static str {
        TARGET
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn secret(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        self.fetcher.fetch(req)
    }
}
