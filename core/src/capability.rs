//! The capabilities a target may or may not offer.

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

/// One capability of the neutral API: the registry of targets (`faasade-targets`) defines it,
/// since it says which target offers which.
pub use faasade_targets::Capability;

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
