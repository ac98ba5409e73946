//! Outbound HTTP with the Fetch API. Behind the `fetch` feature.

use faasade_core::capability::{FETCH_RESPONSE_LIMIT, fetch_failed, fetch_too_large};
use faasade_core::{Body, Error, Request, Response, Result, StatusCode};
use worker::web_sys;
use worker::{Fetch, Headers, Method, RequestInit, RequestRedirect};

use crate::request::{js_error, read_limited};

/// Send a neutral request with the Fetch API. Network failures are `502` errors whose cause is
/// logged, never shown.
pub(crate) async fn send(req: Request) -> Result<Response> {
    let (parts, body) = req.into_parts();
    let url = parts.uri.to_string();
    faasade_core::capability::fetch_destination(&parts.uri)?;
    let headers = Headers::new();
    for (name, value) in &parts.headers {
        let value = crate::response::header_text(name, value)
            .map_err(|e| Error::internal(format!("fetch: {}", js_error(e))))?;
        headers
            .append(name.as_str(), value)
            .map_err(|e| Error::internal(format!("fetch header {name}: {e}")))?;
    }
    let mut init = RequestInit::new();
    // Redirects come back to the app, as on every target: following them would reach hosts
    // the app never named.
    init.with_method(Method::from(parts.method.to_string()))
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    let bytes = body.into_bytes();
    if !bytes.is_empty() {
        let array = worker::js_sys::Uint8Array::from(bytes.as_ref());
        init.with_body(Some(array.into()));
    }
    let failed = |e: worker::Error| fetch_failed(&parts.method, &parts.uri, e);
    let request = worker::Request::new_with_init(&url, &init).map_err(failed)?;
    let res = Fetch::Request(request).send().await.map_err(failed)?;
    let mut out = Response::new(Body::empty());
    *out.status_mut() = StatusCode::from_u16(res.status_code()).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in res.headers().entries() {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            out.headers_mut().append(name, value);
        }
    }
    let res: web_sys::Response = res.into();
    let body = read_limited(&res, FETCH_RESPONSE_LIMIT)
        .await
        .map_err(|e| fetch_failed(&parts.method, &parts.uri, js_error(e)))?
        .ok_or_else(|| fetch_too_large(&parts.method, &parts.uri))?;
    *out.body_mut() = Body::from(body);
    Ok(out)
}
