//! Faasade's Fermyon Spin target (`--features spin`), on the official `spin-sdk`, built for
//! `wasm32-wasip2` into a WASI 0.3 HTTP component (`wasi:http/handler@0.3.0`).
//!
//! - `#[faasade::main]` exports the handler; each request becomes the neutral one (method, raw
//!   path and query, every header, the body as bytes up to
//!   [`DEFAULT_BODY_LIMIT`](faasade_core::DEFAULT_BODY_LIMIT)), and the reply keeps every header
//!   (each `Set-Cookie` apart) and binary bodies as they are.
//! - Vars and secrets are Spin variables (`spin:variables`). Spin variable names are lower
//!   case: `cx.var("GREETING")` reads the variable `greeting`, which the generated spin.toml
//!   declares from faasade.toml `[vars]` and `[secrets]` (secrets marked `secret = true`).
//! - KV stores are Spin key-value stores under the store's name (`spin:key-value`, the `kv`
//!   feature); fetch is wasi:http's client (the `fetch` feature), limited by spin.toml's
//!   `allowed_outbound_hosts`; `wait_until` work runs after the reply, in the same task; logs
//!   go to stderr.
//! - The component imports `spin:variables` and `spin:key-value` only with the `vars` and `kv`
//!   features (both on by default). Without them it imports only standard WASI interfaces,
//!   reads vars from its environment (spin.toml `environment`), and runs on any `wasi:http`
//!   0.3 host as well (`wasmtime serve -Scli --env NAME=VALUE`).
//! - Spin and other hosts may reuse one instance for many requests: the handler is built on
//!   the first request and kept, and nothing else outlives a request.
//! - A panic aborts the instance (stable Rust builds Wasm with `panic = "abort"`); the host
//!   answers the request with a `500` and gives the next request a fresh instance.

#[cfg(feature = "fetch")]
mod fetch;
#[cfg(feature = "kv")]
mod kv;
mod platform;
mod request;
mod response;

use std::process::ExitCode;
use std::sync::{Arc, Once};

use faasade_core::Context;
use faasade_core::handler::{self, Handler};

pub use platform::TARGET;
#[doc(hidden)]
pub use spin_sdk::wasip3;
#[doc(hidden)]
pub use spin_sdk::wasip3::exports::http::handler::Guest;
#[doc(hidden)]
pub use spin_sdk::wasip3::http::types::{
    ErrorCode, Request as WasiRequest, Response as WasiResponse,
};

static INIT: Once = Once::new();

/// What `__faasade_run` does on this target: the component is a library that the host loads,
/// not a program to run.
pub fn not_a_binary() -> ExitCode {
    eprintln!(
        "faasade: the `spin` target builds a component: \
         `cargo build --release --target wasm32-wasip2 --features spin`, then `spin up`"
    );
    ExitCode::FAILURE
}

/// Answer one request: the body of the `wasi:http/handler` export `#[faasade::main]` emits.
pub async fn handle<F, H>(req: WasiRequest, factory: F) -> Result<WasiResponse, ErrorCode>
where
    F: FnOnce() -> H,
    H: Handler,
{
    INIT.call_once(|| faasade_core::log_lines::install(faasade_core::log_lines::Stderr));
    let handler = handler::instance_handler(factory);
    let res = match request::from_wasi(req).await {
        Ok((req, meta)) => {
            let cx = Context::new(Arc::new(platform::SpinPlatform), meta);
            handler::serve(&*handler, req, cx).await
        }
        Err(e) => handler::rejected(&e),
    };
    response::to_wasi(res)
}
