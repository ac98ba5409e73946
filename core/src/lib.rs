//! Faasade's provider-neutral core: the types a handler is written against, and the traits each
//! provider adapter implements. No provider SDK and no async runtime live here.
//!
//! Applications use these through the `faasade` crate; adapter authors use them directly.
//!
//! ```
//! use faasade_core::{Body, Context, Request, Response, ResponseExt, Result, handler};
//!
//! async fn handle(req: Request, _cx: Context) -> Result<Response> {
//!     Ok(Response::text(format!("hello {}", req.uri().path())))
//! }
//!
//! // What an adapter does with it:
//! let h = handler::from_fn(handle);
//! # let _ = h;
//! ```

mod body;
pub mod capability;
mod context;
mod error;
pub mod executor;
pub mod handler;
pub mod kv;
pub mod log_lines;
mod request;
mod response;

use std::future::Future;
use std::pin::Pin;

pub use body::{Body, DEFAULT_BODY_LIMIT};
pub use capability::Capability;
pub use context::{Context, Learned, OnDemand, Platform, RequestMeta};
pub use error::{BoxError, Error, Result, Unsupported};
pub use handler::Handler;
pub use kv::{Kv, KvPage, KvStore, ListOptions};
pub use request::{RequestExt, append_header, origin_form, request_target};
pub use response::{IntoResponse, Json, ResponseExt};

pub use bytes::Bytes;
pub use http;
pub use http::{HeaderMap, Method, StatusCode, Uri};

/// An HTTP request with a buffered [`Body`].
pub type Request = http::Request<Body>;

/// An HTTP response with a buffered [`Body`].
pub type Response = http::Response<Body>;

/// A boxed `Send` future, as capability traits return them.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A boxed future with no `Send` bound, as handlers return them.
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

#[cfg(test)]
mod testing {
    use std::sync::Arc;
    use std::task::{Context as TaskContext, Poll, Waker};

    use super::*;

    /// Drive a future that never waits on I/O.
    pub(crate) fn block_on<F: Future>(fut: F) -> F::Output {
        let mut fut = std::pin::pin!(fut);
        let mut task = TaskContext::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(v) = fut.as_mut().poll(&mut task) {
                return v;
            }
        }
    }

    struct TestPlatform;
    impl Platform for TestPlatform {
        fn target(&self) -> &'static str {
            "test"
        }
        fn var(&self, _: &str) -> Option<String> {
            None
        }
        fn secret(&self, _: &str) -> Option<String> {
            None
        }
    }

    pub(crate) fn context() -> Context {
        Context::new(Arc::new(TestPlatform), RequestMeta::default())
    }
}
