//! A neutral response as a `wasi:http` 0.2 one: status, every header value (each `Set-Cookie`
//! kept apart), the body written to the host's stream and finished.

use std::io::Write as _;

use faasade_core::Response;
use http::HeaderMap;
use wasip2::http::types::{Fields, OutgoingBody, OutgoingResponse};

use crate::ResponseOutparam;

/// The `wasi:http` fields for `headers`, each value kept apart. A header the host forbids
/// (`host`, `connection`, ...) is left out and logged.
pub(crate) fn fields(headers: &HeaderMap) -> Fields {
    let fields = Fields::new();
    for (name, value) in headers {
        if let Err(e) = fields.append(name.as_str(), value.as_bytes()) {
            tracing::info!("header {name} left out: the host refuses it ({e:?})");
        }
    }
    fields
}

/// Send `res` through `out` and finish its body.
pub(crate) fn send(res: Response, out: ResponseOutparam) {
    let (parts, body) = res.into_parts();
    let reply = OutgoingResponse::new(fields(&parts.headers));
    let _ = reply.set_status_code(parts.status.as_u16());
    let Ok(outgoing) = reply.body() else {
        ResponseOutparam::set(out, Ok(reply));
        return;
    };
    ResponseOutparam::set(out, Ok(reply));
    if let Err(e) = write_body(&outgoing, body.as_bytes()) {
        tracing::error!("writing the reply's body failed: {e}");
    }
    if let Err(e) = OutgoingBody::finish(outgoing, None) {
        tracing::error!("finishing the reply's body failed: {e:?}");
    }
}

/// Write `bytes` to `body`'s stream, which must be dropped before the body is finished.
pub(crate) fn write_body(body: &OutgoingBody, bytes: &[u8]) -> std::io::Result<()> {
    if bytes.is_empty() {
        return Ok(());
    }
    let mut stream = body
        .write()
        .map_err(|()| std::io::Error::other("the body's stream was already taken"))?;
    stream.write_all(bytes)?;
    std::io::Write::flush(&mut stream)
}
