//! Outbound HTTP for Faasade's native targets (local, aws, openwhisk): the neutral request sent
//! with one shared reqwest client (rustls with bundled web roots, so static and minimal images
//! need no system certificates). Adapters call [`Fetcher::fetch`] from `Platform::fetch`.

use std::sync::OnceLock;
use std::time::Duration;

use faasade_core::{Body, BoxFuture, Error, Request, Response, Result, StatusCode};

/// A lazily built HTTP client with a per-request timeout.
#[derive(Debug)]
pub struct Fetcher {
    client: OnceLock<reqwest::Client>,
    timeout: Duration,
}

impl Fetcher {
    /// A fetcher whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Self {
            client: OnceLock::new(),
            timeout,
        }
    }

    fn client(&self) -> Result<reqwest::Client> {
        if let Some(c) = self.client.get() {
            return Ok(c.clone());
        }
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
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

async fn send(client: reqwest::Client, req: Request) -> Result<Response> {
    let (parts, body) = req.into_parts();
    if parts.uri.scheme().is_none() || parts.uri.host().is_none() {
        return Err(Error::internal(format!(
            "fetch needs an absolute URL, got {:?}",
            parts.uri.to_string()
        )));
    }
    let url = parts.uri.to_string();
    let res = client
        .request(parts.method.clone(), &url)
        .headers(parts.headers)
        .body(body.into_bytes())
        .send()
        .await
        .map_err(|e| {
            Error::new(
                StatusCode::BAD_GATEWAY,
                format!("fetch {} {url} failed", parts.method),
            )
            .with_source(e)
        })?;
    let mut out = Response::new(Body::empty());
    *out.status_mut() = res.status();
    *out.headers_mut() = res.headers().clone();
    let bytes = res.bytes().await.map_err(|e| {
        Error::new(
            StatusCode::BAD_GATEWAY,
            format!("reading the body of {url} failed"),
        )
        .with_source(e)
    })?;
    *out.body_mut() = bytes.into();
    Ok(out)
}
