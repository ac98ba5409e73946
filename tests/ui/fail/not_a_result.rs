use faasade::{Context, Request};

#[faasade::main]
async fn handle(_req: Request, _cx: Context) -> &'static str {
    "handlers return a Result"
}
