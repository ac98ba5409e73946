//! The app every target's conformance run drives: the routes of the shared conformance cases,
//! written once against the neutral API (no `#[cfg]`, no provider types).

use faasade::kv::ListOptions;
use faasade::{Body, Context, Error, Request, Response, ResponseExt, Result, StatusCode, http};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Hello {
    my_name: String,
}

#[faasade::main]
async fn handle(req: Request, cx: Context) -> Result<Response> {
    let path = req.uri().path().to_owned();
    let segments: Vec<&str> = path.trim_start_matches('/').splitn(2, '/').collect();
    let method = req.method().clone();
    match (method.as_str(), segments.as_slice()) {
        ("GET", [""]) => Ok(Response::text("faasade conformance")),
        (_, ["echo"] | ["echo", _]) => Ok(echo(&req)),
        ("POST", ["hello"]) => {
            let hello: Hello = req.json()?;
            Ok(Response::json(
                &json!({ "message": format!("Hello, {}", hello.my_name) }),
            ))
        }
        ("GET", ["status", code]) => {
            let status = code
                .parse::<u16>()
                .ok()
                .and_then(|c| StatusCode::from_u16(c).ok())
                .ok_or_else(|| Error::bad_request(format!("{code:?} is not an HTTP status")))?;
            Ok(Response::empty(status))
        }
        ("GET", ["cookies"]) => {
            let mut res = Response::text("two cookies");
            for cookie in ["a=1; Path=/", "b=2; Path=/"] {
                res.headers_mut().append(
                    http::header::SET_COOKIE,
                    http::HeaderValue::from_static(cookie),
                );
            }
            Ok(res)
        }
        ("POST", ["binary"]) => Ok(Response::bytes(req.into_body())),
        ("GET", ["utf8-header"]) => {
            let mut res = Response::text("ok");
            res.headers_mut().insert(
                "x-greeting",
                http::HeaderValue::from_bytes("grüße ✓".as_bytes()).expect("a header value"),
            );
            Ok(res)
        }
        ("POST", ["len"]) => Ok(Response::json(&json!({ "len": req.body().len() }))),
        ("GET", ["error"]) => Err(Error::internal("the database said: secret-internal-detail")),
        ("GET", ["panic"]) => panic!("unexpected state: secret-internal-detail"),
        ("GET", ["var", name]) => match cx.var(name) {
            Some(value) => Ok(Response::text(value)),
            None => Err(Error::not_found()),
        },
        (_, ["kv", key]) => kv(&cx, method.as_str(), key, req.into_body()).await,
        // Beyond the shared cases: what the target tells about the request, and work that
        // finishes after the response (checked per target by tests/target_extras.rs).
        ("GET", ["meta"]) => Ok(Response::json(&json!({
            "target": cx.target(),
            "request_id": cx.request_id(),
            "client_ip": cx.client_ip().map(|ip| ip.to_string()),
            "country": cx.meta("cf.country").or(cx.meta("fastly.country")),
            "secret": cx.secret("CONFORMANCE_SECRET"),
        }))),
        ("POST", ["kv-list"]) => {
            let ask: serde_json::Value = req.json()?;
            let mut options = ListOptions::prefix(ask["prefix"].as_str().unwrap_or_default());
            if let Some(limit) = ask["limit"].as_u64() {
                options = options.limit(limit as usize);
            }
            if let Some(cursor) = ask["cursor"].as_str() {
                options = options.after(cursor);
            }
            let page = cx.kv("default")?.list(&options).await?;
            Ok(Response::json(
                &json!({ "keys": page.keys, "cursor": page.cursor }),
            ))
        }
        ("POST", ["later", key]) => {
            let store = cx.kv("default")?;
            let (key, value) = ((*key).to_owned(), req.into_body().into_bytes());
            cx.wait_until(async move {
                if let Err(e) = store.put(&key, value).await {
                    faasade::tracing::error!("background KV write failed: {e}");
                }
            })?;
            Ok(Response::empty(StatusCode::ACCEPTED))
        }
        ("GET", ["fetch", rest]) => {
            if let Some(upstream_path) = rest.strip_prefix("upstream/") {
                fetch_upstream(&cx, upstream_path, false).await
            } else if let Some(upstream_path) = rest.strip_prefix("undeclared/") {
                fetch_upstream(&cx, upstream_path, true).await
            } else {
                Err(Error::not_found())
            }
        }
        _ => Err(Error::not_found()),
    }
}

fn echo(req: &Request) -> Response {
    Response::json(&json!({
        "method": req.method().as_str(),
        "path": req.uri().path(),
        "query": req.uri().query().unwrap_or(""),
        "x_test": req.headers().get("x-test").and_then(|v| v.to_str().ok()),
        "body": String::from_utf8_lossy(req.body().as_bytes()),
    }))
}

async fn kv(cx: &Context, method: &str, key: &str, body: Body) -> Result<Response> {
    let store = cx.kv("default")?;
    match method {
        "PUT" => {
            store.put(key, body.into_bytes()).await?;
            Ok(Response::empty(StatusCode::NO_CONTENT))
        }
        "GET" => match store.get(key).await? {
            Some(value) => Ok(Response::bytes(value)),
            None => Err(Error::not_found()),
        },
        "DELETE" => {
            store.delete(key).await?;
            Ok(Response::empty(StatusCode::NO_CONTENT))
        }
        _ => Err(Error::not_found()),
    }
}

/// Fetch `path` from the upstream; `undeclared` names the same server as `localhost`, an
/// origin faasade.toml's `[upstreams]` does not list, which every target must refuse.
async fn fetch_upstream(cx: &Context, path: &str, undeclared: bool) -> Result<Response> {
    let mut base = cx
        .var("UPSTREAM_URL")
        .ok_or_else(|| Error::internal("UPSTREAM_URL is not set"))?;
    if undeclared {
        base = base.replace("127.0.0.1", "localhost");
    }
    let upstream = cx
        .fetch_url(&format!("{}/{path}", base.trim_end_matches('/')))
        .await?;
    let mut res = Response::new(upstream.body().clone());
    *res.status_mut() = upstream.status();
    if let Some(ct) = upstream.headers().get(http::header::CONTENT_TYPE) {
        res.headers_mut()
            .insert(http::header::CONTENT_TYPE, ct.clone());
    }
    Ok(res)
}
