use faasade::{Context, Request, Response, Result};

#[faasade::main]
async fn handle(req: Request, cx: Context) -> Result<Response> {
    let name = cx.var("GREETING").unwrap_or("hello".into());
    Ok(Response::text(format!("{name} {}", req.uri().path())))
}
