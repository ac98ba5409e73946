//! The local [`Platform`]: vars and secrets from the environment and `faasade.toml`, KV in
//! redb (the `kv` feature), outbound fetch through reqwest (faasade-native-fetch), `wait_until` on the worker's task set.

use std::collections::BTreeMap;

#[cfg(not(feature = "kv"))]
use faasade_core::Capability;
use faasade_core::{BoxFuture, Error, Kv, LocalBoxFuture, Platform, Request, Response, Result};
use faasade_native_fetch::Fetcher;
use tokio_util::task::TaskTracker;

use crate::config::Config;
#[cfg(feature = "kv")]
use crate::kv::LocalDb;

/// The target name the local server reports.
pub const TARGET: &str = "local";

pub(crate) struct LocalPlatform {
    vars: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    #[cfg(feature = "kv")]
    kv_stores: Option<Vec<String>>,
    #[cfg(feature = "kv")]
    db: LocalDb,
    fetcher: Fetcher,
    pub(crate) background: TaskTracker,
}

impl LocalPlatform {
    pub(crate) fn new(config: &Config) -> Self {
        Self {
            vars: config.vars.clone(),
            secrets: config.secrets.clone(),
            #[cfg(feature = "kv")]
            kv_stores: config.kv_stores.clone(),
            #[cfg(feature = "kv")]
            db: LocalDb::new(config.data_dir.clone()),
            fetcher: Fetcher::new(TARGET, config.timeout),
            background: TaskTracker::new(),
        }
    }
}

impl Platform for LocalPlatform {
    fn target(&self) -> &'static str {
        TARGET
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .or_else(|| self.vars.get(name).cloned())
    }

    fn secret(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .or_else(|| self.secrets.get(name).cloned())
    }

    #[cfg(not(feature = "kv"))]
    fn kv(&self, _store: &str) -> Result<Kv> {
        Err(Error::left_out(TARGET, Capability::Kv))
    }

    #[cfg(feature = "kv")]
    fn kv(&self, store: &str) -> Result<Kv> {
        if let Some(stores) = &self.kv_stores
            && !stores.iter().any(|s| s == store)
        {
            return Err(Error::internal(format!(
                "the KV store `{store}` is not declared: add it to faasade.toml `[kv] stores` \
                 (declared: {stores:?})"
            )));
        }
        Ok(Kv::new(store, std::sync::Arc::new(self.db.store(store))))
    }

    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        self.fetcher.fetch(req)
    }

    fn wait_until(&self, task: LocalBoxFuture<'static, ()>) -> Result<()> {
        // Workers run a LocalSet; shutdown waits for the tracker before exiting.
        self.background.spawn_local(task);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With the `kv` feature a store opens; without it (`cargo test -p faasade-local
    /// --no-default-features`, which the test command runs) the error names target, capability
    /// and feature.
    #[test]
    fn kv_follows_its_feature() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        let kv = LocalPlatform::new(&config).kv("default");
        if cfg!(feature = "kv") {
            assert!(kv.is_ok());
        } else {
            let e = kv.err().unwrap();
            assert_eq!(
                e.to_string(),
                "this `local` build leaves `kv` out: enable faasade's `kv` feature \
                 (on by default) to use it"
            );
        }
    }

    /// Likewise for `fetch`: without the feature the error comes before any network use.
    #[test]
    fn fetch_follows_its_feature() {
        let platform = LocalPlatform::new(&Config::default());
        let req = http::Request::get("http://127.0.0.1:9/")
            .body(faasade_core::Body::empty())
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let e = rt.block_on(platform.fetch(req)).unwrap_err();
        if cfg!(feature = "fetch") {
            assert_eq!(e.status(), 502, "{e}");
        } else {
            assert!(e.to_string().contains("leaves `fetch` out"), "{e}");
        }
    }
}
