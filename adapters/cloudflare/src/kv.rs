//! KV stores on Workers KV: `cx.kv("name")` is the namespace bound as `name` (declared in
//! faasade.toml `[kv] stores`, written into wrangler.toml). Behind the `kv` feature.

use std::sync::Arc;

use bytes::Bytes;
use faasade_core::{BoxFuture, Error, Kv, KvPage, KvStore, ListOptions, Result};
use worker::Env;
use worker::send::{SendFuture, SendWrapper};

/// The store bound as `store`, or an error saying how to bind it.
pub(crate) fn open(env: &Env, store: &str) -> Result<Kv> {
    let ns = env.kv(store).map_err(|e| {
        Error::internal(format!(
            "the KV store `{store}` has no Workers KV namespace bound: list it in \
             faasade.toml `[kv] stores` so that wrangler.toml binds it"
        ))
        .with_source(e)
    })?;
    Ok(Kv::new(store, Arc::new(CfKv(SendWrapper::new(ns)))))
}

struct CfKv(SendWrapper<worker::kv::KvStore>);

fn kv_error(op: &str, key: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("KV {op} {key:?} failed: {e}"))
}

impl KvStore for CfKv {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>>> {
        Box::pin(SendFuture::new(async move {
            let value = self.0.get(key).bytes().await;
            value
                .map(|v| v.map(Bytes::from))
                .map_err(|e| kv_error("get", key, e))
        }))
    }

    fn put<'a>(&'a self, key: &'a str, value: Bytes) -> BoxFuture<'a, Result<()>> {
        Box::pin(SendFuture::new(async move {
            let put = self
                .0
                .put_bytes(key, &value)
                .map_err(|e| kv_error("put", key, e))?;
            put.execute().await.map_err(|e| kv_error("put", key, e))
        }))
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(SendFuture::new(async move {
            self.0
                .delete(key)
                .await
                .map_err(|e| kv_error("delete", key, e))
        }))
    }

    fn list<'a>(&'a self, options: &'a ListOptions) -> BoxFuture<'a, Result<KvPage>> {
        Box::pin(SendFuture::new(async move {
            let mut list = self.0.list();
            if let Some(prefix) = &options.prefix {
                list = list.prefix(prefix.clone());
            }
            if let Some(cursor) = &options.cursor {
                list = list.cursor(cursor.clone());
            }
            if let Some(limit) = options.limit {
                list = list.limit(limit.clamp(1, 1000) as u64);
            }
            let page = list
                .execute()
                .await
                .map_err(|e| kv_error("list", options.prefix.as_deref().unwrap_or(""), e))?;
            Ok(KvPage {
                keys: page.keys.into_iter().map(|k| k.name).collect(),
                cursor: if page.list_complete {
                    None
                } else {
                    page.cursor
                },
            })
        }))
    }
}
