//! A `wasi:http` 0.3 request as a neutral one: method, the raw path and query, every header,
//! the body as bytes (at most [`DEFAULT_BODY_LIMIT`], else `413`). Spin tells nothing about
//! the client but what its headers say; the request id is made up when the app asks.

use faasade_core::{Body, DEFAULT_BODY_LIMIT, Error, Request, RequestMeta, Result};
use http::Uri;
use spin_sdk::wasip3::http_compat::http_from_wasi_request;

use crate::WasiRequest;

pub(crate) async fn from_wasi(req: WasiRequest) -> Result<(Request, RequestMeta)> {
    let req = http_from_wasi_request(req)
        .map_err(|e| Error::bad_request("invalid request").with_source(e))?;
    let (mut parts, body) = req.into_parts();
    // The host hands over an absolute URI; the neutral request carries the origin form.
    let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    parts.uri = Uri::try_from(target)
        .map_err(|e| Error::bad_request("invalid request target").with_source(e))?;
    let body = Body::from_http_body(body, DEFAULT_BODY_LIMIT).await?;
    Ok((Request::from_parts(parts, body), RequestMeta::default()))
}

/// A random id for the request, made when the app first asks for it.
pub(crate) fn random_id() -> String {
    use spin_sdk::wasip3::random::random::get_random_u64;
    format!("{:016x}{:016x}", get_random_u64(), get_random_u64())
}
