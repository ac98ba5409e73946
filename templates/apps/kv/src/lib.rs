//! {{project-name}}: a counter in a KV store (`cx.kv("default")`): Workers KV on Cloudflare, a
//! KV store on Fastly, Spin's key-value store, and a local database when run locally.

use faasade::{Context, Error, Request, Response, Result};

#[faasade::main]
async fn handle(req: Request, cx: Context) -> Result<Response> {
    let path: Vec<&str> = req.uri().path().split('/').filter(|s| !s.is_empty()).collect();
    let store = cx.kv("default")?;
    match (req.method().as_str(), path.as_slice()) {
        ("GET", ["count", name]) => {
            let count = read(store.get_text(name).await?);
            Ok(Response::text(format!("{count}\n")))
        }
        ("POST", ["count", name]) => {
            let count = read(store.get_text(name).await?) + 1;
            store.put(name, count.to_string()).await?;
            Ok(Response::text(format!("{count}\n")))
        }
        _ => Err(Error::not_found()),
    }
}

fn read(value: Option<String>) -> u64 {
    value.and_then(|v| v.parse().ok()).unwrap_or(0)
}
