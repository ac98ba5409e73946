//! Reading requests: [`RequestExt`].

use serde::de::DeserializeOwned;

use crate::{Context, Error, Request};

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
