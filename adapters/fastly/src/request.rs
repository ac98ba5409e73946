//! The client request as a neutral one: method, the raw path and query, every header, the body
//! as bytes (at most [`DEFAULT_BODY_LIMIT`], else `413`), and what Fastly tells about the
//! client (its IP and geolocation).

use std::borrow::Cow;
use std::hash::{BuildHasher, RandomState};
use std::net::IpAddr;

use faasade_core::{Body, DEFAULT_BODY_LIMIT, Error, Request, RequestMeta, Result};
use http::Uri;

/// The client request of this instance (or why it is refused), and its metadata.
pub(crate) fn from_client() -> (Result<Request>, RequestMeta) {
    let mut req = fastly::Request::from_client();
    let meta = meta(&req);
    (convert(&mut req), meta)
}

fn convert(req: &mut fastly::Request) -> Result<Request> {
    let uri = request_target(req.get_url_str())?;
    let mut builder = http::Request::builder()
        .method(req.get_method().clone())
        .uri(uri);
    if let Some(headers) = builder.headers_mut() {
        for (name, value) in req.get_headers() {
            headers.append(name.clone(), value.clone());
        }
    }
    if let Some(headers) = builder.headers_ref() {
        Body::check_declared_length(headers, DEFAULT_BODY_LIMIT)?;
    }
    let body = req.take_body_bytes();
    if body.len() > DEFAULT_BODY_LIMIT {
        return Err(Error::payload_too_large(DEFAULT_BODY_LIMIT));
    }
    builder
        .body(Body::from(body))
        .map_err(|e| Error::bad_request("invalid request").with_source(e))
}

/// The origin-form target (path and query) of the absolute URL Fastly hands over.
pub(crate) fn request_target(url: &str) -> Result<Uri> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let start = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let target = &after_scheme[start..];
    let target = target.split_once('#').map_or(target, |(before, _)| before);
    let target = if target.starts_with('/') {
        Cow::Borrowed(target)
    } else {
        Cow::Owned(format!("/{target}"))
    };
    target
        .parse()
        .map_err(|e| Error::bad_request("invalid request target").with_source(e))
}

fn meta(req: &fastly::Request) -> RequestMeta {
    // The request id is left to `costly_request_id`: an environment read.
    let mut meta = RequestMeta::default();
    meta.client_ip = req.get_client_ip_addr();
    meta
}

/// What costs a host call to learn, fetched only when the app asks (see
/// `Platform::costly_meta`): the client's geolocation (a lookup that parses JSON) and the
/// POP and service version (environment reads).
pub(crate) fn costly_meta(client_ip: Option<IpAddr>) -> Vec<(Cow<'static, str>, String)> {
    let mut facts = Vec::new();
    let mut fact = |key: &'static str, value: String| {
        if !value.is_empty() {
            facts.push((Cow::Borrowed(key), value));
        }
    };
    if let Some(geo) = client_ip.and_then(fastly::geo::geo_lookup) {
        fact("fastly.country", geo.country_code().to_owned());
        fact("fastly.city", geo.city().to_owned());
        fact("fastly.continent", format!("{:?}", geo.continent()));
        fact("fastly.region", geo.region().unwrap_or_default().to_owned());
        fact("fastly.asn", geo.as_number().to_string());
    }
    for (key, var) in [
        ("fastly.pop", "FASTLY_POP"),
        ("fastly.service_version", "FASTLY_SERVICE_VERSION"),
    ] {
        fact(key, std::env::var(var).unwrap_or_default());
    }
    facts
}

/// Fastly names each request with a trace id (`FASTLY_TRACE_ID`); make one up where a runtime
/// does not (Viceroy sets it to zeros).
pub(crate) fn costly_request_id() -> String {
    std::env::var("FASTLY_TRACE_ID")
        .ok()
        .filter(|id| id.bytes().any(|b| b != b'0'))
        .unwrap_or_else(random_id)
}

/// 16 random hex digits (std's hasher keys come from the host's random source).
fn random_id() -> String {
    format!("{:016x}", RandomState::new().hash_one(0u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_is_taken_raw_from_the_url() {
        let uri = request_target("http://127.0.0.1:7676/a%2Fb/caf%C3%A9?x=1&x=2&y=%20#f").unwrap();
        assert_eq!(uri.path(), "/a%2Fb/caf%C3%A9");
        assert_eq!(uri.query(), Some("x=1&x=2&y=%20"));
        assert_eq!(request_target("https://example.com").unwrap(), "/");
        assert_eq!(request_target("https://example.com?q=1").unwrap(), "/?q=1");
        assert_eq!(
            request_target("http://h/bad path").unwrap_err().status(),
            400
        );
    }

    #[test]
    fn random_ids_differ() {
        let (a, b) = (random_id(), random_id());
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }
}
