//! The outbound checks against the URL parser that connects: reqwest (native targets) and the
//! JS runtimes read `uri.to_string()` by the WHATWG URL standard, which the `url` crate
//! implements. Whatever Faasade lets through must connect exactly where it checked:
//! - an origin [`check_declared`] accepts is, as parsed for the connection, one of the declared
//!   scheme, host and port;
//! - a URL [`fetch_destination`] accepts (no `[upstreams]` declared in this process) never
//!   connects to a link-local or cloud metadata address, however its host is written.
#![no_main]

use std::net::IpAddr;

use faasade_core::capability::{
    DeclaredOrigin, check_declared, fetch_destination, is_metadata_address,
};
use libfuzzer_sys::fuzz_target;

const DECLARED: [DeclaredOrigin<'static>; 3] = [
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
    DeclaredOrigin {
        scheme: "http",
        host: "[::1]",
        port: 9000,
    },
];

fuzz_target!(|text: &str| {
    let Ok(uri) = text.parse::<http::Uri>() else {
        return;
    };
    // The URL an adapter hands to the connecting parser; one it cannot parse is never sent.
    let Ok(url) = url::Url::parse(&uri.to_string()) else {
        return;
    };
    let connected_ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        _ => None,
    };
    if fetch_destination(&uri).is_ok()
        && let Some(ip) = connected_ip
    {
        assert!(
            !is_metadata_address(ip),
            "{text:?} passed the checks but connects to {ip}"
        );
    }
    if check_declared(&DECLARED, &uri).is_ok() {
        let host = match url.host() {
            Some(url::Host::Ipv6(v6)) => format!("[{v6}]"),
            Some(host) => host.to_string(),
            None => panic!("{text:?} was accepted but has no host for the connection"),
        };
        // DNS names the same host with or without the final dot.
        let host = host.strip_suffix('.').unwrap_or(&host);
        let port = url.port_or_known_default();
        assert!(
            DECLARED
                .iter()
                .any(|d| d.scheme == url.scheme() && d.host == host && Some(d.port) == port),
            "{text:?} was accepted but connects to {}://{host}:{port:?}",
            url.scheme()
        );
    }
});
