//! The second baseline for the cloudflare benchmark: a hello world written by hand against the
//! `worker` crate with its `http` feature, so the request and response are `http` types as in
//! Faasade. The gap to this baseline is what Faasade itself costs; the gap between the two
//! baselines is what the `http` types cost in workers-rs.

use worker::{Context, Env, HttpRequest, Result, event};

/// Greets with the `GREETING` var and the request path.
#[event(fetch)]
pub async fn fetch(req: HttpRequest, env: Env, _ctx: Context) -> Result<http::Response<String>> {
    let greeting = env
        .var("GREETING")
        .map_or_else(|_| "hello".to_owned(), |v| v.to_string());
    let res = http::Response::builder()
        .header("content-type", "text/plain; charset=utf-8")
        .body(format!("{greeting} {}\n", req.uri().path()))?;
    Ok(res)
}
