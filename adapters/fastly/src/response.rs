//! A neutral response as a Fastly one: status, every header value (each `Set-Cookie` kept
//! apart), the body as bytes.

use faasade_core::Response;

pub(crate) fn to_fastly(res: Response) -> fastly::Response {
    let (parts, body) = res.into_parts();
    let mut out = fastly::Response::from_status(parts.status);
    for (name, value) in &parts.headers {
        out.append_header(name, value);
    }
    let body = body.into_bytes();
    if !body.is_empty() {
        out.set_body(body.to_vec());
    }
    out
}
