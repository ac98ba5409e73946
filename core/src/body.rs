//! The request and response body.

use std::convert::Infallible;
use std::fmt;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use http::StatusCode;
use http_body::{Frame, SizeHint};
use http_body_util::{BodyExt, Limited};
use serde::de::DeserializeOwned;

use crate::error::{BoxError, Error};

/// The smallest request-body limit among Faasade's targets (AWS Lambda's 6 MB payload), used by
/// the local server by default so that what works locally also fits every provider.
pub const DEFAULT_BODY_LIMIT: usize = 6 * 1024 * 1024;

/// A buffered HTTP body.
///
/// Every provider hands functions a complete body (Lambda and OpenWhisk only ever have one), so
/// the neutral body is a cheap-to-clone [`Bytes`] buffer with text and JSON helpers.
///
/// ```
/// use faasade_core::Body;
///
/// let body = Body::from(r#"{"n": 1}"#);
/// let v: serde_json::Value = body.json().unwrap();
/// assert_eq!(v["n"], 1);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Body {
    bytes: Bytes,
}

impl Body {
    /// An empty body.
    pub const fn empty() -> Self {
        Self {
            bytes: Bytes::new(),
        }
    }

    /// The bytes of the body.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The body as [`Bytes`] (no copy).
    pub fn into_bytes(self) -> Bytes {
        self.bytes
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The body as UTF-8 text; invalid UTF-8 is a `400 Bad Request` error.
    pub fn text(&self) -> Result<&str, Error> {
        std::str::from_utf8(&self.bytes).map_err(|e| {
            Error::new(StatusCode::BAD_REQUEST, "request body is not valid UTF-8").with_source(e)
        })
    }

    /// Deserialize the body as JSON; malformed JSON is a `400 Bad Request` error whose message
    /// says where the JSON is wrong (it describes the client's input, never server internals).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        // The message already carries serde's description, so it is not attached again as a cause.
        serde_json::from_slice(&self.bytes)
            .map_err(|e| Error::new(StatusCode::BAD_REQUEST, format!("invalid JSON body: {e}")))
    }

    /// Serialize `value` as a JSON body.
    pub fn from_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        Ok(serde_json::to_vec(value)?.into())
    }

    /// Refuse a request whose `Content-Length` already says it is larger than `limit` bytes,
    /// before reading it: `413 Payload Too Large`.
    pub fn check_declared_length(headers: &http::HeaderMap, limit: usize) -> Result<(), Error> {
        let declared = headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(Error::payload_too_large(limit));
        }
        Ok(())
    }

    /// Read any [`http_body::Body`] to the end, failing with `413 Payload Too Large` once it
    /// passes `limit` bytes. Adapters use it on the bodies their runtime hands them.
    pub async fn from_http_body<B>(body: B, limit: usize) -> Result<Self, Error>
    where
        B: http_body::Body,
        B::Error: Into<BoxError>,
    {
        match Limited::new(body, limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes().into()),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                Err(Error::payload_too_large(limit))
            }
            Err(e) => Err(
                Error::new(StatusCode::BAD_REQUEST, "could not read the request body")
                    .with_boxed_source(e),
            ),
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match std::str::from_utf8(&self.bytes) {
            Ok(text) if text.len() <= 256 => f.debug_tuple("Body").field(&text).finish(),
            _ => write!(f, "Body({} bytes)", self.bytes.len()),
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Self { bytes }
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Bytes::from(v).into()
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Bytes::from(s).into()
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Bytes::from_static(s.as_bytes()).into()
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Self {
        Bytes::from_static(s).into()
    }
}

impl From<()> for Body {
    fn from(_: ()) -> Self {
        Self::empty()
    }
}

impl From<Body> for Bytes {
    fn from(body: Body) -> Self {
        body.bytes
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if this.bytes.is_empty() {
            Poll::Ready(None)
        } else {
            Poll::Ready(Some(Ok(Frame::data(std::mem::take(&mut this.bytes)))))
        }
    }

    fn is_end_stream(&self) -> bool {
        self.bytes.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.bytes.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        crate::testing::block_on(f)
    }

    #[test]
    fn json_errors_are_400_and_name_the_problem() {
        let err = Body::from("{not json")
            .json::<serde_json::Value>()
            .unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert!(
            err.public_message()
                .unwrap()
                .starts_with("invalid JSON body")
        );
    }

    #[test]
    fn invalid_utf8_text_is_400() {
        let err = Body::from(vec![0xff, 0xfe]).text().unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn collect_enforces_the_limit() {
        let ok = block_on(Body::from_http_body(Body::from("abcd"), 4)).unwrap();
        assert_eq!(ok.as_bytes(), b"abcd");
        let err = block_on(Body::from_http_body(Body::from("abcde"), 4)).unwrap_err();
        assert_eq!(err.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn http_body_yields_one_frame_then_ends() {
        let body = Body::from("xyz");
        assert_eq!(http_body::Body::size_hint(&body).exact(), Some(3));
        let bytes = block_on(body.collect()).unwrap().to_bytes();
        assert_eq!(&bytes[..], b"xyz");
    }
}
