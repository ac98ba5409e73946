//! {{project-name}}: one HTTP handler, for every Faasade target.

use faasade::{Context, Error, Request, Response, Result};

#[faasade::main]
async fn handle(req: Request, cx: Context) -> Result<Response> {
    let path: Vec<&str> = req.uri().path().split('/').filter(|s| !s.is_empty()).collect();
    match (req.method().as_str(), path.as_slice()) {
        ("GET", []) => Ok(Response::text("{{project-name}} is running\n")),
        ("GET", ["hello", name]) => {
            let greeting = cx.var("GREETING").unwrap_or("hello".into());
            Ok(Response::text(format!("{greeting}, {name} (from {})\n", cx.target())))
        }
        _ => Err(Error::not_found()),
    }
}
