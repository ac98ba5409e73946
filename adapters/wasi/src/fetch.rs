//! Outbound HTTP through `wasi:http/outgoing-handler`. Behind the `fetch` feature. The host
//! decides which hosts the component may reach. Network failures are `502` errors whose cause
//! is logged, never shown.

use faasade_core::capability::FETCH_RESPONSE_LIMIT;
use faasade_core::{Body, Error, Request, Response, Result, StatusCode};
use http::Method;
use http::header::{HeaderName, HeaderValue};
use wasip2::http::outgoing_handler;
use wasip2::http::types::{Method as WasiMethod, OutgoingBody, OutgoingRequest, Scheme};

use crate::request::read_body;
use crate::response::{fields, write_body};

pub(crate) fn send(req: Request) -> Result<Response> {
    let (parts, body) = req.into_parts();
    let (scheme, authority) = faasade_core::capability::fetch_destination(&parts.uri)?;
    let failed =
        |what: String| faasade_core::capability::fetch_failed(&parts.method, &parts.uri, what);
    let out = OutgoingRequest::new(fields(&parts.headers));
    let _ = out.set_method(&to_wasi_method(&parts.method));
    let _ = out.set_scheme(Some(&match scheme {
        "http" => Scheme::Http,
        "https" => Scheme::Https,
        other => Scheme::Other(other.to_owned()),
    }));
    let _ = out.set_authority(Some(authority.as_str()));
    let _ = out.set_path_with_query(parts.uri.path_and_query().map(|pq| pq.as_str()));
    let outgoing = out
        .body()
        .map_err(|()| Error::internal("the outgoing request's body was already taken"))?;
    let pending = outgoing_handler::handle(out, None).map_err(|e| failed(format!("{e:?}")))?;
    write_body(&outgoing, body.as_bytes()).map_err(|e| failed(e.to_string()))?;
    OutgoingBody::finish(outgoing, None).map_err(|e| failed(format!("{e:?}")))?;
    let incoming = loop {
        match pending.get() {
            Some(Ok(Ok(res))) => break res,
            Some(Ok(Err(e))) => return Err(failed(format!("{e:?}"))),
            Some(Err(())) => return Err(failed("the response was already taken".into())),
            None => pending.subscribe().block(),
        }
    };
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::from_u16(incoming.status())
        .map_err(|e| failed(format!("invalid status: {e}")))?;
    for (name, value) in incoming.headers().entries() {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(&value),
        ) {
            res.headers_mut().append(name, value);
        }
    }
    let body = incoming
        .consume()
        .map_err(|()| failed("the response body was already taken".into()))?;
    *res.body_mut() =
        Body::from(read_body(body, FETCH_RESPONSE_LIMIT).map_err(|e| failed(e.to_string()))?);
    Ok(res)
}

/// The neutral method as a `wasi:http` one.
pub(crate) fn to_wasi_method(method: &Method) -> WasiMethod {
    match *method {
        Method::GET => WasiMethod::Get,
        Method::HEAD => WasiMethod::Head,
        Method::POST => WasiMethod::Post,
        Method::PUT => WasiMethod::Put,
        Method::DELETE => WasiMethod::Delete,
        Method::CONNECT => WasiMethod::Connect,
        Method::OPTIONS => WasiMethod::Options,
        Method::TRACE => WasiMethod::Trace,
        Method::PATCH => WasiMethod::Patch,
        ref other => WasiMethod::Other(other.as_str().to_owned()),
    }
}
