//! A neutral response as a Workers one: status, every header value (each `Set-Cookie` kept
//! apart), the body as bytes. Statuses that cannot carry a body (`101`, `204`, `205`, `304`)
//! are sent without one.

use faasade_core::Response;
use worker::js_sys::Uint8Array;
use worker::wasm_bindgen::JsValue;
use worker::wasm_bindgen::prelude::wasm_bindgen;
use worker::web_sys;

/// The Workers response; an error (the runtime refused a header or status) rejects the
/// request's promise, which the runtime answers with a `500`.
pub(crate) fn to_worker(res: Response) -> Result<web_sys::Response, JsValue> {
    build(res).inspect_err(|e| tracing::error!("cannot build the response: {e:?}"))
}

#[wasm_bindgen(module = "/js/glue.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn faasade_response(
        status: u16,
        head: &str,
        body: Option<Uint8Array>,
    ) -> Result<web_sys::Response, JsValue>;
}

/// A header value as workerd takes it: a string it sends as UTF-8. A UTF-8 value (`grüße`)
/// goes out byte for byte; other bytes cannot be sent at all, which is an error rather than a
/// header silently left out.
pub(crate) fn header_text<'a>(
    name: &http::HeaderName,
    value: &'a http::HeaderValue,
) -> Result<&'a str, JsValue> {
    std::str::from_utf8(value.as_bytes()).map_err(|_| {
        JsValue::from_str(&format!(
            "the value of header {name} is not UTF-8, which the cloudflare target cannot send"
        ))
    })
}

/// The head goes to JavaScript as one string (js/glue.js), the body as one byte array.
fn build(res: Response) -> Result<web_sys::Response, JsValue> {
    let (parts, body) = res.into_parts();
    let mut head = String::with_capacity(parts.headers.len() * 32);
    for (name, value) in &parts.headers {
        head.push_str(name.as_str());
        head.push(':');
        head.push_str(header_text(name, value)?);
        head.push('\n');
    }
    let status = parts.status.as_u16();
    let body = (!matches!(status, 101 | 204 | 205 | 304))
        .then(|| Uint8Array::from(body.into_bytes().as_ref()));
    faasade_response(status, &head, body)
}
