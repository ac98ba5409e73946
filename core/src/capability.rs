//! The capabilities a target may or may not offer.

use std::fmt;

use crate::{BoxFuture, Error, Request, Response, Result};

/// The scheme and authority an outbound request goes to, or the error every target gives
/// for a URI that is not absolute.
pub fn fetch_destination(uri: &http::Uri) -> Result<(&str, &http::uri::Authority)> {
    match (uri.scheme_str(), uri.authority()) {
        (Some(scheme), Some(authority)) => Ok((scheme, authority)),
        _ => Err(Error::internal(format!(
            "fetch needs an absolute URL, got {:?}",
            uri.to_string()
        ))),
    }
}

/// What `Platform::fetch` answers in a build that leaves the `fetch` feature out: the error
/// [`Error::left_out`] names the target, `fetch` and the feature.
pub fn left_out_fetch(target: &'static str, req: Request) -> BoxFuture<'static, Result<Response>> {
    drop(req);
    let e = Error::left_out(target, Capability::Fetch);
    Box::pin(async move { Err(e) })
}

/// One capability of the neutral API. Each adapter declares which it supports; using one it
/// lacks fails with [`crate::Error::unsupported`], which names the target and the capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// `Context::var`.
    Vars,
    /// `Context::secret`.
    Secrets,
    /// `Context::kv`.
    Kv,
    /// `Context::fetch`.
    Fetch,
    /// `Context::wait_until`.
    WaitUntil,
    /// JSON event functions invoked by non-HTTP triggers.
    Events,
}

impl Capability {
    /// Every capability, in table order.
    pub const ALL: [Capability; 6] = [
        Capability::Vars,
        Capability::Secrets,
        Capability::Kv,
        Capability::Fetch,
        Capability::WaitUntil,
        Capability::Events,
    ];

    /// The name used in errors and docs (`"kv"`, `"wait_until"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Capability::Vars => "vars",
            Capability::Secrets => "secrets",
            Capability::Kv => "kv",
            Capability::Fetch => "fetch",
            Capability::WaitUntil => "wait_until",
            Capability::Events => "events",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_goes_only_to_absolute_urls() {
        let uri: http::Uri = "https://api.example.com:8443/x?y".parse().unwrap();
        let (scheme, authority) = fetch_destination(&uri).unwrap();
        assert_eq!(
            (scheme, authority.as_str()),
            ("https", "api.example.com:8443")
        );
        let relative: http::Uri = "/x".parse().unwrap();
        let e = fetch_destination(&relative).unwrap_err();
        assert_eq!(e.to_string(), "fetch needs an absolute URL, got \"/x\"");
    }
}
