//! Outbound HTTP through wasi:http's client (`spin_sdk::http::send`). Behind the `fetch`
//! feature. Spin lets a component reach only the hosts spin.toml lists in
//! `allowed_outbound_hosts` (written from faasade.toml `[fetch] upstreams`). Network failures
//! are `502` errors whose cause is logged, never shown.

use faasade_core::capability::FETCH_RESPONSE_LIMIT;
use faasade_core::{Body, Request, Response, Result};

pub(crate) async fn send(req: Request) -> Result<Response> {
    let uri = req.uri().clone();
    let method = req.method().clone();
    faasade_core::capability::fetch_destination(&uri)?;
    let failed = |what: String| faasade_core::capability::fetch_failed(&method, &uri, what);
    let res = spin_sdk::http::send(req)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let (parts, body) = res.into_parts();
    let body = Body::from_http_body(body, FETCH_RESPONSE_LIMIT)
        .await
        .map_err(|e| failed(format!("the body could not be read: {e}")))?;
    Ok(Response::from_parts(parts, body))
}
