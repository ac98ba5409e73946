//! Faasade's Cloudflare Workers target (`--features cloudflare`), on the official `worker`
//! crate, built for `wasm32-unknown-unknown` by worker-build.
//!
//! - The module's `fetch` export (emitted by `#[faasade::main]`) maps each request to the
//!   neutral one: method, raw path and query, every header, the body as bytes; the reply keeps
//!   every header (each `Set-Cookie` on its own line) and binary bodies as they are.
//! - `cf` properties land in request metadata (`cf.country`, `cf.colo`, `cf.city`, ...), read
//!   when the app first asks for one; the client IP comes from `CF-Connecting-IP`.
//! - Vars and secrets are the Worker's Env bindings, KV stores are Workers KV namespaces bound
//!   under the store's name, fetch is the Fetch API, `wait_until` is the execution context's,
//!   logs go to the console.
//! - A panic aborts the Wasm instance (stable Rust builds Wasm with `panic = "abort"`). The
//!   worker crate's shim re-initialises the instance on the next request; Faasade answers the
//!   requests in flight itself: every request's reply is a promise that either the handler's
//!   task or a panic hook settles, the hook with a generic `500` (see [`fetch`]).

#[cfg(feature = "fetch")]
mod fetch;
#[cfg(feature = "kv")]
mod kv;
mod log;
mod platform;
mod request;
mod response;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::{Arc, Once};
use std::task::{Context as TaskContext, Poll};

use faasade_core::Context;
use faasade_core::handler::{self, Handler};
use worker::js_sys;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::web_sys;

pub use platform::TARGET;
pub use wasm_bindgen;
pub use worker::Env;
pub use worker::js_sys::Promise;
pub use worker::web_sys::Request as JsRequest;
pub use worker::worker_sys::Context as JsContext;

/// What `__faasade_run` does on this target: the Worker is a library that the runtime loads,
/// not a program to run.
pub fn not_a_binary() -> ExitCode {
    eprintln!(
        "faasade: the `cloudflare` target builds a library for Workers: \
         `worker-build --release --features cloudflare`, then `wrangler dev` or `wrangler deploy`"
    );
    ExitCode::FAILURE
}

thread_local! {
    /// Requests being answered, with the function that answers each one with a `500` should a
    /// panic abort the instance.
    static IN_FLIGHT: RefCell<Vec<(u64, js_sys::Function)>> = const { RefCell::new(Vec::new()) };
    /// The request whose handler is being polled right now.
    static CURRENT: Cell<Option<u64>> = const { Cell::new(None) };
    static NEXT_ID: Cell<u64> = const { Cell::new(0) };
}

static INIT: Once = Once::new();

/// Answer one request: the entry point `#[faasade::main]` exports as `fetch`.
///
/// The reply is a promise settled by the handler's task or, on a panic, by the hook installed
/// here: it resolves the reply of every request in flight with a `500` (a generic body for the
/// request that panicked, since only the running request may create a body; an empty one for
/// the others) before the instance aborts, and the worker shim re-initialises the instance for
/// the next request. Handler errors never get that far: they become responses in
/// [`faasade_core::handler::serve`].
pub fn fetch<F, H>(req: JsRequest, env: Env, ctx: JsContext, factory: F) -> Promise
where
    F: FnOnce() -> H,
    H: Handler,
{
    INIT.call_once(|| {
        log::init();
        install_panic_hook();
    });
    let handler = handler::instance_handler(factory);
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    });
    // One promise per request, settled by the handler's task, or by the panic hook.
    let mut settle = None;
    let reply = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let Some((resolve, reject)) = settle else {
        return reply;
    };
    IN_FLIGHT.with(|f| f.borrow_mut().push((id, resolve.clone())));
    let answer = Tracked {
        id,
        inner: Box::pin(answer(handler, req, env, ctx)),
    };
    worker::wasm_bindgen_futures::spawn_local(async move {
        let _ = match answer.await {
            Ok(res) => resolve.call1(&JsValue::UNDEFINED, &res),
            Err(e) => reject.call1(&JsValue::UNDEFINED, &e),
        };
    });
    reply
}

async fn answer(
    handler: Rc<dyn Handler>,
    req: JsRequest,
    env: Env,
    ctx: JsContext,
) -> Result<web_sys::Response, JsValue> {
    let res = match request::from_worker(&req).await {
        Ok((neutral, meta)) => {
            let platform = platform::CfPlatform::new(env, worker::Context::new(ctx), req);
            let cx = Context::new(Arc::new(platform), meta);
            handler::serve(&*handler, neutral, cx).await
        }
        Err(e) => handler::rejected(&e),
    };
    response::to_worker(res)
}

/// The handler's future, marked as the current request while it is polled and taken off the
/// in-flight list once it is done (or dropped).
struct Tracked {
    id: u64,
    inner: Pin<Box<dyn Future<Output = Result<web_sys::Response, JsValue>>>>,
}

impl Future for Tracked {
    type Output = Result<web_sys::Response, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        CURRENT.with(|c| c.set(Some(self.id)));
        let poll = self.inner.as_mut().poll(cx);
        CURRENT.with(|c| c.set(None));
        poll
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let id = self.id;
        IN_FLIGHT.with(|f| {
            if let Ok(mut f) = f.try_borrow_mut() {
                f.retain(|(i, _)| *i != id);
            }
        });
    }
}

/// Chain onto the hook already installed (the worker crate's, which logs the panic and marks
/// the instance for re-initialisation), then answer every request in flight with a `500`.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        let current = CURRENT.with(Cell::get);
        let in_flight = IN_FLIGHT.with(|f| f.try_borrow_mut().map(|mut f| std::mem::take(&mut *f)));
        for (id, resolve) in in_flight.unwrap_or_default() {
            let body = (Some(id) == current).then_some("Internal Server Error\n");
            if let Some(res) = panic_response(body) {
                let _ = resolve.call1(&JsValue::UNDEFINED, &res);
            }
        }
    }));
}

fn panic_response(body: Option<&str>) -> Option<JsValue> {
    let init = web_sys::ResponseInit::new();
    init.set_status(500);
    let headers = web_sys::Headers::new().ok()?;
    if body.is_some() {
        headers
            .set("content-type", "text/plain; charset=utf-8")
            .ok()?;
    }
    init.set_headers(&headers);
    let res = web_sys::Response::new_with_opt_str_and_init(body, &init).ok()?;
    Some(res.unchecked_into())
}
