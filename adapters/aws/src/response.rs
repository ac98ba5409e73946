//! Encoding: a neutral [`Response`] becomes the `http::Response<lambda_http::Body>` lambda_http
//! turns into the reply its event's source expects (API Gateway v1/v2, ALB, Function URL):
//! text bodies as text, anything else base64-encoded, every `Set-Cookie` kept (v2 `cookies`,
//! v1/ALB multi-value headers).

use faasade_core::Response;
use http::header::CONTENT_TYPE;

/// The lambda_http response for `res`.
pub fn to_lambda(res: Response) -> http::Response<lambda_http::Body> {
    let (parts, body) = res.into_parts();
    let bytes = body.into_bytes();
    let body = if bytes.is_empty() {
        lambda_http::Body::Empty
    } else if is_text(parts.headers.get(CONTENT_TYPE)) {
        match String::from_utf8(bytes.to_vec()) {
            Ok(text) => lambda_http::Body::Text(text),
            Err(e) => lambda_http::Body::Binary(e.into_bytes()),
        }
    } else {
        lambda_http::Body::Binary(bytes.to_vec())
    };
    http::Response::from_parts(parts, body)
}

/// Content types sent as text; everything else (and no content type) goes base64-encoded.
fn is_text(content_type: Option<&http::HeaderValue>) -> bool {
    let Some(ct) = content_type.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ct = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    ct.starts_with("text/")
        || ct == "application/json"
        || ct.ends_with("+json")
        || ct == "application/xml"
        || ct.ends_with("+xml")
        || ct == "application/javascript"
        || ct == "application/x-www-form-urlencoded"
}

#[cfg(test)]
mod tests {
    use super::*;
    use faasade_core::ResponseExt;

    #[test]
    fn text_stays_text_and_bytes_become_binary() {
        assert!(
            matches!(to_lambda(Response::text("hi")).body(), lambda_http::Body::Text(t) if t == "hi")
        );
        assert!(matches!(
            to_lambda(Response::json(&1)).body(),
            lambda_http::Body::Text(_)
        ));
        assert!(matches!(
            to_lambda(Response::bytes(vec![0u8, 255])).body(),
            lambda_http::Body::Binary(_)
        ));
        let bad_text = Response::text(vec![0xffu8, 0xfe]);
        assert!(matches!(
            to_lambda(bad_text).body(),
            lambda_http::Body::Binary(_)
        ));
        let empty = Response::empty(http::StatusCode::NO_CONTENT);
        assert!(matches!(to_lambda(empty).body(), lambda_http::Body::Empty));
    }
}
