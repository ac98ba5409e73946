//! KV stores on Spin key-value stores: `cx.kv("name")` is the store labelled `name`, which the
//! component may open when spin.toml grants it (`key_value_stores`, written from faasade.toml
//! `[kv] stores`). Behind the `kv` feature.
//!
//! Spin lists every key of a store at once; `list` sorts them and pages through them itself,
//! the cursor being the last key of the page before.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use bytes::Bytes;
use faasade_core::{BoxFuture, Error, Kv, KvPage, KvStore, ListOptions, Result};
use send_wrapper::SendWrapper;
use spin_sdk::key_value::{Error as SpinError, Store};

/// Page size of `list` when the caller gives none, and the most it may ask for.
const MAX_LIST: usize = 1000;

/// The store labelled `store`, opened on its first use.
pub(crate) fn open(store: &str) -> Kv {
    Kv::new(
        store,
        Arc::new(SpinKv {
            label: store.to_owned(),
            store: SendWrapper::new(RefCell::new(None)),
        }),
    )
}

struct SpinKv {
    label: String,
    store: SendWrapper<RefCell<Option<Rc<Store>>>>,
}

impl SpinKv {
    async fn store(&self) -> Result<Rc<Store>> {
        if let Some(open) = self.store.borrow().clone() {
            return Ok(open);
        }
        let open = Rc::new(Store::open(&self.label).await.map_err(|e| match e {
            SpinError::NoSuchStore | SpinError::AccessDenied => Error::internal(format!(
                "the KV store `{}` is not granted to this component: list it in faasade.toml \
                 `[kv] stores` so that spin.toml's `key_value_stores` grants it",
                self.label
            )),
            e => kv_error("open", &self.label, e),
        })?);
        *self.store.borrow_mut() = Some(open.clone());
        Ok(open)
    }
}

fn kv_error(op: &str, key: &str, e: SpinError) -> Error {
    Error::internal(format!("KV {op} {key:?} failed: {e}"))
}

impl KvStore for SpinKv {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>>> {
        Box::pin(SendWrapper::new(async move {
            let store = self.store().await?;
            let value = store.get(key).await.map_err(|e| kv_error("get", key, e))?;
            Ok(value.map(Bytes::from))
        }))
    }

    fn put<'a>(&'a self, key: &'a str, value: Bytes) -> BoxFuture<'a, Result<()>> {
        Box::pin(SendWrapper::new(async move {
            let store = self.store().await?;
            store
                .set(key, &value)
                .await
                .map_err(|e| kv_error("put", key, e))
        }))
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(SendWrapper::new(async move {
            let store = self.store().await?;
            store
                .delete(key)
                .await
                .map_err(|e| kv_error("delete", key, e))
        }))
    }

    fn list<'a>(&'a self, options: &'a ListOptions) -> BoxFuture<'a, Result<KvPage>> {
        Box::pin(SendWrapper::new(async move {
            let store = self.store().await?;
            let keys = store
                .get_keys()
                .await
                .collect()
                .await
                .map_err(|e| kv_error("list", options.prefix.as_deref().unwrap_or(""), e))?;
            Ok(page(keys, options))
        }))
    }
}

/// One page of `keys` as `options` asks: those under the prefix, sorted, after the cursor.
fn page(mut keys: Vec<String>, options: &ListOptions) -> KvPage {
    if let Some(prefix) = &options.prefix {
        keys.retain(|k| k.starts_with(prefix.as_str()));
    }
    if let Some(cursor) = &options.cursor {
        keys.retain(|k| k > cursor);
    }
    keys.sort_unstable();
    let limit = options.limit.unwrap_or(MAX_LIST).clamp(1, MAX_LIST);
    let more = keys.len() > limit;
    keys.truncate(limit);
    KvPage {
        cursor: more.then(|| keys.last().cloned()).flatten(),
        keys,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(names: &[&str]) -> Vec<String> {
        names.iter().map(|k| (*k).to_owned()).collect()
    }

    #[test]
    fn pages_are_sorted_prefixed_and_resume_after_the_cursor() {
        let all = keys(&["p-c", "x", "p-a", "p-b"]);
        let first = page(all.clone(), &ListOptions::prefix("p-").limit(2));
        assert_eq!(first.keys, keys(&["p-a", "p-b"]));
        assert_eq!(first.cursor.as_deref(), Some("p-b"));
        let next = page(all, &ListOptions::prefix("p-").limit(2).after("p-b"));
        assert_eq!(next.keys, keys(&["p-c"]));
        assert_eq!(next.cursor, None);
    }
}
