//! Faasade's local Wasm host: serves a `wasi:http` component — a WASI 0.2 proxy (the `wasi`
//! target) or a WASI 0.3 service (the `spin` target) — over HTTP with embedded wasmtime, as
//! Spin or another standards host would, so an app's Wasm build can be tried without them.
//!
//! - **One instance per request** by default, from an `InstancePre` (linking done once), with
//!   wasmtime's pooling allocator so instantiation is a few microseconds; instances may be
//!   reused for up to N requests instead ([`HostConfig::instance_reuse`]).
//! - **Compiled once**: the component's machine code is cached as a `.cwasm` file keyed by the
//!   component's hash ([`load_component`]), so a restart skips compilation. The cache is in
//!   the user's cache directory, and only files whose MAC (made with a per-user secret)
//!   verifies are loaded.
//! - **Deny by default**: no filesystem, no sockets, no inherited environment; outbound HTTP
//!   only to declared authorities ([`HostConfig::allowed_outbound`]).
//! - **Limits per request**: linear memory ([`HostConfig::memory_limit`]) and time
//!   ([`HostConfig::timeout`], enforced by epoch interruption, so a guest spinning in a loop
//!   is stopped too). A trap, a panic or a timeout answers `500` with a generic body and a log
//!   line; the next request gets a fresh instance.
//! - **Spin's interfaces**: `spin:variables` and `spin:key-value` (version 3.0.0, as spin-sdk
//!   7 imports them), from the app's faasade.toml and the local target's KV database.
//!
//! `cargo run -p faasade-wasm-host -- serve app.wasm --app examples/conformance`

mod budget;
mod cache;
mod outbound;
mod spin;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use faasade_local::connections::{self, Connections};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use wasmtime::component::{GuestTaskId, Linker, ResourceTable};
use wasmtime::{Engine, PoolingAllocationConfig, Store, StoreContextMut};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::handler::{
    HandlerState, Instance, ProxyHandler, ProxyPre, ShouldAccept, WorkerExpiration, WorkerState,
    WorkerStatus,
};
use wasmtime_wasi_http::{WasiBody, WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

pub use cache::{Loaded, default_cache_dir, load_component};

/// How often the engine's epoch advances: the granularity of the per-request time limit.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// What the host serves and how.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// The component file (`.wasm`).
    pub component: PathBuf,
    /// The component's environment (`wasi:cli/environment`); nothing is inherited.
    pub env: Vec<(String, String)>,
    /// Spin variables, found by lower-case name (`greeting` finds `GREETING`).
    pub vars: BTreeMap<String, String>,
    /// KV stores a Spin component may open (spin.toml's `key_value_stores`).
    pub kv_stores: Vec<String>,
    /// Where the KV database lives (`kv.redb`, shared with the local target).
    pub data_dir: PathBuf,
    /// Authorities (`host:port`) outbound HTTP may reach; `*` allows any.
    pub allowed_outbound: Vec<String>,
    /// Requests one instance serves before it is dropped: 1 (the default) is a fresh
    /// instance per request.
    pub instance_reuse: usize,
    /// The `.cwasm` cache folder; `None` compiles on every start.
    pub cache_dir: Option<PathBuf>,
    /// Most linear memory one instance may grow to, in bytes.
    pub memory_limit: usize,
    /// Most linear memory all instances together may hold, in bytes; a request whose
    /// instance would go past it gets a `500`, and the others go on.
    pub total_memory_limit: usize,
    /// Most time one request may take.
    pub timeout: Duration,
    /// Most time a client may take to send a request's head, or stay idle between requests.
    pub header_timeout: Duration,
    /// Most connections open at once; at the limit the oldest unanswered one gives way
    /// ([`faasade_local::connections`]).
    pub max_connections: usize,
}

impl HostConfig {
    /// Serve `component` with the app's faasade.toml from `app_dir` (when given): its `[vars]`
    /// and `[secrets]` are Spin variables and the component's environment, its `[kv] stores`
    /// the stores it may open (`default` when it declares none), its data folder the KV
    /// database's. `FAASADE_VAR_*` environment overrides apply as on the local target.
    pub fn for_app(component: PathBuf, app_dir: Option<&Path>) -> Result<Self, String> {
        let mut config = match app_dir {
            Some(dir) => faasade_local::Config::from_file(&dir.join(faasade_local::CONFIG_FILE))
                .map_err(|e| e.to_string())?,
            None => faasade_local::Config::default(),
        };
        config
            .apply_env(|name| std::env::var(name).ok())
            .map_err(|e| e.to_string())?;
        let mut vars = config.vars.clone();
        vars.extend(config.secrets.clone());
        Ok(Self {
            component,
            env: vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            vars,
            kv_stores: config.kv_stores.unwrap_or_else(|| vec!["default".into()]),
            data_dir: config.data_dir,
            allowed_outbound: Vec::new(),
            instance_reuse: 1,
            cache_dir: None,
            memory_limit: 128 << 20,
            total_memory_limit: 1 << 30,
            timeout: config.timeout,
            header_timeout: config.header_timeout,
            max_connections: config.max_connections,
        })
    }
}

/// A component ready to serve.
pub struct Host {
    handler: ProxyHandler<Handler>,
    /// How the component was loaded (compiled, or from the cache).
    pub loaded: Loaded,
    /// Which `wasi:http` world the component exports: `"wasi:http 0.2"` or `"wasi:http 0.3"`.
    pub world: &'static str,
    connections: Arc<Connections>,
    header_timeout: Duration,
    slots: budget::Slots,
    _epoch: EpochTicker,
}

impl Host {
    /// Compile (or load from the cache) and link the component. Needs a tokio runtime.
    pub fn new(config: HostConfig) -> wasmtime::Result<Self> {
        let engine = Engine::new(&engine_config(&config))?;
        let loaded = load_component(&engine, &config.component, config.cache_dir.as_deref())?;
        let mut linker = Linker::<State>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi::p3::add_to_linker(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p3::add_to_linker(&mut linker)?;
        spin::add_to_linker(&mut linker, |s: &mut State| spin::SpinView {
            shared: &s.spin,
            table: &mut s.table,
        })?;
        let pre = linker.instantiate_pre(&loaded.component)?;
        let (pre, world) = match wasmtime_wasi_http::p3::bindings::ServicePre::new(pre.clone()) {
            Ok(p3) => (ProxyPre::P3(p3), "wasi:http 0.3"),
            Err(_) => match wasmtime_wasi_http::p2::bindings::ProxyPre::new(pre) {
                Ok(p2) => (ProxyPre::P2(p2), "wasi:http 0.2"),
                Err(e) => {
                    return Err(e.context(format!(
                        "{} exports neither wasi:http/handler@0.3 nor \
                         wasi:http/incoming-handler@0.2: build it with `--features spin` or \
                         `--features wasi` for wasm32-wasip2",
                        config.component.display()
                    )));
                }
            },
        };
        let epoch = EpochTicker::start(engine.clone());
        let spin = Arc::new(spin::SpinShared::new(
            &config.vars,
            faasade_local::LocalDb::new(config.data_dir.clone()),
            config.kv_stores.clone(),
        ));
        let handler = ProxyHandler::new(Handler {
            pre,
            engine,
            spin,
            env: config.env.clone(),
            allowed: config.allowed_outbound.clone().into(),
            memory_limit: config.memory_limit,
            memory: budget::HostMemory::new(config.total_memory_limit),
            timeout: config.timeout,
            reuse: config.instance_reuse.max(1),
            next_request: AtomicU64::new(0),
        });
        Ok(Self {
            handler,
            loaded,
            world,
            connections: Connections::new(config.max_connections),
            header_timeout: config.header_timeout,
            slots: budget::Slots::new(),
            _epoch: epoch,
        })
    }

    /// Answer one request. A trap, a panic or a timeout in the component is a generic `500`
    /// and a log line.
    pub async fn handle<B>(&self, req: http::Request<B>) -> http::Response<WasiBody>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<wasmtime_wasi_http::Error>,
    {
        let id = self
            .handler
            .state()
            .next_request
            .fetch_add(1, Ordering::Relaxed);
        let (method, path) = (req.method().clone(), req.uri().path().to_owned());
        if req.uri().authority().is_none() && !req.headers().contains_key(http::header::HOST) {
            eprintln!("faasade-wasm-host: {method} {path} refused: no Host header");
            return plain(400, "Bad Request: no Host header\n");
        }
        // Every instance of the pool busy (requests parked on a slow upstream): wait briefly,
        // then tell the client to come back rather than fail.
        let Some(slot) = self.slots.take().await else {
            eprintln!(
                "faasade-wasm-host: {method} {path} refused: all {} instances busy for {:?}",
                budget::POOL_INSTANCES,
                budget::QUEUE_WAIT
            );
            let mut res = plain(503, "Service Unavailable: busy, retry shortly\n");
            res.headers_mut().insert(
                http::header::RETRY_AFTER,
                http::HeaderValue::from_static("1"),
            );
            return res;
        };
        let req = req.map(|body| body.map_err(Into::into).boxed_unsync());
        match self.handler.handle(id, req).await {
            // The slot is held until the body, which the instance may still be writing, ends.
            Ok(res) => res.map(|body| budget::Holding::new(body, slot).boxed_unsync()),
            Err(e) => {
                eprintln!("faasade-wasm-host: {method} {path} failed: {e:#}");
                plain(500, "Internal Server Error\n")
            }
        }
    }

    /// Create a fresh store and instance `n` times, as a request does, and drop each; how long
    /// each creation took. For benchmarks: the per-request cost of one instance per request.
    pub async fn time_instantiations(&self, n: usize) -> wasmtime::Result<Vec<Duration>> {
        let handler = self.handler.state();
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let started = Instant::now();
            let mut store = handler.new_store();
            let _proxy = handler.pre.instantiate_async(&mut store).await?;
            times.push(started.elapsed());
        }
        Ok(times)
    }

    /// Serve HTTP/1.1 on `listener` until the task is dropped. A request's head must arrive
    /// within the header timeout (which also ends idle keep-alives), and at the connection
    /// limit the oldest unanswered connection gives way to a new one.
    pub async fn serve(self: Arc<Self>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        let mut http = connections::http1(self.header_timeout);
        http.keep_alive(true);
        let http = Arc::new(http);
        loop {
            let (stream, _) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of ending.
                    eprintln!("faasade-wasm-host: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let admitted = self.connections.admit().await;
            let requests = admitted.requests();
            let (host, http) = (self.clone(), http.clone());
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let host = host.clone();
                    requests.during(async move { Ok::<_, Infallible>(host.handle(req).await) })
                });
                tokio::select! {
                    ended = http.serve_connection(TokioIo::new(stream), service) => {
                        if let Err(e) = ended {
                            eprintln!("faasade-wasm-host: connection: {e}");
                        }
                    }
                    () = admitted.closed() => {
                        eprintln!("faasade-wasm-host: closed an unanswered connection to make room (connection limit)");
                    }
                }
                drop(admitted);
            });
        }
    }

    /// Bind `addr` and serve; prints `Serving HTTP on http://ADDR/` once listening.
    pub async fn bind_and_serve(self, addr: SocketAddr) -> std::io::Result<()> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        eprintln!("Serving HTTP on http://{}/", listener.local_addr()?);
        Arc::new(self).serve(listener).await
    }
}

/// A plain-text answer of the host's own.
fn plain(status: u16, text: &'static str) -> http::Response<WasiBody> {
    let body = Full::new(Bytes::from_static(text.as_bytes()))
        .map_err(|never: Infallible| match never {})
        .boxed_unsync();
    http::Response::builder()
        .status(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(body)
        .expect("a valid response")
}

/// The engine settings the host runs with (the `.cwasm` cache key includes them).
pub fn engine_config(config: &HostConfig) -> wasmtime::Config {
    let mut wasm = wasmtime::Config::new();
    wasm.wasm_component_model(true)
        .wasm_component_model_async(true)
        .concurrency_support(true)
        .epoch_interruption(true);
    let mut pool = PoolingAllocationConfig::default();
    // A little more than the slots requests take, for instances still being torn down.
    let instances = budget::POOL_INSTANCES + 16;
    pool.total_component_instances(instances)
        .total_core_instances(2048)
        .total_memories(512)
        .total_tables(2048)
        .total_stacks(instances)
        .max_memory_size(config.memory_limit);
    wasm.allocation_strategy(pool);
    wasm
}

/// Everything one instance's store holds.
struct State {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: outbound::Outbound,
    limits: budget::InstanceMemory,
    spin: Arc<spin::SpinShared>,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// What every instance of the component is made from.
struct Handler {
    pre: ProxyPre<State>,
    engine: Engine,
    spin: Arc<spin::SpinShared>,
    env: Vec<(String, String)>,
    allowed: Arc<[String]>,
    memory_limit: usize,
    memory: Arc<budget::HostMemory>,
    timeout: Duration,
    reuse: usize,
    next_request: AtomicU64,
}

impl Handler {
    fn new_store(&self) -> Store<State> {
        let mut wasi = WasiCtxBuilder::new();
        wasi.envs(&self.env)
            .inherit_stdout()
            .inherit_stderr()
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        let state = State {
            table: ResourceTable::new(),
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            hooks: outbound::Outbound {
                allowed: self.allowed.clone(),
            },
            limits: budget::InstanceMemory::new(self.memory.clone(), self.memory_limit),
            spin: self.spin.clone(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        store.epoch_deadline_trap();
        store.set_epoch_deadline(ticks(self.timeout));
        store
    }
}

/// Epoch ticks in `timeout`.
fn ticks(timeout: Duration) -> u64 {
    (timeout.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64 + 1
}

impl HandlerState for Handler {
    type StoreData = State;
    type WorkerExpiration = Expiration;
    type WorkerState = Worker;

    async fn instantiate(&self) -> wasmtime::Result<Instance<State, Expiration, Worker>> {
        let mut store = self.new_store();
        let proxy = self.pre.instantiate_async(&mut store).await?;
        Ok(Instance {
            store,
            proxy,
            view: WasiHttpView::http,
            expiration: Expiration {
                timeout: self.timeout,
                sleep: Box::pin(tokio::time::sleep(Duration::MAX)),
            },
            state: Worker {
                reuse: self.reuse,
                timeout: self.timeout,
            },
        })
    }
}

/// When an instance is dropped: once its requests take too long, or once it has been idle a
/// while (only reused instances wait for more requests).
struct Expiration {
    timeout: Duration,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

/// How long a reused instance waits for another request.
const IDLE: Duration = Duration::from_secs(10);

impl WorkerExpiration for Expiration {
    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        status: WorkerStatus,
        start: Instant,
    ) -> Poll<()> {
        let limit = match status {
            WorkerStatus::Idle => IDLE,
            WorkerStatus::Requests | WorkerStatus::PostReturn => self.timeout,
        };
        let Some(deadline) = start.checked_add(limit) else {
            return Poll::Pending;
        };
        let deadline = tokio::time::Instant::from_std(deadline);
        if self.sleep.deadline() != deadline {
            self.sleep.as_mut().reset(deadline);
        }
        self.sleep.as_mut().poll(cx)
    }
}

/// One instance's request policy.
struct Worker {
    reuse: usize,
    timeout: Duration,
}

impl WorkerState for Worker {
    type StoreData = State;
    type RequestData = u64;

    fn should_accept_request(&self, concurrent: usize, total: usize) -> ShouldAccept {
        if total >= self.reuse {
            ShouldAccept::Never
        } else if concurrent >= 1 {
            ShouldAccept::No
        } else {
            ShouldAccept::Yes
        }
    }

    fn on_request_start(
        &self,
        mut store: StoreContextMut<'_, State>,
        _request: u64,
        _task: GuestTaskId,
    ) -> Pin<Box<dyn Future<Output = ()> + 'static + Send + Sync>> {
        // Each request gets the whole time limit, on a reused instance too.
        store.set_epoch_deadline(ticks(self.timeout));
        Box::pin(tokio::time::sleep(self.timeout))
    }

    fn drop(&self, store: Store<State>, result: wasmtime::Result<()>) {
        if let Err(e) = result {
            eprintln!("faasade-wasm-host: instance ended: {e:#}");
        }
        drop(store);
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("faasade-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("start the epoch thread");
        Self { stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faasade_toml_gives_vars_secrets_and_stores() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("faasade.toml"),
            "[vars]\nGREETING = \"hi\"\n[secrets]\nTOKEN = \"t\"\n[kv]\nstores = [\"cache\"]\n",
        )
        .unwrap();
        let config = HostConfig::for_app("app.wasm".into(), Some(dir.path())).unwrap();
        assert_eq!(config.vars["GREETING"], "hi");
        assert_eq!(config.vars["TOKEN"], "t");
        assert!(config.env.contains(&("GREETING".into(), "hi".into())));
        assert_eq!(config.kv_stores, ["cache"]);
        assert_eq!(config.data_dir, dir.path().join(".faasade"));
        assert!(config.allowed_outbound.is_empty(), "no outbound by default");
        assert_eq!(config.instance_reuse, 1, "a fresh instance per request");
        let bare = HostConfig::for_app("app.wasm".into(), None).unwrap();
        assert_eq!(bare.kv_stores, ["default"], "Spin's default store");
    }

    #[test]
    fn the_time_limit_is_whole_epoch_ticks_plus_one() {
        assert_eq!(ticks(Duration::from_millis(1)), 2);
        assert_eq!(ticks(Duration::from_secs(1)), 101);
    }

    #[test]
    fn a_missing_component_is_a_clear_error() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let _guard = runtime.enter();
        let mut config = HostConfig::for_app("/nonexistent/app.wasm".into(), None).unwrap();
        config.cache_dir = None;
        let err = Host::new(config).err().expect("no component, no host");
        assert!(
            format!("{err:#}").contains("cannot read the component /nonexistent/app.wasm"),
            "{err:#}"
        );
    }
}
