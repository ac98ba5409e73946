//! The OpenWhisk [`Platform`]: vars and secrets from the process environment (`/init`'s
//! `env`), then the activation's parameters; outbound fetch with reqwest. KV and `wait_until`
//! are not offered.
//!
//! Parameters are only what the deployer bound (and, for a plain action, what an
//! authenticated invoker or a trigger passed): web actions are served raw only, and a raw web
//! action's request reaches the action as `__ow_` fields, never as parameters of its own.

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
        // The environment first: only the deployer sets it.
        if let Ok(value) = std::env::var(name) {
            return Some(value);
        }
        match self.params.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        }
    }

    fn secret(&self, name: &str) -> Option<String> {
        self.var(name)
    }

    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        self.fetcher.fetch(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_environment_wins_over_parameters_and_ow_fields_are_not_vars() {
        // PATH is set in every test process; HOME too. Neither can be replaced by a parameter.
        let path = std::env::var("PATH").unwrap();
        let params = json!({"PATH": "/elsewhere", "__ow_method": "get", "GREETING": "hi", "N": 3});
        let Value::Object(params) = params else {
            unreachable!()
        };
        let platform = OwPlatform::new(&params, fetcher());
        assert_eq!(platform.var("PATH").as_deref(), Some(path.as_str()));
        assert_eq!(platform.secret("PATH").as_deref(), Some(path.as_str()));
        assert_eq!(platform.var("GREETING").as_deref(), Some("hi"));
        assert_eq!(platform.var("N").as_deref(), Some("3"));
        assert_eq!(platform.var("__ow_method"), None);
    }
}
