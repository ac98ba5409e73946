//! The three handler forms and the one [`Handler`] trait adapters drive.
//!
//! - [`from_fn`]: `async fn(Request, Context) -> Result<impl IntoResponse>`
//! - [`from_service`]: any `tower::Service<http::Request<Body>>`, e.g. an axum `Router`
//! - [`from_event`]: `async fn(T: Deserialize, Context) -> Result<U: Serialize>`
//!
//! `#[faasade::main]` picks the form from the function's signature. Handler futures need not
//! be `Send` (Workers futures are not); adapters that need `Send` deal with it themselves.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use http::header::{ALLOW, HeaderValue};
use http::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tower_service::Service;

use crate::{
    Body, BoxError, Context, Error, IntoResponse, LocalBoxFuture, Request, Response, ResponseExt,
    Result,
};

/// A function as adapters see it.
pub trait Handler: 'static {
    /// Answer one HTTP request.
    fn call(&self, req: Request, cx: Context) -> LocalBoxFuture<'static, Result<Response>>;

    /// Whether this is a JSON event function (adapters hand it raw events, not HTTP).
    fn is_event(&self) -> bool {
        false
    }

    /// Handle one JSON event from a non-HTTP trigger. `None` for HTTP handlers; adapters
    /// answer such events with an error that says the function only serves HTTP.
    fn call_event(
        &self,
        event: serde_json::Value,
        cx: Context,
    ) -> Option<LocalBoxFuture<'static, Result<serde_json::Value>>> {
        let _ = (event, cx);
        None
    }
}

/// An `async fn(Request, Context)` handler; see [`from_fn`].
#[derive(Debug, Clone, Copy)]
pub struct FnHandler<F>(F);

/// Serve HTTP with `f`.
pub fn from_fn<F, Fut, R, E>(f: F) -> FnHandler<F>
where
    F: Fn(Request, Context) -> Fut + 'static,
    Fut: Future<Output = Result<R, E>> + 'static,
    R: IntoResponse,
    E: Into<Error>,
{
    FnHandler(f)
}

impl<F, Fut, R, E> Handler for FnHandler<F>
where
    F: Fn(Request, Context) -> Fut + 'static,
    Fut: Future<Output = Result<R, E>> + 'static,
    R: IntoResponse,
    E: Into<Error>,
{
    fn call(&self, req: Request, cx: Context) -> LocalBoxFuture<'static, Result<Response>> {
        let fut = (self.0)(req, cx);
        Box::pin(async move {
            fut.await
                .map(IntoResponse::into_response)
                .map_err(Into::into)
        })
    }
}

/// A `tower::Service` handler; see [`from_service`].
#[derive(Debug, Clone)]
pub struct ServiceHandler<S>(S);

/// Serve HTTP with any `tower::Service`, such as an axum `Router`, unchanged. The request's
/// [`Context`] is in its extensions (`axum::Extension<faasade::Context>`).
pub fn from_service<S, B>(service: S) -> ServiceHandler<S>
where
    S: Service<Request, Response = http::Response<B>> + Clone + 'static,
    S::Error: Into<BoxError>,
    S::Future: 'static,
    B: http_body::Body<Data = Bytes> + 'static,
    B::Error: Into<BoxError>,
{
    ServiceHandler(service)
}

impl<S, B> Handler for ServiceHandler<S>
where
    S: Service<Request, Response = http::Response<B>> + Clone + 'static,
    S::Error: Into<BoxError>,
    S::Future: 'static,
    B: http_body::Body<Data = Bytes> + 'static,
    B::Error: Into<BoxError>,
{
    fn call(&self, mut req: Request, cx: Context) -> LocalBoxFuture<'static, Result<Response>> {
        let mut service = self.0.clone();
        req.extensions_mut().insert(cx);
        Box::pin(async move {
            std::future::poll_fn(|task| service.poll_ready(task))
                .await
                .map_err(service_error)?;
            let res = service.call(req).await.map_err(service_error)?;
            let (parts, body) = res.into_parts();
            let body = Body::from_http_body(body, usize::MAX).await?;
            Ok(Response::from_parts(parts, body))
        })
    }
}

fn service_error(e: impl Into<BoxError>) -> Error {
    Error::internal("service failed").with_boxed_source(e.into())
}

/// A JSON event function; see [`from_event`].
pub struct EventHandler<F, T> {
    f: F,
    event: PhantomData<fn(T)>,
}

/// Handle JSON events with `f`: non-HTTP triggers (queues, storage, schedules, direct
/// invocation) hand it the event; over HTTP it answers `POST` with the event as the body.
pub fn from_event<F, Fut, T, U, E>(f: F) -> EventHandler<F, T>
where
    F: Fn(T, Context) -> Fut + 'static,
    Fut: Future<Output = Result<U, E>> + 'static,
    T: DeserializeOwned + 'static,
    U: Serialize,
    E: Into<Error>,
{
    EventHandler {
        f,
        event: PhantomData,
    }
}

impl<F: Clone, T> Clone for EventHandler<F, T> {
    fn clone(&self) -> Self {
        Self {
            f: self.f.clone(),
            event: PhantomData,
        }
    }
}

impl<F, Fut, T, U, E> Handler for EventHandler<F, T>
where
    F: Fn(T, Context) -> Fut + 'static,
    Fut: Future<Output = Result<U, E>> + 'static,
    T: DeserializeOwned + 'static,
    U: Serialize,
    E: Into<Error>,
{
    fn call(&self, req: Request, cx: Context) -> LocalBoxFuture<'static, Result<Response>> {
        if req.method() != Method::POST {
            let mut res = Response::text("event functions take the event as JSON in a POST body\n")
                .with_status(StatusCode::METHOD_NOT_ALLOWED);
            res.headers_mut()
                .insert(ALLOW, HeaderValue::from_static("POST"));
            return Box::pin(async move { Ok(res) });
        }
        let event = match req.body().json::<T>() {
            Ok(event) => event,
            Err(e) => return Box::pin(async move { Err(e) }),
        };
        let fut = (self.f)(event, cx);
        Box::pin(async move {
            let out = fut.await.map_err(Into::into)?;
            Ok(Response::json(&out))
        })
    }

    fn is_event(&self) -> bool {
        true
    }

    fn call_event(
        &self,
        event: serde_json::Value,
        cx: Context,
    ) -> Option<LocalBoxFuture<'static, Result<serde_json::Value>>> {
        let event = match serde_json::from_value::<T>(event) {
            Ok(event) => event,
            Err(e) => {
                let err =
                    Error::bad_request(format!("the event does not have the expected shape: {e}"));
                return Some(Box::pin(async move { Err(err) }));
            }
        };
        let fut = (self.f)(event, cx);
        Some(Box::pin(async move {
            Ok(serde_json::to_value(fut.await.map_err(Into::into)?)?)
        }))
    }
}

/// Answer one request with `handler`, the way every adapter must: a handler `Err` becomes its
/// status with a generic body (4xx errors show their message) and a log line with the cause;
/// a panic becomes a logged `500` where the target can unwind. Nothing internal reaches the
/// client.
pub async fn serve<H: Handler + ?Sized>(handler: &H, req: Request, cx: Context) -> Response {
    // Kept for the log lines of a failure: reference-counted copies, no allocation.
    let (method, uri, log_cx) = (req.method().clone(), req.uri().clone(), cx.clone());
    match CatchUnwind(handler.call(req, cx)).await {
        Ok(Ok(res)) => res,
        Ok(Err(err)) => {
            log_error(&err, log_cx.request_id(), &method, uri.path());
            error_response(&err)
        }
        Err(panic) => {
            let message = panic_message(&*panic);
            let (request_id, path) = (log_cx.request_id(), uri.path());
            tracing::error!(request_id, %method, path, panic = message, "handler panicked");
            panic_response()
        }
    }
}

/// Handle one JSON event with `handler`, catching panics like [`serve`]. Errors are logged
/// here; the adapter reports them in its provider's shape.
pub async fn serve_event<H: Handler + ?Sized>(
    handler: &H,
    event: serde_json::Value,
    cx: Context,
) -> Result<serde_json::Value> {
    let log_cx = cx.clone();
    let request_id = log_cx.request_id();
    let Some(fut) = handler.call_event(event, cx) else {
        return Err(Error::bad_request(
            "this function serves HTTP requests; it got a non-HTTP event",
        ));
    };
    match CatchUnwind(fut).await {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(err)) => {
            log_error(&err, request_id, "EVENT", "");
            Err(err)
        }
        Err(panic) => {
            let message = panic_message(&*panic);
            tracing::error!(%request_id, panic = message, "event handler panicked");
            Err(Error::internal(format!("handler panicked: {message}")))
        }
    }
}

/// The response for an error: its status, and its message only when it is a client error.
pub fn error_response(err: &Error) -> Response {
    let status = err.status();
    let text = match err.public_message() {
        Some(m) => format!("{m}\n"),
        None => format!("{}\n", status.canonical_reason().unwrap_or("Error")),
    };
    Response::text(text).with_status(status)
}

/// The answer to a request whose handler panicked: a generic `500`, the same on every target.
/// [`serve`] gives it when it catches the panic; the targets where a panic aborts the instance
/// give it from their panic hook.
pub fn panic_response() -> Response {
    error_response(&Error::from_status(StatusCode::INTERNAL_SERVER_ERROR))
}

thread_local! {
    /// The app's handler in this instance: see [`instance_handler`].
    static INSTANCE_HANDLER: RefCell<Option<Rc<dyn Handler>>> = const { RefCell::new(None) };
}

/// The app's handler, built by `factory` on the first request of this instance and kept for
/// the next ones: Wasm hosts (Workers, Spin, wasi:http) call an export per request and may
/// reuse the instance between them.
pub fn instance_handler<F, H>(factory: F) -> Rc<dyn Handler>
where
    F: FnOnce() -> H,
    H: Handler,
{
    INSTANCE_HANDLER.with(|h| {
        h.borrow_mut()
            .get_or_insert_with(|| Rc::new(factory()) as Rc<dyn Handler>)
            .clone()
    })
}

/// The answer to a request an adapter refused before (or instead of) running the handler — an
/// unreadable or oversize request, a future that cannot finish on the target: logged with the
/// same levels as a handler's error ([`serve`]) and answered by [`error_response`].
pub fn rejected(err: &Error) -> Response {
    if err.status().is_server_error() {
        tracing::error!("request failed: {err}");
    } else {
        tracing::info!("request rejected: {err}");
    }
    error_response(err)
}

fn log_error(err: &Error, request_id: &str, method: impl std::fmt::Display, path: &str) {
    if err.status().is_server_error() {
        tracing::error!(%request_id, %method, path, status = err.status().as_u16(), error = %err, "handler failed");
    } else {
        tracing::info!(%request_id, %method, path, status = err.status().as_u16(), error = %err, "request rejected");
    }
}

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "non-string panic payload"
    }
}

/// Polls a boxed future inside `catch_unwind`.
struct CatchUnwind<T>(LocalBoxFuture<'static, T>);

impl<T> Future for CatchUnwind<T> {
    type Output = std::thread::Result<T>;

    fn poll(self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let fut = &mut self.get_mut().0;
        match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(task))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{block_on, context};

    async fn hello(req: Request, _cx: Context) -> Result<String> {
        Ok(format!("hi {}", req.uri().path()))
    }

    async fn fails(_req: Request, _cx: Context) -> Result<Response> {
        Err(Error::internal("secret-internal-detail"))
    }

    async fn panics(_req: Request, _cx: Context) -> Result<Response> {
        panic!("secret-internal-detail")
    }

    #[derive(serde::Deserialize)]
    struct Order {
        qty: u32,
    }

    async fn double(order: Order, _cx: Context) -> Result<serde_json::Value> {
        Ok(serde_json::json!({ "qty": order.qty * 2 }))
    }

    fn get(path: &str) -> Request {
        http::Request::get(path).body(Body::empty()).unwrap()
    }

    #[test]
    fn fn_handler_answers() {
        let res = block_on(serve(&from_fn(hello), get("/x"), context()));
        assert_eq!(res.status(), 200);
        assert_eq!(res.body().as_bytes(), b"hi /x");
    }

    #[test]
    fn errors_and_panics_are_generic_500s() {
        for res in [
            block_on(serve(&from_fn(fails), get("/"), context())),
            block_on(serve(&from_fn(panics), get("/"), context())),
        ] {
            assert_eq!(res.status(), 500);
            assert_eq!(res.body().as_bytes(), b"Internal Server Error\n");
        }
    }

    #[test]
    fn client_errors_show_their_message() {
        async fn reject(_req: Request, _cx: Context) -> Result<Response> {
            Err(Error::bad_request("name is required"))
        }
        let res = block_on(serve(&from_fn(reject), get("/"), context()));
        assert_eq!(res.status(), 400);
        assert_eq!(res.body().as_bytes(), b"name is required\n");
    }

    #[test]
    fn event_functions_over_http_and_as_events() {
        let h = from_event(double);
        let post = http::Request::post("/")
            .body(Body::from(r#"{"qty":2}"#))
            .unwrap();
        let res = block_on(serve(&h, post, context()));
        assert_eq!(res.body().as_bytes(), br#"{"qty":4}"#);
        assert_eq!(block_on(serve(&h, get("/"), context())).status(), 405);
        let bad = http::Request::post("/").body(Body::from("{")).unwrap();
        assert_eq!(block_on(serve(&h, bad, context())).status(), 400);

        assert!(h.is_event() && !from_fn(hello).is_event());
        let out = block_on(serve_event(&h, serde_json::json!({"qty": 5}), context())).unwrap();
        assert_eq!(out, serde_json::json!({"qty": 10}));
        let wrong = block_on(serve_event(&h, serde_json::json!({"q": 5}), context())).unwrap_err();
        assert_eq!(wrong.status(), 400);
    }

    #[test]
    fn http_handlers_refuse_events() {
        let err = block_on(serve_event(
            &from_fn(hello),
            serde_json::json!({}),
            context(),
        ))
        .unwrap_err();
        assert!(err.to_string().contains("serves HTTP"), "{err}");
    }

    #[test]
    fn axum_router_works_unchanged() {
        use axum::routing::get as route;
        use axum::{Extension, Router};
        async fn who(Extension(cx): Extension<Context>) -> String {
            format!("on {}", cx.target())
        }
        let app = Router::new().route("/who", route(who));
        let res = block_on(serve(&from_service(app), get("/who"), context()));
        assert_eq!(res.status(), 200);
        assert_eq!(res.body().as_bytes(), b"on test");
        let missing = block_on(serve(&from_service(Router::new()), get("/nope"), context()));
        assert_eq!(missing.status(), 404);
    }
}
