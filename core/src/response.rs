//! Building responses: [`IntoResponse`], [`ResponseExt`] and [`Json`].

use bytes::Bytes;
use http::StatusCode;
use http::header::{CONTENT_TYPE, HeaderValue};
use serde::Serialize;

use crate::{Body, Response};

const TEXT: &str = "text/plain; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";
const JSON: &str = "application/json";
const OCTET: &str = "application/octet-stream";

/// Constructors on [`Response`] (`http::Response<Body>`).
///
/// `#[faasade::main]` brings this trait into scope inside the handler, so
/// `Response::text("hi")` works there without an import; elsewhere `use faasade::ResponseExt`.
///
/// ```
/// use faasade_core::{Response, ResponseExt};
/// use http::StatusCode;
///
/// let res = Response::text("hello");
/// assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
/// assert_eq!(Response::empty(StatusCode::NO_CONTENT).status(), 204);
/// ```
pub trait ResponseExt: Sized {
    /// `200` with a `text/plain; charset=utf-8` body.
    fn text(body: impl Into<Body>) -> Self;
    /// `200` with a `text/html; charset=utf-8` body.
    fn html(body: impl Into<Body>) -> Self;
    /// `200` with an `application/octet-stream` body.
    fn bytes(body: impl Into<Body>) -> Self;
    /// `200` with `value` as an `application/json` body. A value that cannot be serialized
    /// (a map with non-string keys, say) gives a logged `500`.
    fn json<T: Serialize + ?Sized>(value: &T) -> Self;
    /// An empty body with this status.
    fn empty(status: StatusCode) -> Self;
    /// Set the status, keeping the rest.
    fn with_status(self, status: StatusCode) -> Self;
}

impl ResponseExt for Response {
    fn text(body: impl Into<Body>) -> Self {
        with_type(body.into(), TEXT)
    }

    fn html(body: impl Into<Body>) -> Self {
        with_type(body.into(), HTML)
    }

    fn bytes(body: impl Into<Body>) -> Self {
        with_type(body.into(), OCTET)
    }

    fn json<T: Serialize + ?Sized>(value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(v) => with_type(v.into(), JSON),
            Err(e) => {
                tracing::error!(error = %e, "response value could not be serialized as JSON");
                Self::empty(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    fn empty(status: StatusCode) -> Self {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = status;
        res
    }

    fn with_status(mut self, status: StatusCode) -> Self {
        *self.status_mut() = status;
        self
    }
}

fn with_type(body: Body, content_type: &'static str) -> Response {
    let mut res = Response::new(body);
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

/// A JSON response (or, in [`crate::RequestExt`], a JSON body to read).
///
/// ```
/// use faasade_core::{IntoResponse, Json};
///
/// let res = Json(serde_json::json!({"ok": true})).into_response();
/// assert_eq!(res.headers()["content-type"], "application/json");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Json<T>(pub T);

/// Anything a handler may return inside its `Result`.
pub trait IntoResponse {
    /// Turn `self` into a response.
    fn into_response(self) -> Response;
}

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl IntoResponse for Body {
    fn into_response(self) -> Response {
        Response::new(self)
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        Response::text(self)
    }
}

impl IntoResponse for String {
    fn into_response(self) -> Response {
        Response::text(self)
    }
}

impl IntoResponse for Bytes {
    fn into_response(self) -> Response {
        Response::bytes(self)
    }
}

impl IntoResponse for Vec<u8> {
    fn into_response(self) -> Response {
        Response::bytes(self)
    }
}

impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::empty(StatusCode::NO_CONTENT)
    }
}

impl IntoResponse for StatusCode {
    fn into_response(self) -> Response {
        Response::empty(self)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        Response::json(&self.0)
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> Response {
        self.1.into_response().with_status(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tuple_sets_status_and_keeps_type() {
        let res = (StatusCode::CREATED, "made").into_response();
        assert_eq!(res.status(), StatusCode::CREATED);
        assert_eq!(res.headers()[CONTENT_TYPE], TEXT);
        assert_eq!(res.body().as_bytes(), b"made");
    }

    #[test]
    fn unserializable_json_is_500() {
        let mut map = std::collections::HashMap::new();
        map.insert(vec![1u8], 1);
        let res = Response::json(&map);
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn unit_is_204() {
        assert_eq!(().into_response().status(), StatusCode::NO_CONTENT);
    }
}
