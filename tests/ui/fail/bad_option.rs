use faasade::{Context, Request, Result};

#[faasade::main(grpc)]
async fn handle(_req: Request, _cx: Context) -> Result<&'static str> {
    Ok("hi")
}
