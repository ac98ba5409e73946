//! The smallest Faasade app: `cargo run -p hello`, then `curl localhost:3000/world`.

use faasade::{Context, Request, Response, Result};

#[faasade::main]
async fn handle(req: Request, cx: Context) -> Result<Response> {
    let greeting = cx.var("GREETING").unwrap_or("hello".into());
    Ok(Response::text(format!("{greeting} {}\n", req.uri().path())))
}
