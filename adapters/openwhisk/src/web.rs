//! Web actions: the parameters OpenWhisk's controller builds from an HTTP request become a
//! neutral [`Request`]; a [`Response`] becomes the `{statusCode, headers, body}` result the
//! controller turns back into HTTP.
//!
//! What the controller sends for a raw web action (`--web raw`), next to the action's own
//! (bound) parameters:
//! - `__ow_method` (lower case), `__ow_headers` (lower-case names; no `Content-Length`),
//!   `__ow_path` (the path after the action's name, percent-encoding kept);
//! - `__ow_query`, the query string, and `__ow_body`, the body as text, or base64 when its
//!   media type is binary or exactly `application/json`. Both are always there, empty when
//!   the request had none.
//!
//! Only raw web actions are served. A non-raw web action has the request's query parameters
//! and JSON or form fields merged into its parameters, next to the action's bound parameters
//! (where vars and secrets live): no rule tells the two apart, so serving it would show bound
//! secrets to the handler and let a request add vars. Such an activation is refused.
//!
//! What the controller does with the result: a string `body` is text unless the response's
//! media type is binary, when it is base64; a JSON-family type takes base64 too. Header values
//! may be arrays (one header line each).
//!
//! Binary or text follows the registry of the controller's HTTP library (akka-http): the
//! registered text types, and any type with a `charset` parameter, are text.

use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use faasade_core::{Body, Error, Request, Response};
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{Method, StatusCode, Uri};
use serde_json::{Map, Value};

use crate::media::Media;

/// The parameter that marks a web action's activation.
pub const METHOD: &str = "__ow_method";
const HEADERS: &str = "__ow_headers";
const PATH: &str = "__ow_path";
const QUERY: &str = "__ow_query";
const BODY: &str = "__ow_body";
/// The most header values a request may carry. The controller sets no limit of its own, and
/// `http`'s header map panics past 32,768 names; hyper's default is 100.
pub const MAX_HEADERS: usize = 1024;

/// The prefix of the parameters the controller adds.
pub const RESERVED_PREFIX: &str = "__ow_";

/// Whether `params` are a web action's.
pub fn is_web(params: &Map<String, Value>) -> bool {
    params.get(METHOD).is_some_and(Value::is_string)
}

/// Whether a web action's `params` are a raw web action's: the controller always adds
/// `__ow_query` to those, and refuses `__ow_` names in the fields of any other request.
pub fn is_raw(params: &Map<String, Value>) -> bool {
    params.contains_key(QUERY)
}

/// Why a non-raw web action is not served; the deployer reads it in the activation's result.
pub const NOT_RAW: &str = "the openwhisk target serves HTTP handlers from raw web actions only \
(`wsk action update NAME --web raw`): a non-raw web action mixes the request's fields with the \
action's bound parameters, so its vars and secrets would reach the handler";

/// The neutral request for a raw web action's parameters, and the client's address (the last
/// `X-Forwarded-For` entry, the one OpenWhisk's edge proxy added). Malformed fields are
/// `400` errors that name the field; a non-raw web action's parameters are a `500` error
/// ([`NOT_RAW`]), as that is the deployment's fault, not the client's.
pub fn request(params: &Map<String, Value>) -> Result<(Request, Option<IpAddr>), Error> {
    if !is_raw(params) {
        return Err(Error::internal(NOT_RAW));
    }
    let method = params
        .get(METHOD)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::bad_request("the activation has no __ow_method"))?;
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| Error::bad_request("__ow_method is not an HTTP method"))?;

    let mut builder = http::Request::builder().method(method);
    let headers = builder.headers_mut().expect("a fresh builder has headers");
    match params.get(HEADERS) {
        None | Some(Value::Null) => {}
        Some(Value::Object(fields)) => {
            for (name, value) in fields {
                let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    Error::bad_request(format!("__ow_headers: {name:?} is not a header name"))
                })?;
                for value in header_values(value) {
                    if headers.len() == MAX_HEADERS {
                        return Err(Error::new(
                            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                            format!("__ow_headers holds more than {MAX_HEADERS} header values"),
                        ));
                    }
                    let value = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| {
                        Error::bad_request(format!(
                            "__ow_headers: the value of {name} is not valid"
                        ))
                    })?;
                    headers.append(name.clone(), value);
                }
            }
        }
        Some(_) => return Err(Error::bad_request("__ow_headers is not an object")),
    }
    let client_ip = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|ip| ip.trim().parse().ok());
    let media = Media::of(headers.get(CONTENT_TYPE));

    let path = params.get(PATH).and_then(Value::as_str).unwrap_or("");
    let query = params.get(QUERY).and_then(Value::as_str).unwrap_or("");
    let mut target = String::with_capacity(path.len() + query.len() + 2);
    if !path.starts_with('/') {
        target.push('/');
    }
    target.push_str(path);
    if !query.is_empty() {
        target.push('?');
        target.push_str(query);
    }
    let uri: Uri = target
        .parse()
        .map_err(|_| Error::bad_request("__ow_path and __ow_query do not form a valid URI"))?;

    let body = match params.get(BODY) {
        Some(Value::String(text)) if media.request_is_base64() => match BASE64.decode(text) {
            Ok(bytes) => bytes,
            // The controller's base64 always decodes: this body came as text.
            Err(_) => text.as_bytes().to_vec(),
        },
        Some(Value::String(text)) => text.as_bytes().to_vec(),
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err(Error::bad_request("__ow_body is not a string")),
    };
    let req = builder
        .uri(uri)
        .body(Body::from(body))
        .map_err(|e| Error::bad_request("the web action's request is not valid").with_source(e))?;
    Ok((req, client_ip))
}

/// A header's value or values, as the controller may send them.
fn header_values(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().flat_map(header_values).collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

/// The web action result for `res`: `{statusCode, headers, body}`.
pub fn result(res: Response) -> Value {
    let (parts, body) = res.into_parts();
    let mut headers = Map::new();
    for name in parts.headers.keys() {
        let values: Vec<Value> = parts
            .headers
            .get_all(name)
            .iter()
            .map(|v| Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let value = match <[Value; 1]>::try_from(values) {
            Ok([one]) => one,
            Err(many) => Value::Array(many),
        };
        headers.insert(name.as_str().to_owned(), value);
    }
    let mut result = Map::new();
    result.insert("statusCode".into(), parts.status.as_u16().into());
    let bytes = body.into_bytes();
    if !bytes.is_empty() {
        let media = Media::of(parts.headers.get(CONTENT_TYPE));
        let text = std::str::from_utf8(&bytes).ok();
        let body = match (media.essence.is_empty(), text) {
            // No media type: the controller takes a string for text/html. An empty
            // Content-Type goes too, or the controller would read it as a type of its own.
            (true, Some(text)) => {
                headers.remove(CONTENT_TYPE.as_str());
                text.to_owned()
            }
            (true, None) => {
                headers.insert(
                    CONTENT_TYPE.as_str().into(),
                    "application/octet-stream".into(),
                );
                BASE64.encode(&bytes)
            }
            (false, text) if media.response_is_text() => {
                if !media.has_charset {
                    // A charset makes even an unregistered text type text to the controller.
                    let typed = format!("{}; charset=utf-8", media.original);
                    headers.insert(CONTENT_TYPE.as_str().into(), typed.into());
                }
                match text {
                    Some(text) => text.to_owned(),
                    // The controller sends a text type's body as the string it got: base64
                    // would reach the client undecoded.
                    None => {
                        tracing::warn!(
                            "the response's type {:?} is text but its body is not UTF-8; \
                             OpenWhisk carries text as JSON strings, so its invalid bytes are sent as U+FFFD",
                            media.original
                        );
                        String::from_utf8_lossy(&bytes).into_owned()
                    }
                }
            }
            _ => BASE64.encode(&bytes),
        };
        result.insert("body".into(), body.into());
    }
    result.insert("headers".into(), Value::Object(headers));
    Value::Object(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use faasade_core::ResponseExt;
    use serde_json::json;

    fn params(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn raw_request_keeps_query_path_and_text_body() {
        let (req, ip) = request(&params(json!({
            "__ow_method": "post",
            "__ow_headers": {"content-type": "text/plain", "x-forwarded-for": "10.0.0.9, 203.0.113.7"},
            "__ow_path": "/echo/%C3%A9t%C3%A9",
            "__ow_query": "x=1&y=two%20words",
            "__ow_body": "hello",
        })))
        .unwrap();
        assert_eq!(req.method(), Method::POST);
        assert_eq!(req.uri().path(), "/echo/%C3%A9t%C3%A9");
        assert_eq!(req.uri().query(), Some("x=1&y=two%20words"));
        assert_eq!(req.body().as_bytes(), b"hello");
        assert_eq!(ip, Some("203.0.113.7".parse().unwrap()));
    }

    #[test]
    fn utf8_header_values_are_kept() {
        let (req, _) = request(&params(json!({
            "__ow_method": "get", "__ow_headers": {"x-name": "grüße ✓"}, "__ow_path": "/",
            "__ow_query": "",
        })))
        .unwrap();
        assert_eq!(req.headers()["x-name"].as_bytes(), "grüße ✓".as_bytes());
    }

    #[test]
    fn too_many_headers_are_a_431_not_a_panic() {
        // http's HeaderMap panics past 32,768 entries; one name with that many values or that
        // many names must both be refused first.
        let many: Vec<String> = (0..40_000).map(|i| i.to_string()).collect();
        let names: Map<String, Value> = many
            .iter()
            .map(|i| (format!("x-{i}"), json!("v")))
            .collect();
        for headers in [json!({"x-many": many}), Value::Object(names)] {
            let e = request(&params(json!({
                "__ow_method": "get", "__ow_headers": headers, "__ow_path": "/",
                "__ow_query": "",
            })))
            .unwrap_err();
            assert_eq!(
                e.status(),
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "{e}"
            );
        }
    }

    #[test]
    fn raw_binary_and_json_bodies_are_base64() {
        for ct in ["application/octet-stream", "application/json", "image/png"] {
            let (req, _) = request(&params(json!({
                "__ow_method": "put", "__ow_headers": {"content-type": ct},
                "__ow_path": "", "__ow_query": "", "__ow_body": "AAH/",
            })))
            .unwrap();
            assert_eq!(req.body().as_bytes(), [0, 1, 255], "{ct}");
            assert_eq!(req.uri(), "/");
        }
    }

    #[test]
    fn non_raw_web_actions_are_refused_without_showing_bound_parameters() {
        // The controller merged the request's JSON fields with the action's bound parameters.
        let err = request(&params(json!({
            "__ow_method": "post", "__ow_headers": {"content-type": "application/json"},
            "__ow_path": "/echo", "myName": "Ada", "API_TOKEN": "bound-secret",
        })))
        .unwrap_err();
        assert_eq!(err.status(), 500);
        assert_eq!(err.public_message(), None);
        assert!(!err.to_string().contains("bound-secret"), "{err}");
        assert!(err.to_string().contains("--web raw"), "{err}");
    }

    #[test]
    fn malformed_fields_are_400_naming_the_field() {
        for bad in [
            json!({"__ow_method": "no such", "__ow_query": ""}),
            json!({"__ow_method": "get", "__ow_query": "", "__ow_headers": "x"}),
            json!({"__ow_method": "get", "__ow_query": "", "__ow_headers": {"bad name": "x"}}),
            json!({"__ow_method": "get", "__ow_path": "/a b", "__ow_query": ""}),
            json!({"__ow_method": "get", "__ow_query": "", "__ow_body": {"a": 1}}),
        ] {
            let err = request(&params(bad.clone())).unwrap_err();
            assert_eq!(err.status(), 400, "{bad}");
            assert!(err.public_message().unwrap().contains("__ow_"), "{bad}");
        }
    }

    #[test]
    fn results_encode_bodies_as_the_controller_reads_them() {
        let text = Response::text("héllo");
        let r = result(text);
        assert_eq!(r["statusCode"], 200);
        assert_eq!(r["body"], "héllo");

        let json = http::Response::builder()
            .header("content-type", "application/json")
            .body(Body::from(r#"{"a":1}"#))
            .unwrap();
        assert_eq!(result(json)["body"], BASE64.encode(br#"{"a":1}"#));

        let bin = http::Response::builder()
            .header("content-type", "application/octet-stream")
            .body(Body::from(vec![0u8, 255]))
            .unwrap();
        assert_eq!(result(bin)["body"], "AP8=");

        let odd = http::Response::builder()
            .header("content-type", "text/x-custom")
            .body(Body::from("plain"))
            .unwrap();
        let r = result(odd);
        assert_eq!(r["body"], "plain");
        assert_eq!(r["headers"]["content-type"], "text/x-custom; charset=utf-8");
    }

    #[test]
    fn repeated_headers_become_arrays_and_empty_bodies_are_left_out() {
        let res = http::Response::builder()
            .status(204)
            .header("set-cookie", "a=1")
            .header("set-cookie", "b=2")
            .body(Body::empty())
            .unwrap();
        let r = result(res);
        assert_eq!(r["statusCode"], 204);
        assert_eq!(r["headers"]["set-cookie"], json!(["a=1", "b=2"]));
        assert!(r.get("body").is_none());
    }
}
