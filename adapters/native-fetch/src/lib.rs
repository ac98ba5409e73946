//! Outbound HTTP for Faasade's native targets (local, aws, openwhisk): the neutral request sent
//! with one shared reqwest client (rustls with bundled web roots, so static and minimal images
//! need no system certificates). Adapters call [`Fetcher::fetch`] from `Platform::fetch`, on
//! the runtime [`runtime`] starts.
//!
//! The client sits behind the `fetch` feature (on by default in `faasade`). An app that never
//! fetches can turn it off (`default-features = false`) to leave reqwest and its TLS stack out
//! of the binary — about half of a Lambda `bootstrap`. Without it, [`Fetcher::fetch`] fails
//! with a run-time error naming the target, the capability and the feature to enable.

#[cfg(feature = "fetch")]
use std::sync::{Arc, OnceLock};
use std::time::Duration;

#[cfg(feature = "fetch")]
use faasade_core::capability;
use faasade_core::{BoxFuture, Capability, Error, Request, Response, Result};

/// The single-threaded runtime a native target's entry point drives its handler (and the
/// fetcher's client) on; `None`, with a log line, when it cannot start.
pub fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            tracing::error!("cannot start the runtime: {e}");
            None
        }
    }
}

/// A lazily built HTTP client with a per-request timeout.
#[derive(Debug)]
pub struct Fetcher {
    target: &'static str,
    #[cfg(feature = "fetch")]
    client: OnceLock<reqwest::Client>,
    #[cfg_attr(not(feature = "fetch"), allow(dead_code))]
    timeout: Duration,
}

impl Fetcher {
    /// A fetcher for `target` whose requests give up after `timeout`.
    pub fn new(target: &'static str, timeout: Duration) -> Self {
        Self {
            target,
            #[cfg(feature = "fetch")]
            client: OnceLock::new(),
            timeout,
        }
    }

    /// Whether this build can send requests (the `fetch` feature).
    pub const ENABLED: bool = cfg!(feature = "fetch");

    /// The error every fetch returns when the `fetch` feature is off.
    pub fn disabled_error(&self) -> Error {
        Error::left_out(self.target, Capability::Fetch)
    }

    /// Send `req` (its URI must be absolute). Network failures are `502 Bad Gateway` errors
    /// whose cause is logged, never shown.
    #[cfg(not(feature = "fetch"))]
    pub fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        drop(req);
        let e = self.disabled_error();
        Box::pin(async move { Err(e) })
    }
}

#[cfg(feature = "fetch")]
impl Fetcher {
    fn client(&self) -> Result<reqwest::Client> {
        if let Some(c) = self.client.get() {
            return Ok(c.clone());
        }
        // Redirects come back to the app, as on every target: following them would reach
        // hosts the app never named.
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(PublicAddresses))
            .build()
            .map_err(|e| Error::internal("cannot build the HTTP client").with_source(e))?;
        Ok(self.client.get_or_init(|| client).clone())
    }

    /// Send `req` (its URI must be absolute). Network failures are `502 Bad Gateway` errors
    /// whose cause is logged, never shown.
    pub fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        let client = self.client();
        Box::pin(async move { send(client?, req).await })
    }
}

/// The system resolver without the addresses no fetch may reach
/// ([`capability::is_metadata_address`]). Literal addresses never reach a resolver; core's
/// `fetch_destination` refuses those. A name that resolves only to refused addresses (a
/// metadata host name, or a DNS answer someone else controls) fails to connect: a `502`.
#[cfg(feature = "fetch")]
struct PublicAddresses;

#[cfg(feature = "fetch")]
impl reqwest::dns::Resolve for PublicAddresses {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let kept: Vec<_> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| !capability::is_metadata_address(addr.ip()))
                .collect();
            if kept.is_empty() {
                return Err(format!(
                    "{host} resolves only to link-local or cloud metadata addresses, which are \
                     never fetched"
                )
                .into());
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(feature = "fetch")]
async fn send(client: reqwest::Client, req: Request) -> Result<Response> {
    let (parts, body) = req.into_parts();
    capability::fetch_destination(&parts.uri)?;
    let url = parts.uri.to_string();
    // Errors are logged: they name the origin and path, never the query, where apps put tokens.
    let failed =
        |e: reqwest::Error| capability::fetch_failed(&parts.method, &parts.uri, e.without_url());
    let mut res = client
        .request(parts.method.clone(), &url)
        .headers(parts.headers)
        .body(body.into_bytes())
        .send()
        .await
        .map_err(failed)?;
    let mut out = Response::new(faasade_core::Body::empty());
    *out.status_mut() = res.status();
    *out.headers_mut() = res.headers().clone();
    // Read no further than the limit: an upstream cannot exhaust the app's memory.
    let mut bytes = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(failed)? {
        if bytes.len() + chunk.len() > capability::FETCH_RESPONSE_LIMIT {
            return Err(capability::fetch_too_large(&parts.method, &parts.uri));
        }
        bytes.extend_from_slice(&chunk);
    }
    *out.body_mut() = bytes.into();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_disabled_error_names_target_capability_and_feature() {
        let e = Fetcher::new("aws", Duration::from_secs(1)).disabled_error();
        let u = e.unsupported_capability().unwrap();
        assert_eq!((u.target, u.capability), ("aws", Capability::Fetch));
        let text = e.to_string();
        assert!(
            text.starts_with("this `aws` build leaves `fetch` out"),
            "{text}"
        );
        assert!(text.contains("`fetch` feature"), "{text}");
        assert_eq!(e.status(), 500);
        assert_eq!(e.public_message(), None, "never shown to clients");
    }

    #[cfg(feature = "fetch")]
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    /// The error of a GET of `url` with the local target's fetcher, which must fail.
    #[cfg(feature = "fetch")]
    fn fetch_error(url: &str) -> Error {
        let req = faasade_core::http::Request::get(url)
            .body(faasade_core::Body::empty())
            .unwrap();
        block_on(Fetcher::new("local", Duration::from_secs(5)).fetch(req)).unwrap_err()
    }

    /// A name that resolves only to a metadata address is not connected to. (getaddrinfo
    /// answers a numeric name itself, which stands here for a name whose DNS answer is one.)
    #[cfg(feature = "fetch")]
    #[test]
    fn names_resolving_to_metadata_addresses_are_not_connected_to() {
        use reqwest::dns::Resolve as _;
        let resolve = |name: &str| block_on(PublicAddresses.resolve(name.parse().unwrap()));
        for refused in ["169.254.169.254", "fe80::1", "100.100.100.200"] {
            let e = resolve(refused).err().expect(refused).to_string();
            assert!(e.contains("never fetched"), "{refused}: {e}");
        }
        let kept: Vec<_> = resolve("127.0.0.1").unwrap().collect();
        assert_eq!(kept, ["127.0.0.1:0".parse().unwrap()]);
    }

    /// A metadata address is refused on every path of a fetch, before any connection.
    #[cfg(feature = "fetch")]
    #[test]
    fn a_fetch_of_the_metadata_service_is_refused() {
        let e = fetch_error("http://169.254.169.254/latest/meta-data/iam/security-credentials/");
        assert_eq!(e.status(), 502);
        assert!(e.to_string().contains("never fetched"), "{e}");
    }

    /// Hosts a URL parser reads as IPv4 though std does not (one number, hex, octal, fewer
    /// parts) are refused before reqwest, which would connect to the address they spell.
    #[cfg(feature = "fetch")]
    #[test]
    fn loosely_written_ipv4_addresses_are_not_connected_to() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        for host in ["2130706433", "0x7f000001", "0177.0.0.1", "127.1"] {
            let e = fetch_error(&format!("http://{host}:{port}/"));
            assert_eq!(e.status(), 502, "{host}: {e}");
            assert!(
                e.to_string().contains("four decimal numbers"),
                "{host}: {e}"
            );
        }
        let accepted = listener.accept();
        assert!(accepted.is_err(), "a connection was made: {accepted:?}");
    }

    /// A failed fetch's error, which is logged, names the origin and path but not the query,
    /// where apps put tokens; reqwest's own error would show the whole URL.
    #[cfg(feature = "fetch")]
    #[test]
    fn a_failed_fetch_names_no_query_string() {
        // A port nothing listens on: the connection is refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let e = fetch_error(&format!(
            "http://127.0.0.1:{port}/orders?token=s3cret-value"
        ));
        let text = format!("{e} {e:?}");
        assert_eq!(e.status(), 502, "{text}");
        assert!(!text.contains("s3cret-value"), "{text}");
        assert!(text.contains(&format!("127.0.0.1:{port}/orders")), "{text}");
    }
}
