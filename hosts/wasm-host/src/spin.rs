//! Spin's `spin:variables@3.0.0` and `spin:key-value@3.0.0`, the interfaces spin-sdk 7
//! components import, implemented for the host (wit/host.wit).
//!
//! Variables are the app's faasade.toml `[vars]` and `[secrets]`, looked up by Spin's lower-case
//! names (`greeting` finds `GREETING`). Key-value stores are the local target's redb database
//! (`<data dir>/kv.redb`, one table per store), and a component may open only the stores
//! faasade.toml `[kv] stores` grants, as spin.toml's `key_value_stores` does on Spin.
//!
//! Keys are checked as on every other path (`faasade_core::kv::Kv`: not empty, at most 512
//! bytes), and `get-keys` streams the store one page at a time, read when the guest asks for
//! more, so a large store is never held in memory whole.
//!
//! Every function is a WIT `async func`, so bindgen generates the concurrent host traits
//! (`*WithStore`, taking an [`Accessor`]): state is read from the store in a short
//! `Accessor::with` and the KV work is awaited outside it.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use faasade_core::kv::{Kv, KvPage, ListOptions};
use faasade_local::LocalDb;
use tokio::sync::oneshot;
use wasmtime::StoreContextMut;
use wasmtime::component::{
    Accessor, Destination, FutureReader, HasData, Linker, Resource, ResourceTable, StreamProducer,
    StreamReader, StreamResult, VecBuffer,
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
pub struct OpenStore(Kv);

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
fn opened<T>(accessor: &Accessor<T, Spin>, store: &Resource<OpenStore>) -> wasmtime::Result<Kv> {
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
            let store = Kv::new(label.as_str(), Arc::new(view.shared.db.store(&label)));
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
        Ok(store.put(&key, value).await.map_err(other))
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
        let (outcome, told) = oneshot::channel();
        let pages = KeyPages {
            kv: store,
            next: Some(ListOptions::default()),
            reading: None,
            outcome: Some(outcome),
        };
        accessor.with(|mut access| {
            let keys = StreamReader::new(&mut access, pages)?;
            // A guest that drops the stream early has stopped listening: nothing went wrong.
            let done = FutureReader::new(&mut access, async move {
                wasmtime::error::Ok(told.await.unwrap_or(Ok(())))
            })?;
            Ok((keys, done))
        })
    }
}

/// A list call in flight.
type Reading = faasade_core::BoxFuture<'static, faasade_core::Result<KvPage>>;

/// `get-keys`' stream: one page of keys read each time the guest reads past the last one.
struct KeyPages {
    kv: Kv,
    /// The next page to read; `None` once the last one went out.
    next: Option<ListOptions>,
    reading: Option<Reading>,
    /// Where the stream's outcome goes, once, at its end.
    outcome: Option<oneshot::Sender<Result<(), KvError>>>,
}

impl KeyPages {
    fn end(&mut self, outcome: Result<(), KvError>) -> Poll<wasmtime::Result<StreamResult>> {
        self.next = None;
        if let Some(tell) = self.outcome.take() {
            let _ = tell.send(outcome);
        }
        Poll::Ready(Ok(StreamResult::Dropped))
    }
}

impl<D> StreamProducer<D> for KeyPages {
    type Item = String;
    type Buffer = VecBuffer<String>;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        store: StoreContextMut<'a, D>,
        mut destination: Destination<'a, String, VecBuffer<String>>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let this = self.get_mut();
        let Some(options) = &this.next else {
            return this.end(Ok(()));
        };
        // A zero-length read asks only whether keys are coming: they are, so say so without
        // reading a page the guest might never take.
        if destination.remaining(store) == Some(0) {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        // A page is asked for once, when no read is in flight; later polls only poll it.
        let reading = this.reading.get_or_insert_with(|| {
            let (kv, options) = (this.kv.clone(), options.clone());
            Box::pin(async move { kv.list(&options).await })
        });
        let page = match reading.as_mut().poll(cx) {
            Poll::Pending if finish => {
                this.reading = None;
                return Poll::Ready(Ok(StreamResult::Cancelled));
            }
            Poll::Pending => return Poll::Pending,
            Poll::Ready(page) => page,
        };
        this.reading = None;
        match page {
            Ok(page) => {
                destination.set_buffer(page.keys.into());
                match page.cursor {
                    Some(cursor) => {
                        this.next = Some(ListOptions::default().after(cursor));
                        Poll::Ready(Ok(StreamResult::Completed))
                    }
                    None => this.end(Ok(())),
                }
            }
            Err(e) => this.end(Err(other(e))),
        }
    }
}
