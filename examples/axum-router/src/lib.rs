//! An axum `Router` deployed unchanged: `#[faasade::main]` on a function that builds it.
//! Handlers reach the Faasade [`Context`] through `Extension<Context>`.

use axum::extract::{Path, Query};
use axum::routing::get;
use axum::{Extension, Json, Router};
use faasade::Context;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    shout: bool,
}

#[derive(Serialize)]
struct Greeting {
    message: String,
    target: &'static str,
}

async fn greet(
    Path(name): Path<String>,
    Query(page): Query<Page>,
    Extension(cx): Extension<Context>,
) -> Json<Greeting> {
    let greeting = cx.var("GREETING").unwrap_or("hello".into());
    let mut message = format!("{greeting}, {name}");
    if page.shout {
        message = message.to_uppercase();
    }
    Json(Greeting {
        message,
        target: cx.target(),
    })
}

#[faasade::main]
fn app() -> Router {
    Router::new()
        .route("/", get(|| async { "axum on faasade\n" }))
        .route("/hello/{name}", get(greet))
}
