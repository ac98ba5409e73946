//! Decoding: a request lambda_http has parsed from any HTTP front (API Gateway REST v1, HTTP API
//! v2, ALB, Function URL) becomes a neutral [`Request`] plus the invocation's [`RequestMeta`].

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::task::Poll;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use faasade_core::{Body, Request, RequestMeta};
use http::Uri;
use lambda_http::RequestExt as _;
use lambda_http::request::{LambdaRequest, RequestContext};

/// Deadlines below this (1 January 2001 in epoch milliseconds) cannot be epoch times: local
/// emulators send a duration in milliseconds instead (cargo-lambda sends 600000).
const EPOCH_MS_FLOOR: u64 = 978_307_200_000;

/// The neutral request and its metadata.
pub fn from_lambda(req: lambda_http::Request) -> (Request, RequestMeta) {
    let mut meta = RequestMeta::default();
    let request_cx = req.request_context_ref();
    let stage = request_cx.and_then(stage_of).map(str::to_owned);
    meta.client_ip = client_ip(request_cx, req.headers());
    if let Some(cx) = req.lambda_context_ref() {
        fill_from_context(&mut meta, cx);
    }
    let (mut parts, body) = req.into_parts();
    if let Some(stage) = stage {
        parts.uri = without_stage(&parts.uri, &stage);
        meta.extra.push(("aws.stage".into(), stage));
    }
    let body = match body {
        lambda_http::Body::Empty => Bytes::new(),
        lambda_http::Body::Text(text) => Bytes::from(text),
        lambda_http::Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    (Request::from_parts(parts, Body::from(body)), meta)
}

/// Request id, deadline, function ARN and trace id from the Lambda invocation context.
pub fn fill_from_context(meta: &mut RequestMeta, cx: &lambda_runtime::Context) {
    meta.request_id = Some(cx.request_id.clone());
    meta.deadline = Some(deadline(cx.deadline, SystemTime::now()));
    meta.extra
        .push(("aws.function_arn".into(), cx.invoked_function_arn.clone()));
    if let Some(trace) = &cx.xray_trace_id {
        meta.extra.push(("aws.xray_trace_id".into(), trace.clone()));
    }
}

fn deadline(ms: u64, now: SystemTime) -> SystemTime {
    if ms < EPOCH_MS_FLOOR {
        now + Duration::from_millis(ms)
    } else {
        UNIX_EPOCH + Duration::from_millis(ms)
    }
}

/// The stage an API Gateway request came through, unless it is the `$default` stage (which
/// never appears in paths).
fn stage_of(cx: &RequestContext) -> Option<&str> {
    let stage = match cx {
        RequestContext::ApiGatewayV1(cx) => cx.stage.as_deref(),
        RequestContext::ApiGatewayV2(cx) => cx.stage.as_deref(),
        _ => None,
    };
    stage.filter(|s| !s.is_empty() && *s != "$default")
}

/// lambda_http puts the stage in front of API Gateway paths (`/Prod/users`); the handler sees
/// the path it routes on (`/users`), the same on every target.
fn without_stage(uri: &Uri, stage: &str) -> Uri {
    let prefix = format!("/{stage}");
    let path = uri.path();
    let rest = match path.strip_prefix(&prefix) {
        Some("") => "/",
        Some(rest) if rest.starts_with('/') => rest,
        _ => return uri.clone(),
    };
    let path_and_query = match uri.query() {
        Some(q) => format!("{rest}?{q}"),
        None => rest.to_owned(),
    };
    let mut parts = uri.clone().into_parts();
    match path_and_query.parse() {
        Ok(pq) => {
            parts.path_and_query = Some(pq);
            Uri::from_parts(parts).unwrap_or_else(|_| uri.clone())
        }
        Err(_) => uri.clone(),
    }
}

fn client_ip(cx: Option<&RequestContext>, headers: &http::HeaderMap) -> Option<IpAddr> {
    let from_context = match cx? {
        RequestContext::ApiGatewayV1(cx) => cx.identity.source_ip.clone(),
        RequestContext::ApiGatewayV2(cx) => cx.http.source_ip.clone(),
        _ => None,
    };
    // ALB only tells through X-Forwarded-For, and appends the address it saw: the last entry.
    // Entries before it are whatever the client sent, so trusting the first is spoofable.
    let forwarded = || {
        let value = headers.get_all("x-forwarded-for").iter().next_back()?;
        Some(value.to_str().ok()?.rsplit(',').next()?.trim().to_owned())
    };
    from_context.or_else(forwarded)?.parse().ok()
}

/// lambda_http's [`Adapter`](lambda_http::Adapter) (event in, the reply Lambda expects out),
/// with its decoding kept from failing an invocation. lambda_http panics on malformed events:
/// it unwraps the URL it builds from the event's `Host` header and path, so a `Host` that is
/// not a valid host (an ALB passes the client's on) fails there; a body marked
/// `isBase64Encoded` that is not base64 fails in aws_lambda_events, and a multi-value query
/// parameter with no value in query_map. Such an event is answered `400 Bad Request`, with a
/// log line, in the shape every HTTP front reads; the next one is served.
pub struct DecodeGuard<S>(pub S);

impl<S> lambda_runtime::Service<lambda_runtime::LambdaEvent<LambdaRequest>> for DecodeGuard<S>
where
    S: lambda_runtime::Service<lambda_runtime::LambdaEvent<LambdaRequest>>,
    S::Future: Unpin,
{
    type Response = Answer<S::Response>;
    type Error = S::Error;
    type Future = Answering<S::Future>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, event: lambda_runtime::LambdaEvent<LambdaRequest>) -> Self::Future {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.0.call(event))) {
            Ok(serving) => Answering::Served(serving),
            Err(_) => {
                tracing::warn!(
                    "400: lambda_http could not decode the event (a Host and path that are no URL, a body marked base64 that is not, an empty multi-value parameter)"
                );
                Answering::Refused(Some(bad_request()))
            }
        }
    }
}

/// The reply Lambda is sent: the adapter's, or [`DecodeGuard`]'s refusal.
pub enum Answer<R> {
    /// What the adapter answered.
    Served(R),
    /// A `400` for an event that could not be decoded.
    Refused(serde_json::Value),
}

impl<R: serde::Serialize> serde::Serialize for Answer<R> {
    fn serialize<Z: serde::Serializer>(&self, to: Z) -> Result<Z::Ok, Z::Error> {
        match self {
            Answer::Served(reply) => reply.serialize(to),
            Answer::Refused(reply) => reply.serialize(to),
        }
    }
}

/// [`DecodeGuard`]'s future.
pub enum Answering<F> {
    /// The adapter serving the event.
    Served(F),
    /// The refusal, until it is taken.
    Refused(Option<serde_json::Value>),
}

impl<F, R, E> Future for Answering<F>
where
    F: Future<Output = Result<R, E>> + Unpin,
{
    type Output = Result<Answer<R>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        match &mut *self {
            Answering::Served(serving) => Pin::new(serving).poll(cx).map_ok(Answer::Served),
            Answering::Refused(reply) => {
                Poll::Ready(Ok(Answer::Refused(reply.take().unwrap_or_default())))
            }
        }
    }
}

/// A `400` every HTTP front reads (API Gateway v1 and v2, ALB, Function URLs): no headers, as
/// an ALB with multi-value headers on expects `multiValueHeaders` instead; a status
/// description, which ALB wants and the others ignore.
fn bad_request() -> serde_json::Value {
    serde_json::json!({
        "statusCode": 400,
        "statusDescription": "400 Bad Request",
        "isBase64Encoded": false,
        "body": "Bad Request",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_prefix_is_removed_only_as_a_whole_segment() {
        let uri: Uri = "https://h/Prod/users?a=1".parse().unwrap();
        assert_eq!(
            without_stage(&uri, "Prod").to_string(),
            "https://h/users?a=1"
        );
        let root: Uri = "https://h/Prod".parse().unwrap();
        assert_eq!(without_stage(&root, "Prod").path(), "/");
        let other: Uri = "https://h/Production/x".parse().unwrap();
        assert_eq!(without_stage(&other, "Prod").path(), "/Production/x");
    }

    #[test]
    fn emulator_deadlines_are_durations() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(deadline(600_000, now), now + Duration::from_secs(600));
        let epoch = 1_800_000_003_000;
        assert_eq!(
            deadline(epoch, now),
            UNIX_EPOCH + Duration::from_millis(epoch)
        );
    }
}
