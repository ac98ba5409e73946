use faasade::{Context, Request, Result};

#[faasade::main]
fn handle(req: Request, _cx: Context) -> Result<String> {
    Ok(req.uri().to_string())
}
