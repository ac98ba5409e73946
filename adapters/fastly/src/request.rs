//! The client request as a neutral one: method, the raw path and query, every header, the body
//! as bytes (at most [`DEFAULT_BODY_LIMIT`], else `413`), and what Fastly tells about the
//! client (its IP and geolocation, fetched when the app asks).
//!
//! Read through `fastly::handle` rather than `fastly::Request`: every host call counts in an
//! instance that serves one request, and the request wrapper fetches the client's metadata
//! (address, server address, request id) as a bundle the moment one of them is read.

use std::borrow::Cow;
use std::hash::{BuildHasher, RandomState};
use std::io::Read;
use std::net::IpAddr;

use faasade_core::{Body, DEFAULT_BODY_LIMIT, Error, Request, Result};
use fastly::error::BufferSizeError;
use fastly::handle::{BodyHandle, RequestHandle};
use http::{HeaderMap, StatusCode};

/// The first buffer sizes for a header name and a header value (those of the fastly crate);
/// a longer one is read again with the size the host asks for, up to [`HEADER_LIMIT`].
const NAME_BUF: usize = 128;
const VALUE_BUF: usize = 4096;
/// The longest header name, value or URL read: beyond it the request gets `431` (`414` for
/// the URL).
const HEADER_LIMIT: usize = 64 * 1024;

/// The client request of this instance (or why it is refused), and its handle, kept for what
/// the app may ask about the client later (its address, its geolocation).
pub(crate) fn from_client() -> (Result<Request>, RequestHandle) {
    let (handle, body) = fastly::handle::client_request_and_body();
    (convert(&handle, body), handle)
}

fn convert(handle: &RequestHandle, body: BodyHandle) -> Result<Request> {
    let url = with_retry(|size| handle.get_url(size), 4096).map_err(|e| {
        Error::new(StatusCode::URI_TOO_LONG, "the request URL is too long").with_source(e)
    })?;
    let method = with_retry(|size| handle.get_method(size), 16)
        .map_err(|e| Error::bad_request("invalid request method").with_source(e))?;
    let mut builder = http::Request::builder()
        .method(method)
        .uri(faasade_core::request_target(url.as_str())?);
    if let Some(headers) = builder.headers_mut() {
        *headers = header_map(handle).map_err(|e| {
            Error::new(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "a request header is too large",
            )
            .with_source(e)
        })?;
        Body::check_declared_length(headers, DEFAULT_BODY_LIMIT)?;
    }
    builder
        .body(read_body(body)?)
        .map_err(|e| Error::bad_request("invalid request").with_source(e))
}

/// Every header, each value of a repeated one kept apart.
fn header_map(handle: &RequestHandle) -> Result<HeaderMap, BufferSizeError> {
    let names = with_retry(
        |size| handle.get_header_names(size).collect::<Result<Vec<_>, _>>(),
        NAME_BUF,
    )?;
    let mut headers = HeaderMap::with_capacity(names.len());
    for name in names {
        let values = with_retry(
            |size| {
                handle
                    .get_header_values(&name, size)
                    .collect::<Result<Vec<_>, _>>()
            },
            VALUE_BUF,
        )?;
        for value in values {
            headers.append(&name, value);
        }
    }
    Ok(headers)
}

/// `read` with a buffer of `size` bytes, then again with each larger size the host asks for
/// (a later value may need more than the first too long one), up to [`HEADER_LIMIT`].
fn with_retry<T>(
    read: impl Fn(usize) -> Result<T, BufferSizeError>,
    mut size: usize,
) -> Result<T, BufferSizeError> {
    loop {
        match read(size) {
            Err(e) if e.needed_buf_size > size && e.needed_buf_size <= HEADER_LIMIT => {
                size = e.needed_buf_size;
            }
            other => return other,
        }
    }
}

/// The body, read to its end unless it passes [`DEFAULT_BODY_LIMIT`] (`413`).
fn read_body(body: BodyHandle) -> Result<Body> {
    let mut bytes = Vec::new();
    body.take(DEFAULT_BODY_LIMIT as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::bad_request("could not read the request body").with_source(e))?;
    if bytes.len() > DEFAULT_BODY_LIMIT {
        return Err(Error::payload_too_large(DEFAULT_BODY_LIMIT));
    }
    Ok(Body::from(bytes))
}

/// The facts geolocation answers (the `geo` feature).
pub(crate) const GEO_FACTS: [&str; 5] = [
    "fastly.country",
    "fastly.city",
    "fastly.continent",
    "fastly.region",
    "fastly.asn",
];

/// What costs a host call to learn, fetched only when the app asks (`OnDemand::Extra`): the
/// client's geolocation (a lookup that parses JSON; the `geo`
/// feature) and the POP and service version (environment reads).
pub(crate) fn on_demand_facts(
    client_ip: impl FnOnce() -> Option<IpAddr>,
) -> Vec<(Cow<'static, str>, String)> {
    let mut facts = Vec::new();
    let mut fact = |key: &'static str, value: String| {
        if !value.is_empty() {
            facts.push((Cow::Borrowed(key), value));
        }
    };
    #[cfg(feature = "geo")]
    if let Some(geo) = client_ip().and_then(fastly::geo::geo_lookup) {
        fact("fastly.country", geo.country_code().to_owned());
        fact("fastly.city", geo.city().to_owned());
        fact("fastly.continent", format!("{:?}", geo.continent()));
        fact("fastly.region", geo.region().unwrap_or_default().to_owned());
        fact("fastly.asn", geo.as_number().to_string());
    }
    #[cfg(not(feature = "geo"))]
    drop(client_ip);
    for (key, var) in [
        ("fastly.pop", "FASTLY_POP"),
        ("fastly.service_version", "FASTLY_SERVICE_VERSION"),
    ] {
        fact(key, std::env::var(var).unwrap_or_default());
    }
    facts
}

/// The geolocation facts a build without the `geo` feature (`linked` false) leaves out, each
/// with the log line for an app that asks for it.
pub(crate) fn geo_left_out(linked: bool) -> Vec<(Cow<'static, str>, String)> {
    if linked {
        return Vec::new();
    }
    GEO_FACTS
        .iter()
        .map(|key| {
            let why = format!(
                "`{key}` is geolocation, which this `{}` build leaves out: enable faasade's `geo` \
                 feature (on by default) to use it",
                crate::TARGET
            );
            (Cow::Borrowed(*key), why)
        })
        .collect()
}

/// Fastly names each request with a trace id (`FASTLY_TRACE_ID`); make one up where a runtime
/// does not (Viceroy sets it to zeros).
pub(crate) fn trace_id() -> String {
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
    fn asking_for_geolocation_left_out_names_the_fact_target_and_feature() {
        let left_out = geo_left_out(false);
        let said = &left_out
            .iter()
            .find(|(k, _)| k == "fastly.country")
            .unwrap()
            .1;
        for part in ["`fastly.country`", "`fastly`", "`geo`"] {
            assert!(said.contains(part), "{said:?} names {part}");
        }
        assert_eq!(geo_left_out(true), [], "linked");
        assert!(
            left_out.iter().all(|(k, _)| k != "fastly.pop"),
            "not geolocation"
        );
    }

    #[test]
    fn random_ids_differ() {
        let (a, b) = (random_id(), random_id());
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }
}
