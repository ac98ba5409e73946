//! Local KV stores: one redb database in the data folder, one table per store name, so data
//! survives restarts like a provider's KV does.

use std::ops::Bound;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use faasade_core::kv::{KvPage, KvStore, ListOptions};
use faasade_core::{BoxFuture, Error, Result};
use redb::{Database, DatabaseError, ReadableDatabase, TableDefinition, TableError};

/// Page size of `list` when the caller gives none, and the most it may ask for.
const MAX_LIST: usize = 1000;

/// The database behind every local store (`<data dir>/kv.redb`), opened on first use. The
/// local target and Faasade's Wasm host share it, so an app sees the same data on both.
#[derive(Clone)]
pub struct LocalDb {
    path: PathBuf,
    db: Arc<Mutex<Option<Arc<Database>>>>,
}

impl LocalDb {
    /// The database in `data_dir`.
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            path: data_dir.join("kv.redb"),
            db: Arc::default(),
        }
    }

    fn open(&self) -> Result<Arc<Database>> {
        let mut slot = self.db.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(db) = &*slot {
            return Ok(db.clone());
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::internal(format!("cannot create the data folder {}", dir.display()))
                    .with_source(e)
            })?;
        }
        let db = Database::create(&self.path).map_err(|e| match e {
            DatabaseError::DatabaseAlreadyOpen => Error::internal(format!(
                "the local KV database {} is in use by another process \
                 (is another dev server running from this folder?)",
                self.path.display()
            )),
            e => Error::internal(format!(
                "cannot open the local KV database {}",
                self.path.display()
            ))
            .with_source(e),
        })?;
        let db = Arc::new(db);
        *slot = Some(db.clone());
        Ok(db)
    }

    /// The store called `name`.
    pub fn store(&self, name: &str) -> LocalStore {
        LocalStore {
            db: self.clone(),
            table: name.to_owned(),
        }
    }
}

/// One named store: a redb table. Its futures run on a tokio runtime.
pub struct LocalStore {
    db: LocalDb,
    table: String,
}

impl LocalStore {
    /// Run blocking database work off the async worker.
    fn blocking<T, F>(&self, work: F) -> BoxFuture<'static, Result<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Database, TableDefinition<'_, &str, &[u8]>) -> Result<T> + Send + 'static,
    {
        let db = self.db.clone();
        let table = self.table.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || work(&*db.open()?, TableDefinition::new(&table)))
                .await
                .map_err(|e| Error::internal("local KV task failed").with_source(e))?
        })
    }
}

impl KvStore for LocalStore {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>>> {
        let key = key.to_owned();
        self.blocking(move |db, def| {
            let txn = db.begin_read()?;
            let table = match txn.open_table(def) {
                Ok(t) => t,
                Err(TableError::TableDoesNotExist(_)) => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            Ok(table
                .get(key.as_str())?
                .map(|v| Bytes::copy_from_slice(v.value())))
        })
    }

    fn put<'a>(&'a self, key: &'a str, value: Bytes) -> BoxFuture<'a, Result<()>> {
        let key = key.to_owned();
        self.blocking(move |db, def| {
            let txn = db.begin_write()?;
            txn.open_table(def)?.insert(key.as_str(), &value[..])?;
            txn.commit()?;
            Ok(())
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        let key = key.to_owned();
        self.blocking(move |db, def| {
            let txn = db.begin_write()?;
            txn.open_table(def)?.remove(key.as_str())?;
            txn.commit()?;
            Ok(())
        })
    }

    fn list<'a>(&'a self, options: &'a ListOptions) -> BoxFuture<'a, Result<KvPage>> {
        let options = options.clone();
        self.blocking(move |db, def| {
            let txn = db.begin_read()?;
            let table = match txn.open_table(def) {
                Ok(t) => t,
                Err(TableError::TableDoesNotExist(_)) => return Ok(KvPage::default()),
                Err(e) => return Err(e.into()),
            };
            let prefix = options.prefix.as_deref().unwrap_or("");
            let limit = options.limit.unwrap_or(MAX_LIST).clamp(1, MAX_LIST);
            let start = match options.cursor.as_deref() {
                Some(cursor) if cursor >= prefix => Bound::Excluded(cursor),
                _ => Bound::Included(prefix),
            };
            let mut keys = Vec::new();
            let mut more = false;
            for entry in table.range::<&str>((start, Bound::Unbounded))? {
                let (key, _) = entry?;
                let key = key.value();
                if !key.starts_with(prefix) {
                    break;
                }
                if keys.len() == limit {
                    more = true;
                    break;
                }
                keys.push(key.to_owned());
            }
            let cursor = if more { keys.last().cloned() } else { None };
            Ok(KvPage { keys, cursor })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faasade_core::Kv;

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn put_get_delete_list_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        rt().block_on(async {
            let kv = Kv::new(
                "default",
                Arc::new(LocalDb::new(dir.path().into()).store("default")),
            );
            assert_eq!(kv.get("a").await.unwrap(), None);
            for k in ["user:1", "user:2", "user:3", "zzz"] {
                kv.put(k, k.as_bytes().to_vec()).await.unwrap();
            }
            let page = kv
                .list(&ListOptions::prefix("user:").limit(2))
                .await
                .unwrap();
            assert_eq!(page.keys, ["user:1", "user:2"]);
            let rest = kv
                .list(&ListOptions::prefix("user:").after(page.cursor.unwrap()))
                .await
                .unwrap();
            assert_eq!((rest.keys, rest.cursor), (vec!["user:3".to_owned()], None));
            kv.delete("user:1").await.unwrap();
            kv.delete("never-there").await.unwrap();
            assert_eq!(kv.get("user:1").await.unwrap(), None);
        });
        // A new database handle on the same folder sees what was written.
        rt().block_on(async {
            let db = LocalDb::new(dir.path().into());
            let kv = Kv::new("default", Arc::new(db.store("default")));
            assert_eq!(kv.get_text("zzz").await.unwrap().as_deref(), Some("zzz"));
            let other = Kv::new("other", Arc::new(db.store("other")));
            assert_eq!(other.get("zzz").await.unwrap(), None, "stores are separate");
            // A second process (here: a second handle) on the same folder is told why it can't.
            let clash = Kv::new(
                "default",
                Arc::new(LocalDb::new(dir.path().into()).store("default")),
            );
            let err = clash.get("zzz").await.unwrap_err();
            assert!(
                err.to_string().contains("in use by another process"),
                "{err}"
            );
        });
    }
}
