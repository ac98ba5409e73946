//! The neutral error type.

use std::borrow::Cow;
use std::fmt;

use http::StatusCode;

use crate::capability::Capability;

/// A boxed error, as `tower` and `http-body` use them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// `Result` with Faasade's [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error a handler returns, or a capability reports.
///
/// It carries the HTTP status it maps to, an optional message that is safe to show the client,
/// and the cause, which is logged but never sent. Any `std::error::Error` converts into it with
/// `?` (as a `500`), so handlers can use `?` on anything:
///
/// ```
/// use faasade_core::{Error, Result};
/// use http::StatusCode;
///
/// fn parse(n: &str) -> Result<u32> {
///     Ok(n.parse::<u32>()?) // a ParseIntError becomes a 500 whose cause is logged
/// }
/// assert_eq!(parse("x").unwrap_err().status(), StatusCode::INTERNAL_SERVER_ERROR);
///
/// let e = Error::new(StatusCode::NOT_FOUND, "no such user");
/// assert_eq!(e.public_message(), Some("no such user"));
/// ```
pub struct Error {
    status: StatusCode,
    message: Option<Cow<'static, str>>,
    source: Option<BoxError>,
    unsupported: Option<Unsupported>,
}

/// The target and capability named by an [`Error::unsupported`] error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unsupported {
    /// The provider target, e.g. `"aws"`.
    pub target: &'static str,
    /// The capability, e.g. [`Capability::Kv`].
    pub capability: Capability,
}

impl Error {
    /// An error with a status and a message that is shown to the client.
    ///
    /// Only 4xx messages reach the client; a 5xx error always answers with the generic reason
    /// phrase, and its message is logged instead.
    pub fn new(status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            status,
            message: Some(message.into()),
            source: None,
            unsupported: None,
        }
    }

    /// A `500 Internal Server Error` whose message is logged, never shown.
    pub fn internal(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// A `400 Bad Request` with a message for the client.
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// A `404 Not Found`.
    pub fn not_found() -> Self {
        Self::from_status(StatusCode::NOT_FOUND)
    }

    /// A `413 Payload Too Large` for a body over `limit` bytes.
    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body is larger than {limit} bytes"),
        )
    }

    /// An error with only a status; the client sees its reason phrase.
    pub fn from_status(status: StatusCode) -> Self {
        Self {
            status,
            message: None,
            source: None,
            unsupported: None,
        }
    }

    /// The run-time error for a capability that a target does not offer. Its message names
    /// both, e.g. "the `aws` target does not support `kv`".
    pub fn unsupported(target: &'static str, capability: Capability) -> Self {
        let mut e = Self::internal(format!(
            "the `{target}` target does not support `{capability}`"
        ));
        e.unsupported = Some(Unsupported { target, capability });
        e
    }

    /// The run-time error for a capability that this build of the app leaves out: its cargo
    /// feature is off (e.g. `default-features = false`), so its code is not in the binary.
    /// The message names the target, the capability and the feature that brings it back
    /// (feature names are capability names: `kv`, `fetch`).
    pub fn left_out(target: &'static str, capability: Capability) -> Self {
        let mut e = Self::internal(format!(
            "this `{target}` build leaves `{capability}` out: enable faasade's \
             `{capability}` feature (on by default) to use it"
        ));
        e.unsupported = Some(Unsupported { target, capability });
        e
    }

    /// Attach the underlying cause (logged, never shown).
    pub fn with_source(self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.with_boxed_source(Box::new(source))
    }

    /// Attach an already boxed cause.
    pub fn with_boxed_source(mut self, source: BoxError) -> Self {
        self.source = Some(source);
        self
    }

    /// The status the error answers with.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The message, shown to the client for 4xx errors only.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The message as the client sees it: `Some` only for a 4xx error with a message.
    pub fn public_message(&self) -> Option<&str> {
        if self.status.is_client_error() {
            self.message()
        } else {
            None
        }
    }

    /// The cause, if any.
    pub fn source(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.source.as_deref()
    }

    /// Set when this error reports an unsupported capability.
    pub fn unsupported_capability(&self) -> Option<Unsupported> {
        self.unsupported
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.message, &self.source) {
            (Some(m), Some(s)) => write!(f, "{m}: {s}"),
            (Some(m), None) => f.write_str(m),
            (None, Some(s)) => write!(f, "{s}"),
            (None, None) => f.write_str(self.status.canonical_reason().unwrap_or("error")),
        }?;
        // The chain below the direct cause, so logs show the root of the problem.
        let mut next = self.source.as_deref().and_then(|s| s.source());
        while let Some(cause) = next {
            write!(f, ": {cause}")?;
            next = cause.source();
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("status", &self.status)
            .field("message", &self.message)
            .field("source", &self.source)
            .finish()
    }
}

impl<E> From<E> for Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(e: E) -> Self {
        Self::from_status(StatusCode::INTERNAL_SERVER_ERROR).with_source(e)
    }
}

impl From<Error> for BoxError {
    fn from(e: Error) -> Self {
        Box::new(ErrorWrapper(e))
    }
}

/// Lets an [`Error`] travel through APIs that want a `std::error::Error` (tower, http-body).
struct ErrorWrapper(Error);

impl fmt::Debug for ErrorWrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for ErrorWrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for ErrorWrapper {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn std_errors_become_500_with_the_cause_in_display() {
        let e: Error = "x".parse::<u8>().unwrap_err().into();
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(e.to_string().contains("invalid digit"));
        assert_eq!(e.public_message(), None);
    }

    #[test]
    fn server_error_messages_are_never_public() {
        let e = Error::internal("db password is hunter2");
        assert_eq!(e.public_message(), None);
        assert!(e.to_string().contains("hunter2"));
    }

    #[test]
    fn unsupported_names_target_and_capability() {
        let e = Error::unsupported("aws", Capability::Kv);
        assert_eq!(e.to_string(), "the `aws` target does not support `kv`");
        let named = Unsupported {
            target: "aws",
            capability: Capability::Kv,
        };
        assert_eq!(e.unsupported_capability(), Some(named));
    }

    #[test]
    fn left_out_names_target_capability_and_feature() {
        let e = Error::left_out("cloudflare", Capability::Fetch);
        assert_eq!(
            e.to_string(),
            "this `cloudflare` build leaves `fetch` out: enable faasade's `fetch` feature \
             (on by default) to use it"
        );
        let u = e.unsupported_capability().unwrap();
        assert_eq!((u.target, u.capability), ("cloudflare", Capability::Fetch));
        assert_eq!(e.status(), 500);
        assert_eq!(e.public_message(), None, "never shown to clients");
    }
}
