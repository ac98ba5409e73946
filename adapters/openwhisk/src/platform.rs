//! The OpenWhisk [`Platform`]: vars and secrets from the activation's parameters (the action's
//! default parameters), then the process environment (`/init`'s `env`); outbound fetch with
//! reqwest. KV and `wait_until` are not offered.

use std::sync::Arc;
use std::time::Duration;

use faasade_core::{BoxFuture, Platform, Request, Response, Result};
use faasade_native_fetch::Fetcher;
use serde_json::{Map, Value};

use crate::web::RESERVED_PREFIX;

/// The target name this adapter reports.
pub const TARGET: &str = "openwhisk";

/// The client every activation shares: OpenWhisk's longest action limit is 5 minutes by
/// default, and the container's deadline stops a fetch anyway.
pub(crate) fn fetcher() -> Arc<Fetcher> {
    Arc::new(Fetcher::new(TARGET, Duration::from_secs(300)))
}

pub(crate) struct OwPlatform {
    params: Map<String, Value>,
    fetcher: Arc<Fetcher>,
}

impl OwPlatform {
    /// A platform whose vars are `params` (the controller's `__ow_` fields left out).
    pub(crate) fn new(params: &Map<String, Value>, fetcher: Arc<Fetcher>) -> Self {
        let params = params
            .iter()
            .filter(|(name, _)| !name.starts_with(RESERVED_PREFIX))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Self { params, fetcher }
    }
}

impl Platform for OwPlatform {
    fn target(&self) -> &'static str {
        TARGET
    }

    fn var(&self, name: &str) -> Option<String> {
        match self.params.get(name) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => std::env::var(name).ok(),
            Some(other) => Some(other.to_string()),
        }
    }

    fn secret(&self, name: &str) -> Option<String> {
        self.var(name)
    }

    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        self.fetcher.fetch(req)
    }
}
