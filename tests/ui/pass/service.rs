use axum::routing::get;

#[faasade::main]
fn app() -> axum::Router {
    axum::Router::new().route("/", get(|| async { "axum" }))
}
