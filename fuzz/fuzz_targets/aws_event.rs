//! The AWS event → request decoding, through the service stack `faasade_aws::run` serves
//! (lambda_http's Adapter inside `DecodeGuard`, then the adapter's HTTP entry and a handler):
//! any bytes given as a Lambda HTTP event (API Gateway v1 and v2, ALB, Function URL) are
//! refused by the JSON decoding or answered, never a panic in Faasade's code. A panic inside
//! lambda_http's decoding (its URL, aws_lambda_events' base64 body, query_map's empty lists)
//! is what `DecodeGuard` answers `400`: the hook lets only panics in dependencies unwind to it.
#![no_main]

use std::sync::Once;

use faasade_core::handler::from_fn;
use faasade_core::{Context, Request, Response, ResponseExt, Result};
use lambda_http::request::LambdaRequest;
use libfuzzer_sys::fuzz_target;

async fn echo(req: Request, _cx: Context) -> Result<Response> {
    assert!(req.uri().path().starts_with('/'), "{:?}", req.uri());
    Ok(Response::text(req.uri().to_string()))
}

fn only_lambda_http_may_panic() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // `DecodeGuard` catches what panics in lambda_http's decoding: its URL, the base64
            // body (aws_lambda_events), an empty multi-value list (query_map). Those are in
            // dependencies; a panic in Faasade's own code always stops the fuzzer, and so does
            // one nothing catches (the unwind cannot leave the fuzz target).
            let in_a_dependency = info
                .location()
                .is_some_and(|l| l.file().contains("/.cargo/registry/"));
            if !in_a_dependency {
                fuzzer_hook(info);
            }
        }));
    });
}

fuzz_target!(|data: &[u8]| {
    only_lambda_http_may_panic();
    // As the Lambda runtime reads the event: an error is an invocation error it reports.
    let Ok(event) = serde_json::from_slice::<LambdaRequest>(data) else {
        return;
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let reply = rt.block_on(faasade_aws::answer_http_event(from_fn(echo), event));
    let status = reply["statusCode"].as_u64().unwrap_or_default();
    assert!(matches!(status, 200 | 400 | 413), "{reply}");
});
