//! Outbound HTTP through Fastly backends. Behind the `fetch` feature.
//!
//! A request goes to the backend named after the upstream's host and port (`api.example.com`,
//! `127.0.0.1:8080`): one the service declares under that name (fastly.toml), else one created
//! on the fly where the service has dynamic backends enabled. Network failures are `502`
//! errors whose cause is logged, never shown.

use faasade_core::capability::{FETCH_RESPONSE_LIMIT, fetch_failed, fetch_too_large};
use faasade_core::{Body, Error, Request, Response, Result};
use fastly::Backend;
use fastly::backend::BackendCreationError;

pub(crate) fn send(req: Request) -> Result<Response> {
    let (parts, body) = req.into_parts();
    let url = parts.uri.to_string();
    let (scheme, authority) = faasade_core::capability::fetch_destination(&parts.uri)?;
    let backend = backend_for(scheme == "https", authority.as_str(), authority.host())?;
    let mut out = fastly::Request::new(parts.method.clone(), url.as_str());
    for (name, value) in &parts.headers {
        out.append_header(name, value);
    }
    let bytes = body.into_bytes();
    if !bytes.is_empty() {
        out.set_body(bytes.to_vec());
    }
    let mut res = out
        .send(backend)
        .map_err(|e| fetch_failed(&parts.method, &parts.uri, e))?;
    let mut neutral = Response::new(Body::empty());
    *neutral.status_mut() = res.get_status();
    for (name, value) in res.get_headers() {
        neutral.headers_mut().append(name.clone(), value.clone());
    }
    // Read no further than the limit: an upstream cannot exhaust the instance's memory.
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(res.take_body(), FETCH_RESPONSE_LIMIT as u64 + 1),
        &mut bytes,
    )
    .map_err(|e| fetch_failed(&parts.method, &parts.uri, e))?;
    if bytes.len() > FETCH_RESPONSE_LIMIT {
        return Err(fetch_too_large(&parts.method, &parts.uri));
    }
    *neutral.body_mut() = Body::from(bytes);
    Ok(neutral)
}

/// The backend for `authority`: the service's own under that name, else a dynamic one.
fn backend_for(tls: bool, authority: &str, host: &str) -> Result<Backend> {
    if let Ok(declared) = Backend::from_name(authority)
        && declared.exists()
    {
        return Ok(declared);
    }
    let mut builder = Backend::builder(authority, authority).override_host(host);
    if tls {
        builder = builder
            .enable_ssl()
            .sni_hostname(host)
            .check_certificate(host);
    }
    match builder.finish() {
        Ok(backend) => Ok(backend),
        Err(BackendCreationError::NameInUse) => Backend::from_name(authority)
            .map_err(|e| Error::internal(format!("backend {authority}: {e}"))),
        Err(BackendCreationError::Disallowed) => Err(Error::internal(format!(
            "fetch to {authority} needs a backend: declare one named `{authority}` in \
             fastly.toml, or enable dynamic backends for the service"
        ))),
        Err(e) => Err(Error::internal(format!("backend {authority}: {e}"))),
    }
}
