//! The baseline for the cloudflare benchmark: a hello world written by hand against the
//! `worker` crate, the way its template starts, as a Rust developer would without Faasade.

use worker::{Context, Env, Request, Response, Result, event};

/// Greets with the `GREETING` var and the request path.
#[event(fetch)]
pub async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let greeting = env
        .var("GREETING")
        .map_or_else(|_| "hello".to_owned(), |v| v.to_string());
    let mut res = Response::ok(format!("{greeting} {}\n", req.path()))?;
    res.headers_mut()
        .set("content-type", "text/plain; charset=utf-8")?;
    Ok(res)
}
