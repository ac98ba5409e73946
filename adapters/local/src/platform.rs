//! The local [`Platform`]: vars and secrets from the environment and `faasade.toml`, KV in
//! redb, outbound fetch through reqwest (faasade-native-fetch), `wait_until` on the worker's task set.

use std::collections::BTreeMap;
use std::sync::Arc;

use faasade_core::{BoxFuture, Error, Kv, LocalBoxFuture, Platform, Request, Response, Result};
use faasade_native_fetch::Fetcher;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::kv::LocalDb;

/// The target name the local server reports.
pub const TARGET: &str = "local";

pub(crate) struct LocalPlatform {
    vars: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    kv_stores: Option<Vec<String>>,
    db: LocalDb,
    fetcher: Fetcher,
    pub(crate) background: TaskTracker,
}

impl LocalPlatform {
    pub(crate) fn new(config: &Config) -> Self {
        Self {
            vars: config.vars.clone(),
            secrets: config.secrets.clone(),
            kv_stores: config.kv_stores.clone(),
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

    fn kv(&self, store: &str) -> Result<Kv> {
        if let Some(stores) = &self.kv_stores
            && !stores.iter().any(|s| s == store)
        {
            return Err(Error::internal(format!(
                "the KV store `{store}` is not declared: add it to faasade.toml `[kv] stores` \
                 (declared: {stores:?})"
            )));
        }
        Ok(Kv::new(store, Arc::new(self.db.store(store))))
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
