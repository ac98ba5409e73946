//! The capabilities a target may or may not offer.

use crate::{BoxFuture, Error, Request, Response, Result};

/// The scheme and authority an outbound request goes to, or the error every target gives
/// for a URI that is not absolute.
pub fn fetch_destination(uri: &http::Uri) -> Result<(&str, &http::uri::Authority)> {
    match (uri.scheme_str(), uri.authority()) {
        (Some(scheme), Some(authority)) => Ok((scheme, authority)),
        _ => Err(Error::internal(format!(
            "fetch needs an absolute URL, got {:?}",
            url_for_logs(uri)
        ))),
    }
}

/// The most bytes of a fetched response body an app is given, on every target: a larger body is
/// a `502`, read no further than this, so an upstream cannot exhaust the app's memory.
pub const FETCH_RESPONSE_LIMIT: usize = 16 << 20;

/// The `502` for a fetch of `uri` whose response body passed [`FETCH_RESPONSE_LIMIT`].
pub fn fetch_too_large(method: &http::Method, uri: &http::Uri) -> Error {
    fetch_failed(
        method,
        uri,
        format_args!("the response body is larger than {FETCH_RESPONSE_LIMIT} bytes"),
    )
}

/// `uri` as errors and logs show it: scheme, host, port and path. The query string and any
/// user info are left out, as apps put tokens there.
pub fn url_for_logs(uri: &http::Uri) -> String {
    let Some(authority) = uri.authority() else {
        return uri.path().to_owned();
    };
    let scheme = uri.scheme_str().unwrap_or("http");
    let host = authority.host();
    match authority.port() {
        Some(port) => format!("{scheme}://{host}:{port}{}", uri.path()),
        None => format!("{scheme}://{host}{}", uri.path()),
    }
}

/// The `502` for a fetch of `uri` that failed with `cause`. The message names the method and
/// [`url_for_logs`]; the cause is kept for the log line, with the URL's query and user info
/// taken out of its text too, since a runtime's error message may quote the whole URL.
pub fn fetch_failed(
    method: &http::Method,
    uri: &http::Uri,
    cause: impl std::fmt::Display,
) -> Error {
    let shown = url_for_logs(uri);
    let mut cause = cause.to_string().replace(&uri.to_string(), &shown);
    for secret in [
        uri.query(),
        uri.authority()
            .and_then(|a| a.as_str().rsplit_once('@'))
            .map(|(user, _)| user),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.is_empty())
    {
        cause = cause.replace(secret, "…");
    }
    Error::new(
        http::StatusCode::BAD_GATEWAY,
        format!("fetch {method} {shown} failed"),
    )
    .with_boxed_source(cause.into())
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
        let relative: http::Uri = "/x?token=s3cret".parse().unwrap();
        let e = fetch_destination(&relative).unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }

    #[test]
    fn logged_urls_leave_out_the_query_and_user_info() {
        let uri: http::Uri = "https://ada:pw@api.example.com:8443/v1/x?token=s3cret"
            .parse()
            .unwrap();
        assert_eq!(url_for_logs(&uri), "https://api.example.com:8443/v1/x");
        let plain: http::Uri = "http://example.com".parse().unwrap();
        assert_eq!(url_for_logs(&plain), "http://example.com/");
    }

    #[test]
    fn a_failed_fetch_names_method_and_path_but_no_secret() {
        let uri: http::Uri = "https://ada:pw@api.example.com/x?token=s3cret"
            .parse()
            .unwrap();
        let cause = format!("TypeError: cannot load {uri} (query token=s3cret, user ada:pw)");
        let e = fetch_failed(&http::Method::POST, &uri, cause);
        assert_eq!(e.status(), http::StatusCode::BAD_GATEWAY);
        assert_eq!(
            e.message(),
            Some("fetch POST https://api.example.com/x failed")
        );
        let logged = e.to_string();
        assert!(
            logged.contains("cannot load https://api.example.com/x"),
            "{logged}"
        );
        assert!(
            !logged.contains("s3cret") && !logged.contains("ada:pw"),
            "{logged}"
        );
    }
}
