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
    #[cfg(faasade_target = "aws")]
    pub use faasade_aws::run as run_aws;
    #[cfg(faasade_target = "cloudflare")]
    pub use faasade_cloudflare as cloudflare;
    #[cfg(faasade_target = "cloudflare")]
    pub use faasade_cloudflare::wasm_bindgen;
    #[cfg(faasade_target = "fastly")]
    pub use faasade_fastly::run as run_fastly;
    #[cfg(faasade_local)]
    pub use faasade_local::run as run_local;
    #[cfg(faasade_target = "openwhisk")]
    pub use faasade_openwhisk::run as run_openwhisk;
    #[cfg(faasade_target = "spin")]
    pub use faasade_spin as spin;
    #[cfg(faasade_target = "wasi")]
    pub use faasade_wasi as wasi;
}

/// Expands `#[faasade::main]`'s handler factory into the entry point of the selected target.
///
/// Every target gets `__faasade_run`, which [`run!`] calls from `src/main.rs` when the app is a
/// library (as the Wasm targets that load a library need); a single-file binary app gets a
/// `main` that calls it directly.
#[doc(hidden)]
#[cfg(faasade_local)]
#[macro_export]
macro_rules! __entry {
    ($factory:expr) => {
        #[doc(hidden)]
        pub fn __faasade_run() -> ::std::process::ExitCode {
            $crate::__private::run_local(::std::option_env!("CARGO_MANIFEST_DIR"), $factory)
        }
        #[allow(dead_code)]
        fn main() -> ::std::process::ExitCode {
            __faasade_run()
        }
    };
}

/// The AWS Lambda entry point: poll the Runtime API.
#[doc(hidden)]
#[cfg(faasade_target = "aws")]
#[macro_export]
macro_rules! __entry {
    ($factory:expr) => {
        #[doc(hidden)]
        pub fn __faasade_run() -> ::std::process::ExitCode {
            $crate::__private::run_aws($factory)
        }
        #[allow(dead_code)]
        fn main() -> ::std::process::ExitCode {
            __faasade_run()
        }
    };
}

/// The OpenWhisk entry point: serve activations on the actionloop protocol (or the native
/// one) until stdin closes.
#[doc(hidden)]
#[cfg(faasade_target = "openwhisk")]
#[macro_export]
macro_rules! __entry {
    ($factory:expr) => {
        #[doc(hidden)]
        pub fn __faasade_run() -> ::std::process::ExitCode {
            $crate::__private::run_openwhisk($factory)
        }
        #[allow(dead_code)]
        fn main() -> ::std::process::ExitCode {
            __faasade_run()
        }
    };
}

/// The Cloudflare Workers entry point: the module's `fetch` export, which worker-build's shim
/// calls for every request. The app must be a `cdylib` library.
#[doc(hidden)]
#[cfg(faasade_target = "cloudflare")]
#[macro_export]
macro_rules! __entry {
    ($factory:expr) => {
        #[doc(hidden)]
        pub fn __faasade_run() -> ::std::process::ExitCode {
            $crate::__private::cloudflare::not_a_binary()
        }
        #[allow(dead_code)]
        fn main() -> ::std::process::ExitCode {
            __faasade_run()
        }
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

/// The Fastly Compute entry point: the program Fastly starts for each request serves the
/// client request and ends.
#[doc(hidden)]
#[cfg(faasade_target = "fastly")]
#[macro_export]
macro_rules! __entry {
    ($factory:expr) => {
        #[doc(hidden)]
        pub fn __faasade_run() -> ::std::process::ExitCode {
            $crate::__private::run_fastly($factory)
        }
        #[allow(dead_code)]
        fn main() -> ::std::process::ExitCode {
            __faasade_run()
        }
    };
}

/// The Spin entry point: the component's `wasi:http/handler@0.3.0` export, which the host calls
/// for every request. The app must be a `cdylib` library.
#[doc(hidden)]
#[cfg(faasade_target = "spin")]
#[macro_export]
macro_rules! __entry {
    ($factory:expr) => {
        #[doc(hidden)]
        pub fn __faasade_run() -> ::std::process::ExitCode {
            $crate::__private::spin::not_a_binary()
        }
        #[allow(dead_code)]
        fn main() -> ::std::process::ExitCode {
            __faasade_run()
        }
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

/// The WASI entry point: the component's `wasi:http/incoming-handler@0.2` export, which the host
/// calls for every request. The app must be a `cdylib` library.
#[doc(hidden)]
#[cfg(faasade_target = "wasi")]
#[macro_export]
macro_rules! __entry {
    ($factory:expr) => {
        #[doc(hidden)]
        pub fn __faasade_run() -> ::std::process::ExitCode {
            $crate::__private::wasi::not_a_binary()
        }
        #[allow(dead_code)]
        fn main() -> ::std::process::ExitCode {
            __faasade_run()
        }
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
