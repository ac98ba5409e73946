//! Reading requests: [`RequestExt`].

use serde::de::DeserializeOwned;

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};

use crate::{Context, Error, Request};

/// The origin-form target (path and query, as received: not re-encoded, no fragment) of the
/// URL a runtime hands over, `/` when it has no path. Text without `://` is a target already.
/// Cloudflare's glue (`requestTarget` in js/glue.js) gives the same for every URL; a fuzz
/// target checks it.
pub fn origin_form(url: &str) -> std::borrow::Cow<'_, str> {
    let target = match url.split_once("://") {
        Some((_, rest)) => &rest[rest.find(['/', '?', '#']).unwrap_or(rest.len())..],
        None => url,
    };
    let target = target.split_once('#').map_or(target, |(before, _)| before);
    if target.starts_with('/') {
        target.into()
    } else {
        format!("/{target}").into()
    }
}

/// [`origin_form`] as a URI; one `http` cannot hold is a `400`.
pub fn request_target(url: &str) -> Result<http::Uri, Error> {
    origin_form(url)
        .parse()
        .map_err(|e| Error::bad_request("invalid request target").with_source(e))
}

/// Helpers on [`Request`] (`http::Request<Body>`).
///
/// `#[faasade::main]` brings this trait into scope inside the handler; elsewhere
/// `use faasade::RequestExt`.
///
/// ```
/// use faasade_core::{Body, Request, RequestExt};
///
/// #[derive(serde::Deserialize)]
/// struct Hello { name: String }
///
/// let req = Request::new(Body::from(r#"{"name":"Ada"}"#));
/// let hello: Hello = req.json().unwrap();
/// assert_eq!(hello.name, "Ada");
/// ```
pub trait RequestExt {
    /// The body as JSON; malformed JSON is a `400` error.
    fn json<T: DeserializeOwned>(&self) -> Result<T, Error>;
    /// The body as UTF-8 text; invalid UTF-8 is a `400` error.
    fn text(&self) -> Result<&str, Error>;
    /// The raw query string, percent-encoding kept (`""` when there is none).
    fn query_str(&self) -> &str;
    /// The value of a header as text, if present and visible ASCII.
    fn header_str(&self, name: &str) -> Option<&str>;
    /// The request's [`Context`]. Adapters put it in the request extensions, which is how
    /// a `tower::Service` (an axum `Router`) reaches it: `Extension<faasade::Context>`.
    fn context(&self) -> Option<&Context>;
}

impl RequestExt for Request {
    fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        self.body().json()
    }

    fn text(&self) -> Result<&str, Error> {
        self.body().text()
    }

    fn query_str(&self) -> &str {
        self.uri().query().unwrap_or("")
    }

    fn header_str(&self, name: &str) -> Option<&str> {
        self.headers().get(name)?.to_str().ok()
    }

    fn context(&self) -> Option<&Context> {
        self.extensions().get::<Context>()
    }
}

/// For adapters: append one header of a provider's request to `headers`, as bytes, so that a
/// value `http` can carry (UTF-8, obs-text) is kept as it came; a name or value `http`
/// refuses is a `400` saying which of the two it was.
pub fn append_header(headers: &mut HeaderMap, name: &[u8], value: &[u8]) -> Result<(), Error> {
    let name = HeaderName::from_bytes(name)
        .map_err(|e| Error::bad_request("invalid header name").with_source(e))?;
    let value = HeaderValue::from_bytes(value)
        .map_err(|e| Error::bad_request("invalid header value").with_source(e))?;
    headers.append(name, value);
    Ok(())
}

#[cfg(test)]
mod header_tests {
    use super::append_header;
    use http::{HeaderMap, StatusCode};

    #[test]
    fn utf8_and_obs_text_values_are_kept_as_bytes() {
        let mut headers = HeaderMap::new();
        append_header(&mut headers, b"x-name", "grüße ✓".as_bytes()).unwrap();
        append_header(&mut headers, b"x-name", b"a\xffb").unwrap();
        let values: Vec<&[u8]> = headers
            .get_all("x-name")
            .iter()
            .map(|v| v.as_bytes())
            .collect();
        assert_eq!(values, ["grüße ✓".as_bytes(), b"a\xffb"]);
    }

    #[test]
    fn a_bad_name_or_value_is_a_400_naming_which() {
        let mut headers = HeaderMap::new();
        let e = append_header(&mut headers, b"bad name", b"v").unwrap_err();
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert!(e.to_string().starts_with("invalid header name"), "{e}");
        let e = append_header(&mut headers, b"x", b"line\nbreak").unwrap_err();
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        assert!(e.to_string().starts_with("invalid header value"), "{e}");
        assert!(headers.is_empty());
    }
}
