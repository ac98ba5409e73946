#[faasade::main(service)]
async fn app() -> axum::Router {
    axum::Router::new()
}
