//! # Faasade
//!
//! Write one serverless function in Rust; build it, unchanged, for any provider with one cargo
//! feature; run it locally by default.
//!
//! ```no_run
//! use faasade::{Context, Request, Response, Result};
//!
//! #[faasade::main]
//! async fn handle(req: Request, cx: Context) -> Result<Response> {
//!     let greeting = cx.var("GREETING").unwrap_or("hello".into());
//!     Ok(Response::text(format!("{greeting} {}", req.uri().path())))
//! }
//! ```
//!
//! `cargo run` serves it on `http://127.0.0.1:3000`. A provider target is one feature away:
//! `aws`, `cloudflare`, `fastly`, `spin`, `openwhisk`, `wasi` — exactly one at a time.
//!
//! Three handler forms are accepted (see [`handler`]):
//! - `async fn(Request, Context) -> Result<impl IntoResponse>`
//! - `fn() -> impl tower::Service` — an axum `Router` deploys unchanged
//! - `async fn(T, Context) -> Result<U>` for JSON events (`T: Deserialize`, `U: Serialize`)
//!
//! What each target supports is in [`targets`]; a capability a target lacks is an error that
//! names both, never a silent no-op.

pub use faasade_core::capability::FETCH_RESPONSE_LIMIT;
pub use faasade_core::{
    Body, BoxError, Bytes, Capability, Context, Error, HeaderMap, IntoResponse, Json, Method,
    Request, RequestExt, RequestMeta, Response, ResponseExt, Result, StatusCode, Uri, http,
};
pub use faasade_macros::main;

/// Logging that reaches every target's log sink (stderr locally, CloudWatch on Lambda, the
/// console on Workers): `faasade::tracing::info!("...")`.
pub use tracing;

/// Handler forms and the [`Handler`](handler::Handler) trait adapters drive.
pub mod handler {
    pub use faasade_core::handler::*;
}

/// Key-value stores, from [`Context::kv`](crate::Context::kv).
pub mod kv {
    pub use faasade_core::kv::*;
}

/// Every target, what it supports and what it is tested on: the registry everything else is
/// derived from.
pub mod targets {
    pub use faasade_targets::*;
}

/// The local target, for an app's own tests: [`local::call`] answers one request in-process,
/// [`local::start`] serves on a real socket.
#[cfg(faasade_local)]
pub mod local {
    pub use faasade_local::{Config, Running, call, start};
}

// ---- target selection -------------------------------------------------------------------------

// The build script reads the registry (`faasade-targets`) and writes a compile error for every
// selection it cannot build: two target features at once, a target on a platform it does not
// build for, a WebAssembly build without a target.
include!(concat!(env!("OUT_DIR"), "/selection.rs"));

#[doc(hidden)]
pub mod __private {
    pub use faasade_core::capability::{DeclaredOrigin, declare_upstreams};

    #[cfg(not(faasade_local))]
    use std::process::ExitCode;

    #[cfg(not(faasade_local))]
    use faasade_core::handler::Handler;

    // Every target's program entry under one name, `run(app_dir, factory)`: `app_dir` is the
    // app's folder, which only the local target reads (its faasade.toml).
    #[cfg(faasade_local)]
    pub use faasade_local::run;

    /// Poll the Lambda Runtime API.
    #[cfg(faasade_target = "aws")]
    pub fn run<F: FnOnce() -> H, H: Handler>(_app_dir: Option<&str>, factory: F) -> ExitCode {
        faasade_aws::run(factory)
    }

    /// Serve activations on the actionloop protocol (or the native one) until stdin closes.
    #[cfg(faasade_target = "openwhisk")]
    pub fn run<F: FnOnce() -> H, H: Handler>(_app_dir: Option<&str>, factory: F) -> ExitCode {
        faasade_openwhisk::run(factory)
    }

    /// Serve the one client request Fastly started this program for.
    #[cfg(faasade_target = "fastly")]
    pub fn run<F: FnOnce() -> H, H: Handler>(_app_dir: Option<&str>, factory: F) -> ExitCode {
        faasade_fastly::run(factory)
    }

    /// A Worker or a component is a library its host loads: as a program it says so.
    #[cfg(any(
        faasade_target = "cloudflare",
        faasade_target = "spin",
        faasade_target = "wasi"
    ))]
    pub fn run<F: FnOnce() -> H, H: Handler>(_app_dir: Option<&str>, _factory: F) -> ExitCode {
        #[cfg(faasade_target = "cloudflare")]
        return faasade_cloudflare::not_a_binary();
        #[cfg(faasade_target = "spin")]
        return faasade_spin::not_a_binary();
        #[cfg(faasade_target = "wasi")]
        return faasade_wasi::not_a_binary();
    }

    #[cfg(faasade_target = "cloudflare")]
    pub use faasade_cloudflare as cloudflare;
    #[cfg(faasade_target = "cloudflare")]
    pub use faasade_cloudflare::wasm_bindgen;
    #[cfg(faasade_target = "spin")]
    pub use faasade_spin as spin;
    #[cfg(faasade_target = "wasi")]
    pub use faasade_wasi as wasi;
}

/// Expands `#[faasade::main]`'s handler factory into the entry point of the selected target.
///
/// Every target gets `__faasade_run`, which [`run!`] calls from `src/main.rs` when the app is a
/// library (as the Wasm targets that load a library need); a single-file binary app gets a
/// `main` that calls it directly. The targets whose host calls an export of the library get
/// it from [`__exports!`].
#[doc(hidden)]
#[cfg(faasade_selected)]
#[macro_export]
macro_rules! __entry {
    ($factory:expr) => {
        #[doc(hidden)]
        pub fn __faasade_run() -> ::std::process::ExitCode {
            $crate::__private::run(::std::option_env!("CARGO_MANIFEST_DIR"), $factory)
        }
        #[allow(dead_code)]
        fn main() -> ::std::process::ExitCode {
            __faasade_run()
        }
        $crate::__exports!($factory);
    };
}

/// The Cloudflare Workers export: the module's `fetch`, which worker-build's shim calls for
/// every request. The app must be a `cdylib` library.
#[doc(hidden)]
#[cfg(faasade_target = "cloudflare")]
#[macro_export]
macro_rules! __exports {
    ($factory:expr) => {
        #[doc(hidden)]
        #[$crate::__private::wasm_bindgen::prelude::wasm_bindgen(
                                                    js_name = fetch,
                                                    wasm_bindgen = $crate::__private::wasm_bindgen
                                                )]
        pub fn __faasade_fetch(
            req: $crate::__private::cloudflare::JsRequest,
            env: $crate::__private::cloudflare::Env,
            ctx: $crate::__private::cloudflare::JsContext,
        ) -> $crate::__private::cloudflare::Promise {
            $crate::__private::cloudflare::fetch(req, env, ctx, $factory)
        }
    };
}

/// The Spin export: the component's `wasi:http/handler@0.3.0`, which the host calls for every
/// request. The app must be a `cdylib` library.
#[doc(hidden)]
#[cfg(faasade_target = "spin")]
#[macro_export]
macro_rules! __exports {
    ($factory:expr) => {
        #[doc(hidden)]
        struct __FaasadeSpin;
        impl $crate::__private::spin::Guest for __FaasadeSpin {
            async fn handle(
                req: $crate::__private::spin::WasiRequest,
            ) -> ::std::result::Result<
                $crate::__private::spin::WasiResponse,
                $crate::__private::spin::ErrorCode,
            > {
                $crate::__private::spin::handle(req, $factory).await
            }
        }
        $crate::__private::spin::wasip3::http::service::export!(
            __FaasadeSpin with_types_in $crate::__private::spin::wasip3
        );
    };
}

/// The WASI export: the component's `wasi:http/incoming-handler@0.2`, which the host calls for
/// every request. The app must be a `cdylib` library.
#[doc(hidden)]
#[cfg(faasade_target = "wasi")]
#[macro_export]
macro_rules! __exports {
    ($factory:expr) => {
        #[doc(hidden)]
        struct __FaasadeWasi;
        impl $crate::__private::wasi::Guest for __FaasadeWasi {
            fn handle(
                req: $crate::__private::wasi::IncomingRequest,
                out: $crate::__private::wasi::ResponseOutparam,
            ) {
                $crate::__private::wasi::handle(req, out, $factory)
            }
        }
        $crate::__private::wasi::wasip2::http::proxy::export!(
            __FaasadeWasi with_types_in $crate::__private::wasi::wasip2
        );
    };
}

/// The native targets and Fastly run as programs: no export.
#[doc(hidden)]
#[cfg(not(any(
    faasade_target = "cloudflare",
    faasade_target = "spin",
    faasade_target = "wasi"
)))]
#[macro_export]
macro_rules! __exports {
    ($factory:expr) => {};
}

/// `src/main.rs` of an app whose handler lives in its library (`src/lib.rs`): the binary runs
/// the library's `#[faasade::main]` entry on native targets.
///
/// ```ignore
/// // src/main.rs
/// faasade::run!(my_app);
/// ```
#[macro_export]
macro_rules! run {
    ($app:ident) => {
        fn main() -> ::std::process::ExitCode {
            $app::__faasade_run()
        }
    };
}

/// A target's build has already failed with a clear message; keep further errors away.
#[doc(hidden)]
#[cfg(not(faasade_selected))]
#[macro_export]
macro_rules! __entry {
    ($factory:expr) => {
        #[doc(hidden)]
        pub fn __faasade_run() -> ::std::process::ExitCode {
            ::std::process::ExitCode::FAILURE
        }
        #[allow(dead_code)]
        fn main() {}
    };
}
