//! A `wasi:http` 0.2 incoming request as a neutral one: method, the raw path and query, every
//! header, the body as bytes (at most [`DEFAULT_BODY_LIMIT`], else `413`). A proxy host tells
//! nothing about the client but what its headers say; the request id is made up when the app
//! asks.

use std::io::Read as _;

use faasade_core::{Body, DEFAULT_BODY_LIMIT, Error, Request, RequestMeta, Result, append_header};
use http::{Method, Uri};
use wasip2::http::types::{IncomingBody, Method as WasiMethod};

use crate::IncomingRequest;

pub(crate) fn from_wasi(req: &IncomingRequest) -> Result<(Request, RequestMeta)> {
    let method = method(req.method())?;
    let target = req.path_with_query().unwrap_or_else(|| "/".to_owned());
    let uri: Uri = target
        .parse()
        .map_err(|e| Error::bad_request("invalid request target").with_source(e))?;
    let mut builder = http::Request::builder().method(method).uri(uri);
    if let Some(map) = builder.headers_mut() {
        for (name, value) in req.headers().entries() {
            append_header(map, name.as_bytes(), &value)?;
        }
    }
    if let Some(headers) = builder.headers_ref() {
        Body::check_declared_length(headers, DEFAULT_BODY_LIMIT)?;
    }
    let body = match req.consume() {
        Ok(body) => read_body(body, DEFAULT_BODY_LIMIT)?,
        Err(()) => Vec::new(),
    };
    let req = builder
        .body(Body::from(body))
        .map_err(|e| Error::bad_request("invalid request").with_source(e))?;
    Ok((req, RequestMeta::default()))
}

/// Read `body` to its end, failing with `413` past `limit` bytes.
pub(crate) fn read_body(body: IncomingBody, limit: usize) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if let Ok(mut stream) = body.stream() {
        (&mut stream)
            .take(limit as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::bad_request("could not read the request body").with_source(e))?;
    }
    if bytes.len() > limit {
        return Err(Error::payload_too_large(limit));
    }
    drop(IncomingBody::finish(body));
    Ok(bytes)
}

pub(crate) fn method(method: WasiMethod) -> Result<Method> {
    Ok(match method {
        WasiMethod::Get => Method::GET,
        WasiMethod::Head => Method::HEAD,
        WasiMethod::Post => Method::POST,
        WasiMethod::Put => Method::PUT,
        WasiMethod::Delete => Method::DELETE,
        WasiMethod::Connect => Method::CONNECT,
        WasiMethod::Options => Method::OPTIONS,
        WasiMethod::Trace => Method::TRACE,
        WasiMethod::Patch => Method::PATCH,
        WasiMethod::Other(other) => Method::from_bytes(other.as_bytes())
            .map_err(|e| Error::bad_request("invalid method").with_source(e))?,
    })
}

/// A random id for the request, made when the app first asks for it.
pub(crate) fn random_id() -> String {
    use wasip2::random::random::get_random_u64;
    format!("{:016x}{:016x}", get_random_u64(), get_random_u64())
}
