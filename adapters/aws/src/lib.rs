//! Faasade's AWS Lambda target (`--features aws`), on the official `lambda_runtime` and
//! `lambda_http` crates.
//!
//! - HTTP handlers serve every HTTP front Lambda has: API Gateway REST (v1; the stage prefix is
//!   removed from the path the handler sees), HTTP API (v2), ALB and Function URLs. The reply
//!   takes the shape the event's source expects; text bodies go as text, others base64-encoded;
//!   every `Set-Cookie` is kept.
//! - JSON event functions take any other trigger's event (SQS, S3, EventBridge, direct invoke);
//!   an error is reported to the Runtime API's `/error` with a readable `errorType`.
//! - Handler futures need not be `Send`: the runtime is single-threaded and each invocation's
//!   future is wrapped in a checked [`send_wrapper::SendWrapper`].
//! - Vars and secrets come from the environment, fetch uses reqwest, logs go to stdout in the
//!   form CloudWatch reads (honouring `AWS_LAMBDA_LOG_FORMAT` and `AWS_LAMBDA_LOG_LEVEL`).
//!   KV is not built in: `cx.kv(..)` fails with "the `aws` target does not support `kv`".
//!
//! Apps reach this through `#[faasade::main]` with the `aws` feature; [`request`] and
//! [`response`] are public for tests and tools.

mod platform;
pub mod request;
pub mod response;

use std::convert::Infallible;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::Arc;

use faasade_core::handler::{self, Handler};
use faasade_core::{Context, Error, RequestMeta};
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use send_wrapper::SendWrapper;

pub use platform::TARGET;

/// The entry point `#[faasade::main]` calls on the `aws` target: poll the Lambda Runtime API
/// for invocations until the process is stopped.
pub fn run<F, H>(factory: F) -> ExitCode
where
    F: FnOnce() -> H,
    H: Handler,
{
    lambda_runtime::tracing::init_default_subscriber();
    let Some(rt) = faasade_native_fetch::runtime() else {
        return ExitCode::FAILURE;
    };
    let handler = Rc::new(factory());
    let platform: Arc<dyn faasade_core::Platform> = Arc::new(platform::AwsPlatform::new());
    // The branch stays outside the async blocks: `is_event` is a constant for each handler
    // type, so the unused runtime loop drops out of the binary.
    let result = if handler.is_event() {
        let service = service_fn(move |event| {
            SendWrapper::new(on_event(handler.clone(), platform.clone(), event))
        });
        rt.block_on(lambda_runtime::run(service))
    } else {
        rt.block_on(lambda_runtime::run(http_service(handler, platform)))
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("the Lambda runtime stopped: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The service HTTP handlers are served with: lambda_http's Adapter (the event in, the reply
/// its source expects out) inside [`request::DecodeGuard`], around [`on_http`].
pub fn http_service<H: Handler + 'static>(
    handler: Rc<H>,
    platform: Arc<dyn faasade_core::Platform>,
) -> request::DecodeGuard<
    lambda_http::Adapter<
        'static,
        http::Response<lambda_http::Body>,
        impl lambda_runtime::Service<
            lambda_http::Request,
            Response = http::Response<lambda_http::Body>,
            Error = Infallible,
            Future: Send + 'static,
        >,
    >,
> {
    let service =
        service_fn(move |req| SendWrapper::new(on_http(handler.clone(), platform.clone(), req)));
    request::DecodeGuard(lambda_http::Adapter::from(service))
}

/// One invocation of `event` through [`http_service`], with this target's platform: the JSON
/// reply Lambda would be sent. For tests and tools that hold a captured event.
pub async fn answer_http_event<H: Handler + 'static>(
    handler: H,
    event: lambda_http::request::LambdaRequest,
) -> serde_json::Value {
    use lambda_runtime::Service as _;
    let mut service = http_service(Rc::new(handler), Arc::new(platform::AwsPlatform::new()));
    let ready = std::future::poll_fn(|cx| service.poll_ready(cx)).await;
    let Ok(()) = ready;
    let Ok(reply) = service
        .call(LambdaEvent::new(event, lambda_runtime::Context::default()))
        .await;
    serde_json::to_value(reply).unwrap_or_else(|e| {
        tracing::error!("the reply is not JSON: {e}");
        serde_json::Value::Null
    })
}

/// One HTTP invocation: decode, serve (errors and panics become generic responses), encode.
pub async fn on_http<H: Handler + ?Sized>(
    handler: Rc<H>,
    platform: Arc<dyn faasade_core::Platform>,
    req: lambda_http::Request,
) -> Result<http::Response<lambda_http::Body>, Infallible> {
    let (req, meta) = request::from_lambda(req);
    // Lambda refuses larger payloads itself; an emulator or a load balancer may not, and the
    // limit is the same on every target.
    if req.body().len() > faasade_core::DEFAULT_BODY_LIMIT {
        let e = Error::payload_too_large(faasade_core::DEFAULT_BODY_LIMIT);
        return Ok(response::to_lambda(handler::rejected(&e)));
    }
    let res = handler::serve(&*handler, req, Context::new(platform, meta)).await;
    Ok(response::to_lambda(res))
}

/// One JSON event: the handler's value, or a [`Diagnostic`] for the Runtime API's `/error`.
pub async fn on_event<H: Handler + ?Sized>(
    handler: Rc<H>,
    platform: Arc<dyn faasade_core::Platform>,
    event: LambdaEvent<serde_json::Value>,
) -> Result<serde_json::Value, Diagnostic> {
    let mut meta = RequestMeta::default();
    request::fill_from_context(&mut meta, &event.context);
    let request_id = meta.request_id.clone().unwrap_or_default();
    handler::serve_event(&*handler, event.payload, Context::new(platform, meta))
        .await
        .map_err(|e| diagnostic(&e, &request_id))
}

/// What the Runtime API's `/error` reports: a readable type and a message with no internals.
fn diagnostic(err: &Error, request_id: &str) -> Diagnostic {
    let error_type = match err.unsupported_capability() {
        Some(u) => format!("Unsupported.{}", u.capability),
        None if err.status().is_client_error() => "InvalidEvent".to_owned(),
        None => "HandlerError".to_owned(),
    };
    let error_message = match err.public_message() {
        Some(m) => m.to_owned(),
        None => format!("the function failed; see its logs for request {request_id}"),
    };
    Diagnostic {
        error_type,
        error_message,
    }
}
