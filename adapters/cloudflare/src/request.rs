//! A Workers request as a neutral one: method, the raw path and query (not re-encoded), every
//! header, the body as bytes (at most [`DEFAULT_BODY_LIMIT`], else `413`), and what the
//! headers tell about the client. The head crosses from JavaScript as one string
//! (js/glue.js): one call instead of several per header, with the request target (path and
//! query) already cut out of the URL. The `cf` object is read only when the app asks, and
//! once ([`faasade_request_cf`]).

use std::borrow::Cow;
use std::net::IpAddr;

use bytes::Bytes;
use faasade_core::{Body, DEFAULT_BODY_LIMIT, Error, Request, RequestMeta, Result, append_header};
use http::{Method, Uri};
use worker::js_sys::{self, Uint8Array};
use worker::wasm_bindgen::prelude::wasm_bindgen;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys;

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    fn faasade_request_head(req: &web_sys::Request) -> String;
    /// The body of a request or response, or `undefined` past `limit` bytes.
    fn faasade_read_body_limited(message: &JsValue, limit: u32) -> js_sys::Promise;
    /// The request's `cf` fields, one `field=value` line each.
    pub(crate) fn faasade_request_cf(req: &web_sys::Request) -> String;
}

pub(crate) async fn from_worker(req: &web_sys::Request) -> Result<(Request, RequestMeta)> {
    let head = faasade_request_head(req);
    let mut lines = head.split('\n');
    let method = Method::from_bytes(lines.next().unwrap_or_default().as_bytes())
        .map_err(|e| Error::bad_request("invalid method").with_source(e))?;
    let uri: Uri = lines
        .next()
        .unwrap_or_default()
        .parse()
        .map_err(|e| Error::bad_request("invalid request target").with_source(e))?;
    let mut builder = http::Request::builder().method(method).uri(uri);
    if let Some(map) = builder.headers_mut() {
        for line in lines {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            // workerd hands header values over decoded as UTF-8: their bytes are the client's.
            append_header(map, name.as_bytes(), value.as_bytes())?;
        }
    }
    let mut declared = false;
    if let Some(headers) = builder.headers_ref() {
        Body::check_declared_length(headers, DEFAULT_BODY_LIMIT)?;
        declared = headers.contains_key(http::header::CONTENT_LENGTH);
    }
    let body = read_body(req, declared).await?;
    let req = builder
        .body(Body::from(body))
        .map_err(|e| Error::bad_request("invalid request").with_source(e))?;
    let meta = meta(&req);
    Ok((req, meta))
}

/// The body, within [`DEFAULT_BODY_LIMIT`]. A declared length was checked already and workerd
/// delivers exactly that many bytes, so the body is read whole; without one (a chunked upload)
/// it is read chunk by chunk and refused as soon as it passes the limit, never held whole.
async fn read_body(req: &web_sys::Request, declared_length: bool) -> Result<Bytes> {
    if req.body().is_none() {
        return Ok(Bytes::new());
    }
    let unreadable = |e: JsValue| Error::bad_request("unreadable body").with_source(js_error(e));
    let body = if declared_length {
        let buffer = JsFuture::from(req.array_buffer().map_err(unreadable)?)
            .await
            .map_err(unreadable)?;
        Uint8Array::new(&buffer).to_vec()
    } else {
        read_limited(req, DEFAULT_BODY_LIMIT)
            .await
            .map_err(unreadable)?
            .ok_or_else(|| Error::payload_too_large(DEFAULT_BODY_LIMIT))?
    };
    Ok(Bytes::from(body))
}

/// The body of `message` (a request or a response), read chunk by chunk in js/glue.js so that
/// no more than `limit` bytes are held; `None` once it passes `limit`.
pub(crate) async fn read_limited(
    message: &JsValue,
    limit: usize,
) -> std::result::Result<Option<Vec<u8>>, JsValue> {
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    let read = JsFuture::from(faasade_read_body_limited(message, limit)).await?;
    Ok((!read.is_undefined()).then(|| Uint8Array::new(&read).to_vec()))
}

/// The `cf` fields js/glue.js passes (`cf.clientIp` only feeds the client IP), under their
/// metadata keys.
const CF_KEYS: [&str; 8] = [
    "cf.country",
    "cf.colo",
    "cf.city",
    "cf.region",
    "cf.continent",
    "cf.timezone",
    "cf.asn",
    "cf.httpProtocol",
];

/// What the headers tell: the request id from `CF-Ray` and the client from
/// `CF-Connecting-IP`, both set by Cloudflare's edge and by wrangler dev. Where they are
/// missing, the platform makes an id up or reads `cf.clientIp` when the app asks.
fn meta(req: &Request) -> RequestMeta {
    let mut meta = RequestMeta::default();
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    meta.request_id = header("cf-ray").map(str::to_owned);
    meta.client_ip = header("cf-connecting-ip").and_then(|ip| ip.parse::<IpAddr>().ok());
    meta
}

/// The `cf` fields ([`faasade_request_cf`]) under their metadata keys (`cf.country`, ...).
pub(crate) fn cf_meta(cf: &str) -> Vec<(Cow<'static, str>, String)> {
    cf.lines()
        .filter_map(|l| l.split_once('='))
        .filter_map(|(field, value)| {
            let key = CF_KEYS.iter().find(|key| key[3..] == *field)?;
            Some((Cow::Borrowed(*key), value.to_owned()))
        })
        .collect()
}

/// The client's address from `cf.clientIp` ([`faasade_request_cf`]), where the `CF-Connecting-IP` header
/// was missing.
pub(crate) fn cf_client_ip(cf: &str) -> Option<IpAddr> {
    cf.lines()
        .find_map(|l| l.strip_prefix("clientIp="))
        .and_then(client_ip_of)
}

/// 16 random hex digits: the request id where `CF-Ray` is missing (local runtimes).
pub(crate) fn random_id() -> String {
    let half = || (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("{:08x}{:08x}", half(), half())
}

/// workerd without wrangler puts the client address (with its port) in `cf.clientIp`.
fn client_ip_of(raw: &str) -> Option<IpAddr> {
    raw.parse().ok().or_else(|| {
        let (ip, _port) = raw.rsplit_once(':')?;
        ip.trim_matches(['[', ']']).parse().ok()
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cf_lines_become_facts_and_the_client_address() {
        let cf = "country=PT\ncolo=LIS\nclientIp=[2001:db8::1]:443\nunknown=x\nasn=3243\n";
        assert_eq!(
            cf_meta(cf),
            [
                (Cow::Borrowed("cf.country"), "PT".to_owned()),
                (Cow::Borrowed("cf.colo"), "LIS".to_owned()),
                (Cow::Borrowed("cf.asn"), "3243".to_owned()),
            ]
        );
        assert_eq!(cf_client_ip(cf), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(cf_client_ip("country=PT\n"), None);
    }

    #[test]
    fn workerd_client_ips_lose_their_port() {
        assert_eq!(
            client_ip_of("127.0.0.1:46786"),
            Some("127.0.0.1".parse().unwrap())
        );
        assert_eq!(client_ip_of("[::1]:5000"), Some("::1".parse().unwrap()));
        assert_eq!(
            client_ip_of("2001:db8::1"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(client_ip_of("not an ip"), None);
    }
}
