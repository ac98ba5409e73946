//! The local [`Platform`]: vars and secrets from the environment and `faasade.toml`, KV in
//! redb, outbound fetch through reqwest, `wait_until` on the worker's task set.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use faasade_core::{
    Body, BoxFuture, Error, Kv, LocalBoxFuture, Platform, Request, Response, Result, StatusCode,
};
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::kv::LocalDb;

/// The target name the local server reports.
pub const TARGET: &str = "local";

pub(crate) struct LocalPlatform {
    vars: BTreeMap<String, String>,
    secrets: BTreeMap<String, String>,
    db: LocalDb,
    http: OnceLock<reqwest::Client>,
    fetch_timeout: Duration,
    pub(crate) background: TaskTracker,
}

impl LocalPlatform {
    pub(crate) fn new(config: &Config) -> Self {
        Self {
            vars: config.vars.clone(),
            secrets: config.secrets.clone(),
            db: LocalDb::new(config.data_dir.clone()),
            http: OnceLock::new(),
            fetch_timeout: config.timeout,
            background: TaskTracker::new(),
        }
    }

    fn client(&self) -> Result<&reqwest::Client> {
        if let Some(c) = self.http.get() {
            return Ok(c);
        }
        let client = reqwest::Client::builder()
            .timeout(self.fetch_timeout)
            .build()
            .map_err(|e| Error::internal("cannot build the HTTP client").with_source(e))?;
        Ok(self.http.get_or_init(|| client))
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
        Ok(Kv::new(store, Arc::new(self.db.store(store))))
    }

    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        let client = self.client().cloned();
        Box::pin(async move { fetch(client?, req).await })
    }

    fn wait_until(&self, task: LocalBoxFuture<'static, ()>) -> Result<()> {
        // Workers run a LocalSet; shutdown waits for the tracker before exiting.
        self.background.spawn_local(task);
        Ok(())
    }
}

async fn fetch(client: reqwest::Client, req: Request) -> Result<Response> {
    let (parts, body) = req.into_parts();
    if parts.uri.scheme().is_none() || parts.uri.host().is_none() {
        return Err(Error::internal(format!(
            "fetch needs an absolute URL, got {:?}",
            parts.uri.to_string()
        )));
    }
    let url = parts.uri.to_string();
    let res = client
        .request(parts.method.clone(), &url)
        .headers(parts.headers)
        .body(body.into_bytes())
        .send()
        .await
        .map_err(|e| {
            Error::new(
                StatusCode::BAD_GATEWAY,
                format!("fetch {} {url} failed", parts.method),
            )
            .with_source(e)
        })?;
    let mut out = Response::new(Body::empty());
    *out.status_mut() = res.status();
    *out.headers_mut() = res.headers().clone();
    let bytes = res.bytes().await.map_err(|e| {
        Error::new(
            StatusCode::BAD_GATEWAY,
            format!("reading the body of {url} failed"),
        )
        .with_source(e)
    })?;
    *out.body_mut() = bytes.into();
    Ok(out)
}
