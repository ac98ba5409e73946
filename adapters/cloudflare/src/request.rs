//! A Workers request as a neutral one: method, the raw path and query (not re-encoded), every
//! header, the body as bytes (at most [`DEFAULT_BODY_LIMIT`], else `413`), and what the `cf`
//! object and headers tell about the client.

use std::borrow::Cow;
use std::net::IpAddr;

use bytes::Bytes;
use faasade_core::{Body, DEFAULT_BODY_LIMIT, Error, Request, RequestMeta, Result};
use http::header::{CONTENT_LENGTH, HeaderName, HeaderValue};
use http::{Method, Uri};
use worker::js_sys::{self, Reflect, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys;

/// `cf` properties copied into request metadata as `cf.<name>`, when present.
const CF_FIELDS: [&str; 8] = [
    "country",
    "colo",
    "city",
    "region",
    "continent",
    "timezone",
    "asn",
    "httpProtocol",
];

pub(crate) async fn from_worker(req: web_sys::Request) -> Result<(Request, RequestMeta)> {
    let cf = Reflect::get(&req, &JsValue::from_str("cf")).unwrap_or(JsValue::UNDEFINED);
    let method = Method::from_bytes(req.method().as_bytes())
        .map_err(|e| Error::bad_request("invalid method").with_source(e))?;
    let uri = path_and_query(&req.url())?;
    let mut builder = http::Request::builder().method(method).uri(uri);
    let headers = req.headers();
    if let Some(map) = builder.headers_mut() {
        for entry in js_sys::try_iter(&headers)
            .ok()
            .flatten()
            .into_iter()
            .flatten()
        {
            let Ok((Some(name), Some(value))) = entry.map(header_pair) else {
                continue;
            };
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| Error::bad_request("invalid header name").with_source(e))?;
            let value = HeaderValue::from_str(&value)
                .map_err(|e| Error::bad_request("invalid header value").with_source(e))?;
            map.append(name, value);
        }
    }
    let declared = builder
        .headers_ref()
        .and_then(|h| h.get(CONTENT_LENGTH))
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > DEFAULT_BODY_LIMIT) {
        return Err(Error::payload_too_large(DEFAULT_BODY_LIMIT));
    }
    let body = read_body(&req).await?;
    if body.len() > DEFAULT_BODY_LIMIT {
        return Err(Error::payload_too_large(DEFAULT_BODY_LIMIT));
    }
    let req = builder
        .body(Body::from(body))
        .map_err(|e| Error::bad_request("invalid request").with_source(e))?;
    let meta = meta(&req, &cf);
    Ok((req, meta))
}

/// A `[name, value]` entry of the `Headers` iterator.
fn header_pair(entry: JsValue) -> (Option<String>, Option<String>) {
    let pair: js_sys::Array = entry.unchecked_into();
    (pair.get(0).as_string(), pair.get(1).as_string())
}

async fn read_body(req: &web_sys::Request) -> Result<Bytes> {
    if req.body().is_none() {
        return Ok(Bytes::new());
    }
    let promise = req
        .array_buffer()
        .map_err(|e| Error::bad_request("unreadable body").with_source(js_error(e)))?;
    let buffer = JsFuture::from(promise)
        .await
        .map_err(|e| Error::bad_request("unreadable body").with_source(js_error(e)))?;
    Ok(Bytes::from(Uint8Array::new(&buffer).to_vec()))
}

/// The origin-form target of the request URL, exactly as received.
fn path_and_query(url: &str) -> Result<Uri> {
    let rest = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    rest.parse()
        .map_err(|e| Error::bad_request("invalid request target").with_source(e))
}

fn meta(req: &Request, cf: &JsValue) -> RequestMeta {
    let mut meta = RequestMeta::default();
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    meta.request_id = header("cf-ray").unwrap_or_default().to_owned();
    meta.client_ip = header("cf-connecting-ip")
        .and_then(|ip| ip.parse::<IpAddr>().ok())
        .or_else(|| cf_client_ip(cf));
    for field in CF_FIELDS {
        if let Some(value) = cf_string(cf, field) {
            meta.extra.push((Cow::Owned(format!("cf.{field}")), value));
        }
    }
    meta
}

/// workerd without wrangler puts the client address (with its port) in `cf.clientIp`.
fn cf_client_ip(cf: &JsValue) -> Option<IpAddr> {
    let raw = cf_string(cf, "clientIp")?;
    raw.parse().ok().or_else(|| {
        let (ip, _port) = raw.rsplit_once(':')?;
        ip.trim_matches(['[', ']']).parse().ok()
    })
}

/// A `cf` field as text, read defensively: the object's fields vary by runtime and plan.
fn cf_string(cf: &JsValue, field: &str) -> Option<String> {
    if !cf.is_object() {
        return None;
    }
    let value = Reflect::get(cf, &JsValue::from_str(field)).ok()?;
    // Numbers (`asn`) are whole: integer formatting keeps float formatting out of the Wasm.
    value
        .as_string()
        .or_else(|| value.as_f64().map(|n| (n as i64).to_string()))
        .filter(|s| !s.is_empty())
}

/// A JavaScript exception as a Rust error (its message, for the log).
pub(crate) fn js_error(e: JsValue) -> JsError {
    let text = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    JsError(text)
}

/// A JavaScript exception's message.
#[derive(Debug)]
pub(crate) struct JsError(String);

impl std::fmt::Display for JsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for JsError {}
