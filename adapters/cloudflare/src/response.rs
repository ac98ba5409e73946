//! A neutral response as a Workers one: status, every header value (each `Set-Cookie` kept
//! apart), the body as bytes. Statuses that cannot carry a body (`101`, `204`, `205`, `304`)
//! are sent without one.

use faasade_core::Response;
use worker::js_sys::Uint8Array;
use worker::wasm_bindgen::JsValue;
use worker::web_sys;

/// The Workers response; an error (the runtime refused a header or status) rejects the
/// request's promise, which the runtime answers with a `500`.
pub(crate) fn to_worker(res: Response) -> Result<web_sys::Response, JsValue> {
    build(res).inspect_err(|e| tracing::error!("cannot build the response: {e:?}"))
}

fn build(res: Response) -> Result<web_sys::Response, JsValue> {
    let (parts, body) = res.into_parts();
    let headers = web_sys::Headers::new()?;
    for (name, value) in &parts.headers {
        // Header values that are not UTF-8 cannot cross into JavaScript unchanged.
        if let Ok(value) = value.to_str() {
            headers.append(name.as_str(), value)?;
        }
    }
    let init = web_sys::ResponseInit::new();
    init.set_status(parts.status.as_u16());
    init.set_headers(&headers);
    let bytes = body.into_bytes();
    if matches!(parts.status.as_u16(), 101 | 204 | 205 | 304) {
        return web_sys::Response::new_with_opt_str_and_init(None, &init);
    }
    let array = Uint8Array::from(bytes.as_ref());
    web_sys::Response::new_with_opt_js_u8_array_and_init(Some(&array), &init)
}
