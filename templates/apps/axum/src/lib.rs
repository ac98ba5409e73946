//! {{project-name}}: an axum `Router`, deployed unchanged to every Faasade target. Handlers
//! reach the Faasade `Context` through `Extension<Context>`.

use axum::extract::Path;
use axum::routing::get;
use axum::{Extension, Json, Router};
use faasade::Context;
use serde::Serialize;

#[derive(Serialize)]
struct Greeting {
    message: String,
    target: &'static str,
}

async fn greet(Path(name): Path<String>, Extension(cx): Extension<Context>) -> Json<Greeting> {
    let greeting = cx.var("GREETING").unwrap_or("hello".into());
    Json(Greeting {
        message: format!("{greeting}, {name}"),
        target: cx.target(),
    })
}

#[faasade::main]
fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "{{project-name}} is running\n" }))
        .route("/hello/{name}", get(greet))
}
