//! Outbound HTTP with the Fetch API. Behind the `fetch` feature.

use faasade_core::{Body, Error, Request, Response, Result, StatusCode};
use worker::{Fetch, Headers, Method, RequestInit};

/// Send a neutral request with the Fetch API. Network failures are `502` errors whose cause is
/// logged, never shown.
pub(crate) async fn send(req: Request) -> Result<Response> {
    let (parts, body) = req.into_parts();
    let url = parts.uri.to_string();
    faasade_core::capability::fetch_destination(&parts.uri)?;
    let headers = Headers::new();
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            headers
                .append(name.as_str(), value)
                .map_err(|e| Error::internal(format!("fetch header {name}: {e}")))?;
        }
    }
    let mut init = RequestInit::new();
    init.with_method(Method::from(parts.method.to_string()))
        .with_headers(headers);
    let bytes = body.into_bytes();
    if !bytes.is_empty() {
        let array = worker::js_sys::Uint8Array::from(bytes.as_ref());
        init.with_body(Some(array.into()));
    }
    let failed = |e: worker::Error| {
        Error::new(
            StatusCode::BAD_GATEWAY,
            format!("fetch {} {url} failed", parts.method),
        )
        .with_source(e)
    };
    let request = worker::Request::new_with_init(&url, &init).map_err(failed)?;
    let mut res = Fetch::Request(request).send().await.map_err(failed)?;
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
    *out.body_mut() = res.bytes().await.map_err(failed)?.into();
    Ok(out)
}
