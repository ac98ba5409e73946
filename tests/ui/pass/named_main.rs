use faasade::{Context, Request, Result};

// `main` is taken by the generated entry point; the handler is renamed, not rejected.
#[faasade::main]
async fn main(req: Request, _cx: Context) -> Result<String> {
    Ok(req.uri().path().to_owned())
}
