//! Checks beyond the shared cases, on the same running conformance app: what the target
//! reports about the request (`/meta`), the app's secret where the target has secrets, a
//! header value longer than the buffers adapters read headers into, a panic's bare `500`, a
//! chunked upload past the body limit (`413`, the next request served), a UTF-8 response
//! header, fetch limits (a redirect comes back unfollowed, an upstream body past 16 MiB is a
//! `502`, an origin faasade.toml's `[upstreams]` does not list is a `502` with a log line), and `wait_until` work that finishes after the response (`/later/<key>` writes to KV in the
//! background), on targets that offer both KV and `wait_until`.

use std::time::{Duration, Instant};

use faasade::Capability;
use faasade::targets::{self, Support};

/// The value of the conformance app's secret (examples/conformance/faasade.toml `[secrets]`),
/// as the shims hand it over.
pub(crate) const SECRET_VALUE: &str = "from faasade.toml secrets";

/// Problems found; empty when all is well.
pub(crate) fn check(target: &str, base_url: &str) -> Vec<String> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client");
    let mut problems = Vec::new();
    let offers = |c| {
        targets::target(target)
            .and_then(|t| t.supports(c))
            .is_some_and(|s| matches!(s, Support::Yes))
    };
    match meta(&client, base_url) {
        Ok(meta) => {
            problems.extend(check_meta(target, &meta));
            if offers(Capability::Secrets) && meta["secret"] != SECRET_VALUE {
                problems.push(format!("secret CONFORMANCE_SECRET is {}", meta["secret"]));
            }
        }
        Err(e) => problems.push(format!("GET /meta: {e}")),
    }
    if let Err(e) = long_header(&client, base_url) {
        problems.push(format!("long header: {e}"));
    }
    if let Err(e) = panic_body(&client, base_url) {
        problems.push(format!("panic: {e}"));
    }
    if let Err(e) = oversize_chunked_body(&client, base_url) {
        problems.push(format!("oversize chunked body: {e}"));
    }
    if let Err(e) = utf8_response_header(&client, base_url) {
        problems.push(format!("UTF-8 response header: {e}"));
    }
    if offers(Capability::Fetch) {
        problems.extend(fetch_limits(&client, base_url));
    }
    if offers(Capability::Kv)
        && let Err(e) = kv_list(&client, base_url)
    {
        problems.push(format!("KV list: {e}"));
    }
    if offers(Capability::WaitUntil)
        && offers(Capability::Kv)
        && let Err(e) = wait_until(&client, base_url)
    {
        problems.push(format!("wait_until: {e}"));
    }
    problems
}

/// A UTF-8 response header value (`grüße ✓`) arrives byte for byte.
fn utf8_response_header(client: &reqwest::blocking::Client, base_url: &str) -> Result<(), String> {
    let res = client
        .get(format!("{base_url}/utf8-header"))
        .send()
        .map_err(|e| e.to_string())?;
    let got = res
        .headers()
        .get("x-greeting")
        .map(|v| v.as_bytes().to_vec());
    match got {
        Some(bytes) if bytes == "grüße ✓".as_bytes() => Ok(()),
        other => Err(format!(
            "{} with x-greeting {:?}",
            res.status(),
            other.map(|b| String::from_utf8_lossy(&b).into_owned())
        )),
    }
}

/// Through the app's `/fetch/upstream/...` route (the harness's upstream, `upstream.rs`): a
/// `302` comes back unfollowed, and a 20 MiB body, past the 16 MiB a fetch reads, is a `502`.
/// Through `/fetch/undeclared/...`, the same server named `localhost`, which `[upstreams]`
/// does not list, is a `502` and never reached.
fn fetch_limits(client: &reqwest::blocking::Client, base_url: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let get = |path: &str| {
        client
            .get(format!("{base_url}/fetch/{path}"))
            .send()
            .and_then(|res| {
                let status = res.status().as_u16();
                res.text().map(|body| (status, body))
            })
            .map_err(|e| e.to_string())
    };
    match get("upstream/redirect") {
        Ok((302, body)) if body == "moved" => {}
        other => problems.push(format!("a redirect was followed or lost: {other:?}")),
    }
    match get("upstream/big") {
        Ok((502, _)) => {}
        Ok((status, body)) => problems.push(format!(
            "a 20 MiB upstream body gave {status} ({} bytes), not 502",
            body.len()
        )),
        Err(e) => problems.push(format!("a 20 MiB upstream body: {e}")),
    }
    match get("undeclared/ping") {
        Ok((502, body)) if !body.contains("pong") => {}
        other => problems.push(format!(
            "a fetch of an origin not in [upstreams] was not refused with 502: {other:?}"
        )),
    }
    problems
}

/// What the log line of a fetch refused by `[upstreams]` says, on every target.
const UNDECLARED_LOG: &str = "is not among faasade.toml's [upstreams]";

/// Problems in the runtime's whole output once every case has run: it may never show the
/// secret's value, and where the extra checks ran a fetch of an undeclared origin, the refusal
/// has its log line.
pub(crate) fn check_logs(target: &str, extras_ran: bool, logs: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if logs.contains(SECRET_VALUE) {
        problems.push("the runtime's output shows the value of CONFORMANCE_SECRET".to_owned());
    }
    let fetches = targets::target(target)
        .and_then(|t| t.supports(Capability::Fetch))
        .is_some_and(|s| matches!(s, Support::Yes));
    if extras_ran && fetches && !logs.contains(UNDECLARED_LOG) {
        problems.push(format!(
            "no log line says a fetch was refused: the output never has {UNDECLARED_LOG:?}"
        ));
    }
    problems
}

/// A chunked upload without `Content-Length`, past every target's 6 MiB body limit (16 MiB in
/// 64 KiB chunks), is refused with `413` (or the connection closed while sending, once the
/// refusal is out), and the next request is served.
fn oversize_chunked_body(client: &reqwest::blocking::Client, base_url: &str) -> Result<(), String> {
    struct Chunks(usize);
    impl std::io::Read for Chunks {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(64 << 10).min(self.0);
            buf[..n].fill(b'x');
            self.0 -= n;
            Ok(n)
        }
    }
    let sent = client
        .post(format!("{base_url}/len"))
        .body(reqwest::blocking::Body::new(Chunks(16 << 20)))
        .send();
    match sent {
        Ok(res) if res.status() == 413 => {}
        Ok(res) => return Err(format!("answered {} {:?}", res.status(), res.text())),
        // The server may answer 413 and close before the client is done sending.
        Err(e) if e.is_request() || e.is_body() => {}
        Err(e) => return Err(e.to_string()),
    }
    let res = client
        .post(format!("{base_url}/len"))
        .body("four")
        .send()
        .map_err(|e| e.to_string())?;
    match res.status().as_u16() {
        200 => Ok(()),
        other => Err(format!("the next request got {other}")),
    }
}

/// A 6 KiB `x-test` value (the Fastly adapter first reads values into 4 KiB, then asks again
/// with the size the host names) comes back whole from `/echo`; `x-long`, sent twice, 6 KiB
/// then 10 KiB (the second outgrows the buffer sized for the first), does not get the
/// request refused.
fn long_header(client: &reqwest::blocking::Client, base_url: &str) -> Result<(), String> {
    let text = |len: usize| -> String {
        (0..len)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect()
    };
    let value = text(6 * 1024);
    let res = client
        .get(format!("{base_url}/echo"))
        .header("x-test", &value)
        .header("x-long", text(6 * 1024))
        .header("x-long", text(10 * 1024))
        .send()
        .map_err(|e| e.to_string())?;
    if res.status() != 200 {
        return Err(format!("status {}", res.status()));
    }
    let echo = json_of(res)?;
    match echo["x_test"].as_str() {
        Some(seen) if seen == value => Ok(()),
        Some(seen) => Err(format!(
            "{} bytes came back, not {}",
            seen.len(),
            value.len()
        )),
        None => Err(format!("no x-test in {echo}")),
    }
}

/// A panic's `500` says nothing of how it happened: no panic message, no Wasm trap, no stack
/// trace (a runtime's own error page for an uncaught exception would show them).
fn panic_body(client: &reqwest::blocking::Client, base_url: &str) -> Result<(), String> {
    let res = client
        .get(format!("{base_url}/panic"))
        .send()
        .map_err(|e| e.to_string())?;
    let status = res.status();
    let body = res.text().map_err(|e| e.to_string())?;
    let leaks = [
        "panicked",
        "unexpected state",
        "RuntimeError",
        "unreachable",
        ".rs:",
        " at ",
    ];
    match leaks.iter().find(|leak| body.contains(*leak)) {
        _ if status != 500 => Err(format!("status {status}")),
        Some(leak) => Err(format!("the body shows {leak:?}: {body:?}")),
        None => Ok(()),
    }
}

/// Three keys under a fresh prefix (and one outside it), listed two at a time: the first page
/// has two keys and a cursor, the page after it the third key and no cursor.
fn kv_list(client: &reqwest::blocking::Client, base_url: &str) -> Result<(), String> {
    let prefix = format!("list-{}-", std::process::id());
    for key in ["a", "b", "c"]
        .map(|k| format!("{prefix}{k}"))
        .iter()
        .chain([&format!("x{prefix}")])
    {
        let res = client
            .put(format!("{base_url}/kv/{key}"))
            .body("v")
            .send()
            .map_err(|e| e.to_string())?;
        if !res.status().is_success() {
            return Err(format!("PUT /kv/{key} answered {}", res.status()));
        }
    }
    let page = |cursor: serde_json::Value| -> Result<serde_json::Value, String> {
        let res = client
            .post(format!("{base_url}/kv-list"))
            .body(serde_json::json!({ "prefix": prefix, "limit": 2, "cursor": cursor }).to_string())
            .send()
            .map_err(|e| e.to_string())?;
        json_of(res)
    };
    let first = page(serde_json::Value::Null)?;
    let keys = |p: &serde_json::Value| p["keys"].clone();
    if keys(&first) != serde_json::json!([format!("{prefix}a"), format!("{prefix}b")])
        || !first["cursor"].is_string()
    {
        return Err(format!("first page {first}"));
    }
    let second = page(first["cursor"].clone())?;
    if keys(&second) != serde_json::json!([format!("{prefix}c")]) || !second["cursor"].is_null() {
        return Err(format!("second page {second}"));
    }
    Ok(())
}

fn meta(client: &reqwest::blocking::Client, base_url: &str) -> Result<serde_json::Value, String> {
    let res = client
        .get(format!("{base_url}/meta"))
        .send()
        .map_err(|e| e.to_string())?;
    if res.status() != 200 {
        return Err(format!("status {}", res.status()));
    }
    json_of(res)
}

/// The body of `res` as JSON (the text itself in the error when it is not).
fn json_of(res: reqwest::blocking::Response) -> Result<serde_json::Value, String> {
    let text = res.text().map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
}

fn check_meta(target: &str, meta: &serde_json::Value) -> Vec<String> {
    let mut problems = Vec::new();
    if meta["target"] != target {
        problems.push(format!("/meta says target {}", meta["target"]));
    }
    if meta["request_id"].as_str().is_none_or(str::is_empty) {
        problems.push(format!("no request id: {meta}"));
    }
    // The suite talks to every local runtime over loopback.
    if matches!(target, "local" | "cloudflare" | "fastly" | "openwhisk")
        && meta["client_ip"] != "127.0.0.1"
    {
        problems.push(format!("client ip {} is not 127.0.0.1", meta["client_ip"]));
    }
    // wrangler dev serves its documented fallback `cf` object locally (Austin, US).
    if target == "cloudflare" && meta["country"] != "US" {
        problems.push(format!("cf.country {} is not US", meta["country"]));
    }
    // Viceroy's built-in geolocation places loopback clients in the US, looked up only when
    // the app asks (`Platform::learn`).
    if target == "fastly" && meta["country"] != "US" {
        problems.push(format!("fastly.country {} is not US", meta["country"]));
    }
    problems
}

/// `POST /later/<key>` answers 202 at once and writes the body to KV afterwards: the value
/// must show up.
fn wait_until(client: &reqwest::blocking::Client, base_url: &str) -> Result<(), String> {
    let key = format!("later-{}", std::process::id());
    let res = client
        .post(format!("{base_url}/later/{key}"))
        .body("done")
        .send()
        .map_err(|e| e.to_string())?;
    if res.status() != 202 {
        return Err(format!("POST /later answered {}", res.status()));
    }
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        let res = client
            .get(format!("{base_url}/kv/{key}"))
            .send()
            .map_err(|e| e.to_string())?;
        if res.status() == 200 {
            let body = res.text().map_err(|e| e.to_string())?;
            return if body == "done" {
                Ok(())
            } else {
                Err(format!("KV holds {body:?}"))
            };
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err("the background write never landed".into())
}
