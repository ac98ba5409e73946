//! The real AWS sample events that ship inside the `aws_lambda_events` crate (`src/fixtures`),
//! decoded into neutral requests and answered through lambda_http's own encoding, as in Lambda:
//! API Gateway REST (v1), HTTP API (v2; Function URLs send the same payload), ALB.

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use base64::Engine;
use faasade_core::handler::{self, from_fn};
use faasade_core::{Context, Platform, Request, Response, ResponseExt, Result};
use http::header::SET_COOKIE;
use lambda_http::LambdaEvent;
use lambda_http::request::LambdaRequest;
use serde_json::Value;

/// A fixture from the `aws_lambda_events` package cargo resolved for this workspace.
fn fixture(name: &str) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    let manifest = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "aws_lambda_events")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("aws_lambda_events is a dependency");
    let path = PathBuf::from(manifest)
        .parent()
        .unwrap()
        .join("src/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The neutral request and metadata decoded from fixture `name`.
fn decode(name: &str) -> (Request, faasade_core::RequestMeta) {
    let req =
        lambda_http::request::from_str(&fixture(name)).expect("lambda_http decodes the fixture");
    faasade_aws::request::from_lambda(req)
}

#[test]
fn apigw_v1_rest_request_without_the_stage() {
    let (req, meta) = decode("example-apigw-request.json");
    assert_eq!(req.method(), "POST");
    assert_eq!(
        req.uri().path(),
        "/hello/world",
        "stage `testStage` removed"
    );
    assert_eq!(req.uri().query(), Some("name=me"));
    assert_eq!(req.headers()["accept"], "*/*");
    assert_eq!(req.body().as_bytes(), b"{\r\n\t\"a\": 1\r\n}");
    assert_eq!(meta.client_ip.unwrap().to_string(), "192.168.196.186");
    assert!(
        meta.extra
            .iter()
            .any(|(k, v)| k == "aws.stage" && v == "testStage")
    );
}

#[test]
fn apigw_v1_multi_value_query() {
    let (req, _) = decode("example-apigw-request-multi-value-parameters.json");
    let query = req.uri().query().unwrap();
    assert!(
        query.contains("name=me") && query.contains("name=me2"),
        "{query}"
    );
}

#[test]
fn apigw_v2_http_api_request() {
    let (req, meta) = decode("example-apigw-v2-request-multi-value-parameters.json");
    assert_eq!(req.uri().path(), "/my/path");
    assert_eq!(
        req.uri().query(),
        Some("Parameter1=value1&Parameter1=value2")
    );
    assert_eq!(
        req.headers()["cookie"],
        "cookie1; cookie2",
        "v2 `cookies` become one Cookie header"
    );
    assert_eq!(req.body().as_bytes(), b"{\r\n\t\"a\": 1\r\n}");
    assert_eq!(
        meta.client_ip, None,
        "this sample's sourceIp is the placeholder \"IP\""
    );
    let (root, meta) = decode("example-apigw-v2-request-no-authorizer.json");
    assert_eq!(
        root.uri().path(),
        "/",
        "the $default stage never appears in paths"
    );
    assert_eq!(meta.client_ip.unwrap().to_string(), "1.2.3.4");
}

#[test]
fn alb_multi_value_request() {
    let (req, _) = decode("example-alb-lambda-target-request-multivalue-headers.json");
    assert_eq!(req.method(), "GET");
    assert_eq!(req.uri().path(), "/");
    assert_eq!(req.uri().query(), Some("key=hello"));
    assert_eq!(req.body().as_bytes(), b"Some text");
    assert_eq!(
        req.headers()["host"],
        "lambda-test-alb-1234567.us-east-1.elb.amazonaws.com"
    );
}

/// Behind an ALB the client's address is the entry the load balancer appended to
/// `X-Forwarded-For`, the last one: entries before it are whatever the client sent.
#[test]
fn alb_client_ip_is_the_entry_the_balancer_appended() {
    let mut event: Value = serde_json::from_str(&fixture(
        "example-alb-lambda-target-request-multivalue-headers.json",
    ))
    .unwrap();
    assert_eq!(
        event["multiValueHeaders"]["x-forwarded-for"],
        serde_json::json!(["72.21.198.67"])
    );
    for spoofed in [
        serde_json::json!(["198.51.100.9, 72.21.198.67"]),
        serde_json::json!(["198.51.100.9", "72.21.198.67"]),
    ] {
        event["multiValueHeaders"]["x-forwarded-for"] = spoofed.clone();
        let req = lambda_http::request::from_str(&event.to_string()).unwrap();
        let (_, meta) = faasade_aws::request::from_lambda(req);
        assert_eq!(
            meta.client_ip.map(|ip| ip.to_string()).as_deref(),
            Some("72.21.198.67"),
            "{spoofed}"
        );
    }
}

struct Env;
impl Platform for Env {
    fn target(&self) -> &'static str {
        "aws"
    }
    fn var(&self, _: &str) -> Option<String> {
        None
    }
    fn secret(&self, _: &str) -> Option<String> {
        None
    }
}

async fn app(req: Request, _cx: Context) -> Result<Response> {
    match req.uri().path() {
        "/binary" | "/" | "/my/path" | "/hello/world" => {
            let mut res = Response::bytes(vec![0u8, 1, 2, 255]);
            for cookie in ["a=1; Path=/", "b=2; Path=/"] {
                res.headers_mut()
                    .append(SET_COOKIE, http::HeaderValue::from_static(cookie));
            }
            Ok(res)
        }
        _ => panic!("secret-internal-detail"),
    }
}

/// Answer fixture `name` through the adapter's service stack (lambda_http's Adapter inside
/// Faasade's `DecodeGuard`, as `faasade_aws::run` serves) and its HTTP entry; the JSON that
/// would go back to Lambda.
fn answer(name: &str, path_override: Option<&str>) -> Value {
    let mut event: Value = serde_json::from_str(&fixture(name)).unwrap();
    if let Some(path) = path_override {
        for key in ["path", "rawPath"] {
            if event.get(key).is_some() {
                event[key] = Value::String(path.to_owned());
            }
        }
    }
    answer_event(event)
}

/// Answer `event` as [`answer`] does.
fn answer_event(event: Value) -> Value {
    let request: LambdaRequest = serde_json::from_value(event).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(faasade_aws::answer_http_event(from_fn(app), request))
}

fn decoded_body(reply: &Value) -> Vec<u8> {
    assert_eq!(
        reply["isBase64Encoded"], true,
        "binary bodies go base64-encoded: {reply}"
    );
    base64::engine::general_purpose::STANDARD
        .decode(reply["body"].as_str().unwrap())
        .unwrap()
}

#[test]
fn apigw_v2_reply_has_cookies_and_a_base64_body() {
    let reply = answer("example-apigw-v2-request-multi-value-parameters.json", None);
    assert_eq!(reply["statusCode"], 200);
    assert_eq!(
        reply["cookies"],
        serde_json::json!(["a=1; Path=/", "b=2; Path=/"])
    );
    assert_eq!(decoded_body(&reply), [0, 1, 2, 255]);
}

#[test]
fn apigw_v1_reply_keeps_both_set_cookie_headers() {
    let reply = answer("example-apigw-request.json", None);
    assert_eq!(reply["statusCode"], 200);
    assert_eq!(
        reply["multiValueHeaders"]["set-cookie"],
        serde_json::json!(["a=1; Path=/", "b=2; Path=/"])
    );
    assert_eq!(decoded_body(&reply), [0, 1, 2, 255]);
}

#[test]
fn alb_reply_has_a_status_description_and_both_cookies() {
    let reply = answer(
        "example-alb-lambda-target-request-multivalue-headers.json",
        None,
    );
    assert_eq!(reply["statusCode"], 200);
    assert_eq!(reply["statusDescription"], "200 OK");
    let cookies = &reply["multiValueHeaders"]["set-cookie"];
    assert_eq!(
        cookies,
        &serde_json::json!(["a=1; Path=/", "b=2; Path=/"]),
        "{reply}"
    );
}

#[test]
fn a_panic_is_a_generic_500_without_internals() {
    let reply = answer(
        "example-apigw-v2-request-multi-value-parameters.json",
        Some("/panic"),
    );
    assert_eq!(reply["statusCode"], 500);
    assert!(
        !reply.to_string().contains("secret-internal-detail"),
        "{reply}"
    );
}

#[test]
fn event_errors_are_readable_diagnostics() {
    #[derive(serde::Deserialize)]
    struct Order {
        qty: u32,
    }
    async fn order(o: Order, _cx: Context) -> Result<Value> {
        if o.qty == 0 {
            return Err(faasade_core::Error::internal("secret-internal-detail"));
        }
        Ok(serde_json::json!({ "qty": o.qty }))
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let call = |payload: Value| {
        let handler = Rc::new(handler::from_event(order));
        let event = LambdaEvent::new(payload, lambda_http::Context::default());
        rt.block_on(faasade_aws::on_event(handler, Arc::new(Env), event))
    };
    assert_eq!(
        call(serde_json::json!({"qty": 2})).unwrap(),
        serde_json::json!({"qty": 2})
    );
    let shape = call(serde_json::json!({"q": 2})).unwrap_err();
    assert_eq!(shape.error_type, "InvalidEvent");
    assert!(
        shape.error_message.contains("missing field `qty`"),
        "{}",
        shape.error_message
    );
    let failed = call(serde_json::json!({"qty": 0})).unwrap_err();
    assert_eq!(failed.error_type, "HandlerError");
    assert!(!failed.error_message.contains("secret-internal-detail"));
}

/// Found by the `aws_event` fuzz target: a `Host` that is not a valid host made lambda_http
/// panic while decoding (it unwraps the URL it builds). The event is a `400`; the next one is
/// served.
#[test]
fn an_event_lambda_http_cannot_decode_is_a_400() {
    for (name, host) in [
        (
            "example-apigw-v2-request-no-authorizer.json",
            "abc.lambda-url.us%%-east-1.on.aws",
        ),
        (
            "example-alb-lambda-target-request-multivalue-headers.json",
            "exa%%mple.com",
        ),
        ("example-apigw-request.json", "a%zz.example.com"),
    ] {
        let mut event: Value = serde_json::from_str(&fixture(name)).unwrap();
        if !event["headers"].is_object() {
            event["headers"] = serde_json::json!({});
        }
        for headers in ["headers", "multiValueHeaders"] {
            if let Some(map) = event.get_mut(headers).and_then(Value::as_object_mut) {
                map.retain(|k, _| !k.eq_ignore_ascii_case("host"));
                let value = if headers == "headers" {
                    Value::from(host)
                } else {
                    Value::from(vec![host])
                };
                map.insert("host".into(), value);
            }
        }
        let reply = answer_event(event);
        assert_eq!(reply["statusCode"], 400, "{name}: {reply}");
        assert_eq!(reply["body"], "Bad Request", "{name}: {reply}");
    }
    let reply = answer(
        "example-apigw-v2-request-no-authorizer.json",
        Some("/binary"),
    );
    assert_eq!(reply["statusCode"], 200, "{reply}");
}

/// Found by the `aws_event` fuzz target: a body marked base64 that is not made
/// aws_lambda_events panic while lambda_http decoded the event. It is a `400`.
#[test]
fn a_body_marked_base64_that_is_not_is_a_400() {
    let mut event: Value =
        serde_json::from_str(&fixture("example-apigw-v2-request-no-authorizer.json")).unwrap();
    event["isBase64Encoded"] = Value::Bool(true);
    event["body"] = Value::from("no~base64");
    let reply = answer_event(event);
    assert_eq!(reply["statusCode"], 400, "{reply}");
}

/// Found by the `aws_event` fuzz target: a multi-value query parameter with no value made
/// query_map index an empty list while lambda_http built the URL. It is a `400`.
#[test]
fn an_empty_multi_value_query_parameter_is_a_400() {
    let mut event: Value = serde_json::from_str(&fixture(
        "example-alb-lambda-target-request-multivalue-headers.json",
    ))
    .unwrap();
    event["multiValueQueryStringParameters"] = serde_json::json!({ "a": [] });
    let reply = answer_event(event);
    assert_eq!(reply["statusCode"], 400, "{reply}");
}
