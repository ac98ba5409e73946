//! Outbound HTTP through wasi:http's client (`spin_sdk::http::send`). Behind the `fetch`
//! feature. Spin lets a component reach only the hosts spin.toml lists in
//! `allowed_outbound_hosts` (written from faasade.toml `[fetch] upstreams`). Network failures
//! are `502` errors whose cause is logged, never shown.

use faasade_core::{Body, DEFAULT_BODY_LIMIT, Error, Request, Response, Result, StatusCode};

pub(crate) async fn send(req: Request) -> Result<Response> {
    let url = req.uri().to_string();
    let method = req.method().clone();
    faasade_core::capability::fetch_destination(req.uri())?;
    let failed = |what: String| {
        Error::new(
            StatusCode::BAD_GATEWAY,
            format!("fetch {method} {url} {what}"),
        )
    };
    let res = spin_sdk::http::send(req)
        .await
        .map_err(|e| failed("failed".into()).with_source(e))?;
    let (parts, body) = res.into_parts();
    let body = Body::from_http_body(body, DEFAULT_BODY_LIMIT)
        .await
        .map_err(|e| failed(format!("gave a body that could not be read: {e}")))?;
    Ok(Response::from_parts(parts, body))
}
