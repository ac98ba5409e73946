//! Faasade's Fastly Compute target (`--features fastly`), on the official `fastly` crate, built
//! for `wasm32-wasip1` (fastly 0.13 does not link on wasip2).
//!
//! - Each request runs the app's `main` once in a fresh instance: [`run`] takes the client
//!   request, maps it to the neutral one (method, raw path and query, every header, the body
//!   as bytes; the client's IP and geolocation, asked of the host only when the app reads
//!   them), drives the handler's future to completion — Fastly's entry point is synchronous
//!   and its host calls block, so a small executor suffices — and sends the reply (each
//!   `Set-Cookie` kept apart, binary bodies as they are). Work handed to `wait_until` runs after the reply is sent, which Fastly allows.
//! - Vars come from the config store `vars`, secrets from the secret store `secrets`, KV stores
//!   are Fastly KV stores linked under the store's name, fetch goes through a backend named
//!   after the upstream's host and port (declared in fastly.toml, or created on the fly where
//!   dynamic backends are enabled), logs go to stderr, which Fastly's log tailing and Viceroy
//!   show.
//! - A panic aborts the instance (`wasm32-wasip1` builds with `panic = "abort"`). A panic hook
//!   answers the client with a generic `500` before that happens, so the client never sees a
//!   dropped connection; the next request gets a fresh instance anyway.

#[cfg(feature = "fetch")]
mod fetch;
#[cfg(feature = "kv")]
mod kv;
mod log;
mod platform;
mod request;
mod response;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use faasade_core::executor;
use faasade_core::handler::{self, Handler};
use faasade_core::{Context, RequestMeta, Response};

pub use platform::{SECRETS_STORE, TARGET, VARS_STORE};

/// Whether the client has its reply: the panic hook answers only when it has not.
static RESPONDED: AtomicBool = AtomicBool::new(false);

/// Serve the client request of this instance with the handler `factory` builds: the entry
/// point `#[faasade::main]` calls from the app's `main`.
pub fn run<F, H>(factory: F) -> ExitCode
where
    F: FnOnce() -> H,
    H: Handler,
{
    log::init();
    install_panic_hook();
    let handler = factory();
    let (req, client) = request::from_client();
    let platform = Arc::new(platform::FastlyPlatform::new(client));
    let res = match req {
        Ok(req) => executor::block_on(
            TARGET,
            handler::serve(
                &handler,
                req,
                Context::new(platform, RequestMeta::default()),
            ),
        )
        .unwrap_or_else(|e| handler::rejected(&e)),
        Err(e) => handler::rejected(&e),
    };
    respond(res);
    executor::run_after_response(TARGET);
    ExitCode::SUCCESS
}

fn respond(res: Response) {
    if !RESPONDED.swap(true, Ordering::SeqCst) {
        response::send(res);
    }
}

/// Chain onto the default hook (which writes the panic to stderr), then answer the client with
/// a generic `500` unless it already has its reply — written through the same handles as
/// every other reply, which keeps `fastly::Response` (and the cache machinery its sending
/// links) out of the module.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        respond(handler::panic_response());
    }));
}
