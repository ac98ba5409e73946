//! KV stores on Fastly KV stores: `cx.kv("name")` is the KV store linked to the service as
//! `name` (faasade.toml `[kv] stores`, written into fastly.toml). Behind the `kv` feature.
//! Fastly's KV calls block, so each future is ready when first polled.

use std::sync::Arc;

use bytes::Bytes;
use faasade_core::{BoxFuture, Error, Kv, KvPage, KvStore, ListOptions, Result};
use fastly::kv_store::{KVStore, KVStoreError};

/// Page size of `list` when the caller gives none, and the most it may ask for.
const MAX_LIST: usize = 1000;

/// The store linked as `store`, or an error saying how to link it.
pub(crate) fn open(store: &str) -> Result<Kv> {
    match KVStore::open(store) {
        Ok(Some(kv)) => Ok(Kv::new(store, Arc::new(FastlyKv(kv)))),
        Ok(None) | Err(KVStoreError::StoreNotFound(_)) => Err(Error::internal(format!(
            "the KV store `{store}` is not linked to this service: list it in faasade.toml \
             `[kv] stores` so that fastly.toml links it"
        ))),
        Err(e) => Err(kv_error("open", store, e)),
    }
}

struct FastlyKv(KVStore);

fn kv_error(op: &str, key: &str, e: KVStoreError) -> Error {
    Error::internal(format!("KV {op} {key:?} failed: {e}"))
}

impl KvStore for FastlyKv {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>>> {
        let value = match self.0.lookup(key) {
            Ok(mut found) => Ok(Some(Bytes::from(found.take_body_bytes()))),
            Err(KVStoreError::ItemNotFound) => Ok(None),
            Err(e) => Err(kv_error("get", key, e)),
        };
        Box::pin(async move { value })
    }

    fn put<'a>(&'a self, key: &'a str, value: Bytes) -> BoxFuture<'a, Result<()>> {
        let done = self
            .0
            .insert(key, value.to_vec())
            .map_err(|e| kv_error("put", key, e));
        Box::pin(async move { done })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        let done = match self.0.delete(key) {
            Ok(()) | Err(KVStoreError::ItemNotFound) => Ok(()),
            Err(e) => Err(kv_error("delete", key, e)),
        };
        Box::pin(async move { done })
    }

    fn list<'a>(&'a self, options: &'a ListOptions) -> BoxFuture<'a, Result<KvPage>> {
        let mut list = self.0.build_list();
        if let Some(prefix) = &options.prefix {
            list = list.prefix(prefix);
        }
        if let Some(cursor) = &options.cursor {
            list = list.cursor(cursor);
        }
        let limit = options.limit.unwrap_or(MAX_LIST).clamp(1, MAX_LIST);
        list = list.limit(limit as u32);
        let page = list
            .execute()
            .map(|page| KvPage {
                cursor: page.next_cursor().filter(|c| !c.is_empty()),
                keys: page.into_keys(),
            })
            .map_err(|e| kv_error("list", options.prefix.as_deref().unwrap_or(""), e));
        Box::pin(async move { page })
    }
}
