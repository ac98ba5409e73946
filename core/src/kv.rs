//! Key-value stores: the [`Kv`] handle users call and the [`KvStore`] trait adapters implement.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{BoxFuture, Error, Result};

/// The longest key every target accepts (Workers KV's limit is the smallest, 512 bytes).
pub const MAX_KEY_LEN: usize = 512;

/// The provider side of a key-value store.
pub trait KvStore: Send + Sync + 'static {
    /// The value under `key`, or `None`.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>>>;
    /// Store `value` under `key`, replacing any old value.
    fn put<'a>(&'a self, key: &'a str, value: Bytes) -> BoxFuture<'a, Result<()>>;
    /// Remove `key`; removing an absent key is not an error.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>>;
    /// One page of keys in ascending order.
    fn list<'a>(&'a self, options: &'a ListOptions) -> BoxFuture<'a, Result<KvPage>>;
}

/// What to list: a prefix, where to resume, and how many keys at most.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOptions {
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// The `cursor` of the previous page.
    pub cursor: Option<String>,
    /// At most this many keys (the adapter's default when `None`, 1000 at most).
    pub limit: Option<usize>,
}

impl ListOptions {
    /// Keys starting with `prefix`.
    pub fn prefix(prefix: impl Into<String>) -> Self {
        Self {
            prefix: Some(prefix.into()),
            ..Self::default()
        }
    }

    /// Resume after the page that returned `cursor`.
    pub fn after(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// At most `limit` keys.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }
}

/// One page of a [`Kv::list`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KvPage {
    /// The keys, ascending.
    pub keys: Vec<String>,
    /// `Some` when there are more keys: pass it to [`ListOptions::after`].
    pub cursor: Option<String>,
}

/// A key-value store, from [`crate::Context::kv`].
///
/// Keys are checked the same way on every target (non-empty, at most [`MAX_KEY_LEN`] bytes),
/// so a key that works locally works everywhere; a bad key is a `400` error.
#[derive(Clone)]
pub struct Kv {
    name: Arc<str>,
    store: Arc<dyn KvStore>,
}

impl Kv {
    /// Used by adapters: wrap a store under its configured name.
    pub fn new(name: impl Into<Arc<str>>, store: Arc<dyn KvStore>) -> Self {
        Self {
            name: name.into(),
            store,
        }
    }

    /// The store's configured name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value under `key`, or `None`.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>> {
        check_key(key)?;
        self.store.get(key).await
    }

    /// The value under `key` as UTF-8 text.
    pub async fn get_text(&self, key: &str) -> Result<Option<String>> {
        match self.get(key).await? {
            Some(b) => Ok(Some(String::from_utf8(b.to_vec()).map_err(|e| {
                Error::internal(format!("KV value under {key:?} is not UTF-8")).with_source(e)
            })?)),
            None => Ok(None),
        }
    }

    /// The value under `key` as JSON.
    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        match self.get(key).await? {
            Some(b) => Ok(Some(serde_json::from_slice(&b).map_err(|e| {
                Error::internal(format!("KV value under {key:?} is not the expected JSON"))
                    .with_source(e)
            })?)),
            None => Ok(None),
        }
    }

    /// Store `value` under `key`.
    pub async fn put(&self, key: &str, value: impl Into<Bytes>) -> Result<()> {
        check_key(key)?;
        self.store.put(key, value.into()).await
    }

    /// Store `value` as JSON under `key`.
    pub async fn put_json<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<()> {
        self.put(key, serde_json::to_vec(value)?).await
    }

    /// Remove `key` (absent keys are fine).
    pub async fn delete(&self, key: &str) -> Result<()> {
        check_key(key)?;
        self.store.delete(key).await
    }

    /// One page of keys.
    pub async fn list(&self, options: &ListOptions) -> Result<KvPage> {
        self.store.list(options).await
    }
}

impl fmt::Debug for Kv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Kv")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn check_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::bad_request("KV key is empty"));
    }
    if key.len() > MAX_KEY_LEN {
        return Err(Error::bad_request(format!(
            "KV key is longer than {MAX_KEY_LEN} bytes"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::block_on;
    use http::StatusCode;

    struct Refuse;
    impl KvStore for Refuse {
        fn get<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Option<Bytes>>> {
            Box::pin(async { Ok(Some(Bytes::from_static(b"\xff"))) })
        }
        fn put<'a>(&'a self, _: &'a str, _: Bytes) -> BoxFuture<'a, Result<()>> {
            Box::pin(async { Ok(()) })
        }
        fn delete<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<()>> {
            Box::pin(async { Ok(()) })
        }
        fn list<'a>(&'a self, _: &'a ListOptions) -> BoxFuture<'a, Result<KvPage>> {
            Box::pin(async { Ok(KvPage::default()) })
        }
    }

    #[test]
    fn keys_are_checked_before_the_store_is_asked() {
        let kv = Kv::new("default", Arc::new(Refuse));
        let empty = block_on(kv.put("", "v")).unwrap_err();
        assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
        let long = "k".repeat(MAX_KEY_LEN + 1);
        assert_eq!(
            block_on(kv.get(&long)).unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        assert!(block_on(kv.get(&"k".repeat(MAX_KEY_LEN))).is_ok());
    }

    #[test]
    fn non_utf8_values_are_reported_not_mangled() {
        let kv = Kv::new("default", Arc::new(Refuse));
        let err = block_on(kv.get_text("k")).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
    }
}
