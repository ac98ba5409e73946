use faasade::{Body, Context, Result, StatusCode};

#[faasade::main(http)]
async fn handle(_req: faasade::http::Request<Body>, _cx: Context) -> Result<(StatusCode, &'static str)> {
    Ok((StatusCode::ACCEPTED, "queued"))
}
