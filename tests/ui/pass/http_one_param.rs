use faasade::{Request, Result};

#[faasade::main]
async fn handle(req: Request) -> Result<String> {
    let body: serde_json::Value = req.json()?;
    Ok(body.to_string())
}
