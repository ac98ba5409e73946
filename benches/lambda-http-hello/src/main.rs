//! The baseline for the aws benchmark: a hello world written by hand against `lambda_http`,
//! the way the official function template starts (CloudWatch-ready tracing subscriber,
//! single-threaded runtime), as a Rust developer would without Faasade.

use lambda_http::{Body, Error, Request, Response, run, service_fn, tracing};

async fn hello(req: Request) -> Result<Response<Body>, Error> {
    let greeting = std::env::var("GREETING").unwrap_or_else(|_| "hello".into());
    let text = format!("{greeting} {}\n", req.uri().path());
    Ok(Response::builder()
        .header("content-type", "text/plain; charset=utf-8")
        .body(Body::Text(text))?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    tracing::init_default_subscriber();
    run(service_fn(hello)).await
}
