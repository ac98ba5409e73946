//! Spin's `spin:variables@3.0.0` and `spin:key-value@3.0.0`, the interfaces spin-sdk 7
//! components import, implemented for the host (wit/host.wit).
//!
//! Variables are the app's faasade.toml `[vars]` and `[secrets]`, looked up by Spin's lower-case
//! names (`greeting` finds `GREETING`). Key-value stores are the local target's redb database
//! (`<data dir>/kv.redb`, one table per store), and a component may open only the stores
//! faasade.toml `[kv] stores` grants, as spin.toml's `key_value_stores` does on Spin.
//!
//! Every function is a WIT `async func`, so bindgen generates the concurrent host traits
//! (`*WithStore`, taking an [`Accessor`]): state is read from the store in a short
//! `Accessor::with` and the KV work is awaited outside it.

use std::collections::BTreeMap;
use std::sync::Arc;

use faasade_core::kv::{KvStore, ListOptions};
use faasade_local::{LocalDb, LocalStore};
use wasmtime::component::{
    Accessor, FutureReader, HasData, Linker, Resource, ResourceTable, StreamReader,
};

mod bindings {
    wasmtime::component::bindgen!({
        path: "wit",
        world: "faasade:wasm-host/spin-host",
        imports: { default: trappable },
        with: {
            "spin:key-value/key-value.store": super::OpenStore,
        },
    });
}

use bindings::spin::key_value::key_value::{self, Error as KvError};
use bindings::spin::variables::variables;

/// What every instance of one app shares: its variables and its KV database.
pub(crate) struct SpinShared {
    /// Variables by lower-case name.
    vars: BTreeMap<String, String>,
    db: LocalDb,
    stores: Vec<String>,
}

impl SpinShared {
    pub(crate) fn new(vars: &BTreeMap<String, String>, db: LocalDb, stores: Vec<String>) -> Self {
        Self {
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
            db,
            stores,
        }
    }
}

/// An opened `store` resource. `pub` as bindgen re-exports it from its `pub` modules.
#[allow(unreachable_pub)]
pub struct OpenStore(Arc<LocalStore>);

/// The view the generated code gets for each call.
pub(crate) struct SpinView<'a> {
    pub(crate) shared: &'a Arc<SpinShared>,
    pub(crate) table: &'a mut ResourceTable,
}

struct Spin;

impl HasData for Spin {
    type Data<'a> = SpinView<'a>;
}

/// Link both interfaces into `linker`.
pub(crate) fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> SpinView<'_>,
) -> wasmtime::Result<()> {
    variables::add_to_linker::<T, Spin>(linker, get)?;
    key_value::add_to_linker::<T, Spin>(linker, get)?;
    Ok(())
}

fn shared<T>(accessor: &Accessor<T, Spin>) -> Arc<SpinShared> {
    accessor.with(|mut access| access.get().shared.clone())
}

impl variables::Host for SpinView<'_> {}

impl<T> variables::HostWithStore<T> for Spin {
    async fn get(
        accessor: &Accessor<T, Self>,
        name: String,
    ) -> wasmtime::Result<Result<String, variables::Error>> {
        if name.is_empty()
            || name
                .bytes()
                .any(|b| !matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_'))
        {
            return Ok(Err(variables::Error::InvalidName(format!(
                "{name:?}: Spin variable names are lower-case letters, digits and `_`"
            ))));
        }
        Ok(shared(accessor)
            .vars
            .get(&name)
            .cloned()
            .ok_or_else(|| variables::Error::Undefined(format!("no variable `{name}`"))))
    }
}

impl key_value::Host for SpinView<'_> {}

impl key_value::HostStore for SpinView<'_> {
    fn drop(&mut self, store: Resource<OpenStore>) -> wasmtime::Result<()> {
        self.table.delete(store)?;
        Ok(())
    }
}

/// The opened store behind `store`.
fn opened<T>(
    accessor: &Accessor<T, Spin>,
    store: &Resource<OpenStore>,
) -> wasmtime::Result<Arc<LocalStore>> {
    accessor.with(|mut access| Ok(access.get().table.get(store)?.0.clone()))
}

fn other(e: faasade_core::Error) -> KvError {
    KvError::Other(e.to_string())
}

impl<T> key_value::HostStoreWithStore<T> for Spin {
    async fn open(
        accessor: &Accessor<T, Self>,
        label: String,
    ) -> wasmtime::Result<Result<Resource<OpenStore>, KvError>> {
        accessor.with(|mut access| {
            let view = access.get();
            if !view.shared.stores.contains(&label) {
                return Ok(Err(KvError::NoSuchStore));
            }
            let store = Arc::new(view.shared.db.store(&label));
            Ok(Ok(view.table.push(OpenStore(store))?))
        })
    }

    async fn get(
        accessor: &Accessor<T, Self>,
        store: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<Option<Vec<u8>>, KvError>> {
        let store = opened(accessor, &store)?;
        Ok(store
            .get(&key)
            .await
            .map(|v| v.map(|b| b.to_vec()))
            .map_err(other))
    }

    async fn set(
        accessor: &Accessor<T, Self>,
        store: Resource<OpenStore>,
        key: String,
        value: Vec<u8>,
    ) -> wasmtime::Result<Result<(), KvError>> {
        let store = opened(accessor, &store)?;
        Ok(store.put(&key, value.into()).await.map_err(other))
    }

    async fn delete(
        accessor: &Accessor<T, Self>,
        store: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<(), KvError>> {
        let store = opened(accessor, &store)?;
        Ok(store.delete(&key).await.map_err(other))
    }

    async fn exists(
        accessor: &Accessor<T, Self>,
        store: Resource<OpenStore>,
        key: String,
    ) -> wasmtime::Result<Result<bool, KvError>> {
        let store = opened(accessor, &store)?;
        Ok(store.get(&key).await.map(|v| v.is_some()).map_err(other))
    }

    async fn get_keys(
        accessor: &Accessor<T, Self>,
        store: Resource<OpenStore>,
    ) -> wasmtime::Result<(StreamReader<String>, FutureReader<Result<(), KvError>>)> {
        let store = opened(accessor, &store)?;
        let (keys, result) = match all_keys(&store).await {
            Ok(keys) => (keys, Ok(())),
            Err(e) => (Vec::new(), Err(other(e))),
        };
        accessor.with(|mut access| {
            let keys = StreamReader::new(&mut access, keys)?;
            let done = FutureReader::new(&mut access, async move { wasmtime::error::Ok(result) })?;
            Ok((keys, done))
        })
    }
}

/// Every key of `store`, page by page.
async fn all_keys(store: &LocalStore) -> faasade_core::Result<Vec<String>> {
    let mut keys = Vec::new();
    let mut options = ListOptions::default();
    loop {
        let page = store.list(&options).await?;
        keys.extend(page.keys);
        match page.cursor {
            Some(cursor) => options = ListOptions::default().after(cursor),
            None => return Ok(keys),
        }
    }
}
