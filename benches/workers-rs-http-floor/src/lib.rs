//! The size floor for the cloudflare benchmark: the bare workers-rs hello world plus the least
//! any Worker must do whose handler takes an `http::Request` and returns an `http::Response`
//! (Faasade's contract): the method, the URL and every header into an `http::Request`, and the
//! reply's status and headers back out of an `http::Response`. No body handling, no error
//! mapping, no logging: what it adds to the bare hello is what the `http` types alone cost.
//! Built for its size only.

use worker::{Context, Env, Request, Response, Result, event};

fn rust_error(e: http::Error) -> worker::Error {
    worker::Error::RustError(e.to_string())
}

/// Greets with the `GREETING` var and the request path, through the `http` types.
#[event(fetch)]
pub async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let js = req.inner();
    let mut head = http::Request::builder()
        .method(http::Method::from_bytes(js.method().as_bytes()).unwrap_or_default())
        .uri(js.url());
    for (name, value) in req.headers() {
        head = head.header(name, value);
    }
    let req = head.body(()).map_err(rust_error)?;

    let greeting = env
        .var("GREETING")
        .map_or_else(|_| "hello".to_owned(), |v| v.to_string());
    let res = http::Response::builder()
        .header("content-type", "text/plain; charset=utf-8")
        .body(format!("{greeting} {}\n", req.uri().path()))
        .map_err(rust_error)?;

    let (parts, body) = res.into_parts();
    let mut out = Response::ok(body)?.with_status(parts.status.as_u16());
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            out.headers_mut().append(name.as_str(), value)?;
        }
    }
    Ok(out)
}
