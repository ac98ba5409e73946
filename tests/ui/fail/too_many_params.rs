use faasade::{Context, Request, Result};

#[faasade::main]
async fn handle(req: Request, cx: Context, extra: u8) -> Result<String> {
    Ok(format!("{} {} {extra}", req.uri(), cx.target()))
}
