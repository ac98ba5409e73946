//! A neutral response sent to the client: status, every header value (each `Set-Cookie` kept
//! apart), the body as bytes. Written straight onto `fastly::handle` handles, one host call
//! per part, without `fastly::Response`'s deferred copy of each.

use std::io::Write;

use faasade_core::Response;
use fastly::handle::{BodyHandle, ResponseHandle};

pub(crate) fn send(res: Response) {
    let (parts, body) = res.into_parts();
    let mut out = ResponseHandle::new();
    out.set_status(parts.status);
    for (name, value) in &parts.headers {
        out.append_header(name, value);
    }
    let mut handle = BodyHandle::new();
    let body = body.into_bytes();
    if let Err(e) = handle.write_all(&body) {
        tracing::error!(error = %e, "could not write the response body");
    }
    out.send_to_client(handle);
}
