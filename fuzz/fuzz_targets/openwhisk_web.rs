//! The OpenWhisk web-action round trip, both ways, through the two halves that must agree: the
//! controller-like front (`faasade_openwhisk_host::web_params`, `web_response`) and the
//! adapter (`faasade_openwhisk::web::request`, `web::result`). A request the front accepts
//! reaches the handler with its method, target and body; a handler's response reaches the
//! client with its status and body, byte for byte; the adapter also takes the parameters of
//! any activation (arbitrary JSON) without a panic.
#![no_main]

use arbitrary::Arbitrary;
use faasade_openwhisk::web;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Exchange {
    /// One of the controller's seven methods, or (past them) `other_method`.
    method: u8,
    other_method: String,
    target: String,
    content_type: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    status: u16,
    response_type: Option<String>,
    response_body: Vec<u8>,
    activation: Vec<u8>,
}

fuzz_target!(|x: Exchange| {
    // Any activation's parameters: decoded or refused, never a panic.
    if let Ok(serde_json::Value::Object(params)) =
        serde_json::from_slice::<serde_json::Value>(&x.activation)
    {
        let _ = web::request(&params);
    }

    // Client → front → adapter.
    let method = faasade_openwhisk_host::WEB_METHODS
        .get(usize::from(x.method))
        .map_or(x.other_method.as_str(), http::Method::as_str);
    let mut req = http::Request::builder()
        .method(method)
        .uri(x.target.as_str());
    if let Some(ct) = &x.content_type {
        req = req.header("content-type", ct.as_str());
    }
    for (name, value) in x.headers.iter().take(32) {
        req = req.header(name.as_str(), value.as_slice());
    }
    if let Ok(req) = req.body(()) {
        // Only what reaches an action: the methods the controller serves (the front answers
        // others with 405), origin-form targets.
        if faasade_openwhisk_host::WEB_METHODS.contains(req.method())
            && req.uri().scheme().is_none()
            && req.uri().path().starts_with('/')
        {
            let (parts, ()) = req.into_parts();
            let params = faasade_openwhisk_host::web_params(&parts, &x.body, [127, 0, 0, 1].into());
            let (got, _) = web::request(params.as_object().expect("an object"))
                .unwrap_or_else(|e| panic!("the adapter refused what the front sent: {e}"));
            assert_eq!(got.method(), parts.method);
            assert_eq!(got.uri().path(), parts.uri.path());
            assert_eq!(
                got.uri().query().unwrap_or(""),
                parts.uri.query().unwrap_or("")
            );
            // A body the front sends as text is text; invalid UTF-8 in a text type is lossy,
            // as the controller's own decoding is.
            let sent = got.body().as_bytes();
            assert!(
                sent == x.body.as_slice() || sent == String::from_utf8_lossy(&x.body).as_bytes(),
                "request body changed: {:?} became {sent:?}",
                x.body
            );
        }
    }

    // Handler → adapter → front.
    let Ok(status) = http::StatusCode::from_u16(x.status) else {
        return;
    };
    let mut res = http::Response::builder().status(status);
    if let Some(ct) = &x.response_type {
        res = res.header("content-type", ct.as_str());
    }
    let Ok(res) = res.body(faasade_core::Body::from(x.response_body.clone())) else {
        return;
    };
    let answer = faasade_openwhisk_host::web_response(&web::result(res));
    assert_eq!(answer.status(), status, "{answer:?}");
    // Bytes arrive as they were sent, but a text type's body, which OpenWhisk carries as a
    // JSON string: there invalid UTF-8 arrives as U+FFFD.
    let typed = x.response_type.as_deref().unwrap_or("");
    let text = faasade_openwhisk::media::Media::parse(typed).response_is_text();
    let got = answer.body().as_ref();
    assert!(
        got == x.response_body.as_slice()
            || text && got == String::from_utf8_lossy(&x.response_body).as_bytes(),
        "response body changed (type {typed:?}): {:?} became {got:?}",
        x.response_body
    );
});
