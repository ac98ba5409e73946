//! The capabilities a target may or may not offer.

use crate::{BoxFuture, Error, Request, Response, Result};

/// The scheme and authority an outbound request goes to, or the error every target gives
/// for a URI that is not absolute, for an address no Faasade app fetches from
/// ([`is_metadata_address`]), for a host a URL parser would read as a loosely written IPv4
/// address, and, when the app's `faasade.toml` lists `[upstreams]`, for any origin not among
/// them ([`check_declared`]).
pub fn fetch_destination(uri: &http::Uri) -> Result<(&str, &http::uri::Authority)> {
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return Err(Error::internal(format!(
            "fetch needs an absolute URL, got {:?}",
            url_for_logs(uri)
        )));
    };
    // A URL parser ignores one trailing dot, so `169.254.169.254.` is the same address.
    let host = authority.host();
    let host = host.strip_suffix('.').unwrap_or(host);
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if literal.parse().is_ok_and(is_metadata_address) {
        return Err(refused_address(uri));
    }
    if ends_in_a_number(host) && host.parse::<std::net::Ipv4Addr>().is_err() {
        return Err(loose_ipv4(uri));
    }
    check_declared(declared_upstreams(), uri)?;
    Ok((scheme, authority))
}

/// Whether a URL parser (the WHATWG URL standard, which reqwest's `url` crate and every JS
/// runtime follow) reads `host` as an IPv4 address: its last label is a decimal number or
/// `0x` and hex digits. Such a host may be written in forms std does not parse, as one number
/// (`2852039166`), in hex (`0xa9fea9fe`), in octal (`0251.0376.0251.0376`) or with fewer parts
/// (`127.1`); the address they spell is what gets connected to, so a literal check that
/// misses them misses the address.
fn ends_in_a_number(host: &str) -> bool {
    let last = host.rsplit('.').next().unwrap_or(host);
    let hex = last.strip_prefix("0x").or_else(|| last.strip_prefix("0X"));
    match hex {
        Some(digits) => digits.bytes().all(|b| b.is_ascii_hexdigit()),
        None => !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// The `502` for a host that spells an IPv4 address in a form other than four decimal
/// numbers: its address would escape the metadata and `[upstreams]` checks.
fn loose_ipv4(uri: &http::Uri) -> Error {
    Error::new(
        http::StatusCode::BAD_GATEWAY,
        format!(
            "fetch of {} refused: an IPv4 address must be written as four decimal numbers",
            url_for_logs(uri)
        ),
    )
}

/// One origin of the app's `faasade.toml` `[upstreams]`, as `#[faasade::main]` compiles it
/// into the app.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclaredOrigin<'a> {
    /// `http` or `https`.
    pub scheme: &'a str,
    /// The host, as faasade.toml writes it.
    pub host: &'a str,
    /// The port a connection uses (the scheme's default when the origin gives none).
    pub port: u16,
}

static DECLARED_UPSTREAMS: std::sync::OnceLock<&'static [DeclaredOrigin<'static>]> =
    std::sync::OnceLock::new();

/// Record the app's `[upstreams]`; `#[faasade::main]` calls it before the handler is made.
/// The first call wins: the list is part of the compiled app and cannot change while it runs.
#[doc(hidden)]
pub fn declare_upstreams(origins: &'static [DeclaredOrigin<'static>]) {
    let _ = DECLARED_UPSTREAMS.set(origins);
}

fn declared_upstreams() -> &'static [DeclaredOrigin<'static>] {
    DECLARED_UPSTREAMS.get().copied().unwrap_or_default()
}

/// `Ok` when `declared` is empty (the app lists no `[upstreams]`) or holds `uri`'s scheme,
/// host and port; otherwise the `502` every target gives, naming the declared origins. Hosts
/// compare without case and without a trailing dot, as DNS does.
pub fn check_declared(declared: &[DeclaredOrigin<'_>], uri: &http::Uri) -> Result<()> {
    if declared.is_empty() {
        return Ok(());
    }
    let scheme = uri.scheme_str().unwrap_or_default();
    let host = uri.host().unwrap_or_default();
    let host = host.strip_suffix('.').unwrap_or(host);
    let port = uri
        .port_u16()
        .unwrap_or(if scheme.eq_ignore_ascii_case("https") {
            443
        } else {
            80
        });
    let listed = declared.iter().any(|origin| {
        origin.scheme.eq_ignore_ascii_case(scheme)
            && origin.host.eq_ignore_ascii_case(host)
            && origin.port == port
    });
    if listed {
        return Ok(());
    }
    let origins: Vec<String> = declared
        .iter()
        .map(|o| format!("{}://{}:{}", o.scheme, o.host, o.port))
        .collect();
    Err(Error::new(
        http::StatusCode::BAD_GATEWAY,
        format!(
            "fetch of {} refused: its origin is not among faasade.toml's [upstreams] ({})",
            url_for_logs(uri),
            origins.join(", ")
        ),
    ))
}

/// Whether no Faasade fetch may reach `ip`, on any target: link-local addresses (IPv4
/// 169.254.0.0/16, IPv6 fe80::/10), where the cloud metadata services that hand out a
/// machine's credentials answer (169.254.169.254 on AWS, Google Cloud, Azure; ECS's
/// 169.254.170.2), and the two metadata addresses outside that range (AWS's IPv6
/// `fd00:ec2::254`, Alibaba Cloud's `100.100.100.200`). An app made to fetch a URL a client
/// chose must not hand back those credentials. IPv4 written as IPv6 (`::ffff:169.254.169.254`)
/// counts as IPv4.
pub fn is_metadata_address(ip: std::net::IpAddr) -> bool {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.is_link_local() || v4 == Ipv4Addr::new(100, 100, 100, 200),
        IpAddr::V6(v6) => {
            v6.is_unicast_link_local() || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        }
    }
}

/// The `502` for a fetch whose destination is an address [`is_metadata_address`] refuses.
fn refused_address(uri: &http::Uri) -> Error {
    Error::new(
        http::StatusCode::BAD_GATEWAY,
        format!(
            "fetch of {} refused: link-local and cloud metadata addresses are never fetched",
            url_for_logs(uri)
        ),
    )
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
    fn metadata_and_link_local_addresses_are_never_fetched() {
        for url in [
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "http://169.254.170.2/v2/credentials?id=1",
            "http://169.254.0.1:8080/",
            "http://[fe80::1]/",
            "http://[fd00:ec2::254]/latest/meta-data/",
            "http://[::ffff:169.254.169.254]/",
            "http://100.100.100.200/latest/meta-data/",
        ] {
            let uri: http::Uri = url.parse().unwrap();
            let e = fetch_destination(&uri).unwrap_err();
            assert_eq!(e.status(), http::StatusCode::BAD_GATEWAY, "{url}");
            assert!(e.to_string().contains("never fetched"), "{url}: {e}");
            assert!(!e.to_string().contains('?'), "{url}: {e}");
        }
        for url in [
            "http://127.0.0.1:8080/",
            "http://10.0.0.1/",
            "http://169.253.255.255/",
            "http://[::1]/",
            "http://100.100.100.201/",
            "https://metadata.example.com/",
        ] {
            let uri: http::Uri = url.parse().unwrap();
            assert!(fetch_destination(&uri).is_ok(), "{url}");
        }
    }

    #[test]
    fn loosely_written_ipv4_hosts_are_refused() {
        for url in [
            "http://2852039166/",
            "http://0xa9fea9fe/",
            "http://0XA9FEA9FE/",
            "http://0251.0376.0251.0376/",
            "http://169.254.43518/",
            "http://127.1/",
            "http://0x/",
            "http://example.0x7f/",
            "http://1.2.3.4.5/",
            "http://01.2.3.4/",
        ] {
            let uri: http::Uri = url.parse().unwrap();
            let e = fetch_destination(&uri).unwrap_err();
            assert_eq!(e.status(), http::StatusCode::BAD_GATEWAY, "{url}");
            assert!(e.to_string().contains("four decimal numbers"), "{url}: {e}");
        }
        let uri: http::Uri = "http://169.254.169.254./latest".parse().unwrap();
        let e = fetch_destination(&uri).unwrap_err();
        assert!(e.to_string().contains("never fetched"), "{e}");
        for url in [
            "http://127.0.0.1./",
            "http://10.0.0.1/",
            "http://api.example.com./",
            "http://1password.com/",
            "http://0xdead.example.com/",
            "http://example.com0/",
            "http://example.0xz/",
        ] {
            let uri: http::Uri = url.parse().unwrap();
            assert!(fetch_destination(&uri).is_ok(), "{url}");
        }
    }

    #[test]
    fn only_declared_upstreams_are_fetched_once_there_are_any() {
        let declared = [
            DeclaredOrigin {
                scheme: "https",
                host: "api.example.com",
                port: 443,
            },
            DeclaredOrigin {
                scheme: "http",
                host: "127.0.0.1",
                port: 8080,
            },
        ];
        let check = |url: &str| check_declared(&declared, &url.parse().unwrap());
        for url in [
            "https://api.example.com/v1?x=1",
            "https://API.Example.com:443/",
            "https://api.example.com./",
            "https://user:pw@api.example.com/",
            "http://127.0.0.1:8080/ping",
        ] {
            assert!(check(url).is_ok(), "{url}");
        }
        for url in [
            "http://api.example.com/",
            "https://api.example.com:8443/",
            "https://api.example.com.evil.com/",
            "https://evil.com/",
            "https://api.example.com@evil.com/",
            "http://localhost:8080/",
            "http://127.0.0.1/",
            "http://127.0.0.1:8081/?token=s3cret",
        ] {
            let e = check(url).unwrap_err();
            assert_eq!(e.status(), http::StatusCode::BAD_GATEWAY, "{url}");
            let text = e.to_string();
            assert!(text.contains("is not among faasade.toml's [upstreams] (https://api.example.com:443, http://127.0.0.1:8080)"), "{url}: {text}");
            assert!(!text.contains("s3cret"), "{text}");
        }
        assert!(check_declared(&[], &"https://evil.com/".parse().unwrap()).is_ok());
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
