//! OpenWhisk's host side, for `cargo faasade dev openwhisk` and the tests: runs a built action
//! the way OpenWhisk does, with nothing of Faasade's in between:
//!
//! - [`ActionLoop`]: the Go action proxy of the actionloop runtimes (openwhisk-runtime-go's
//!   `executor.go`): the executable `exec` started once, with an environment made only of
//!   `__OW_*` variables and `/init`'s `env`; activations written to its stdin, one line each
//!   with newlines removed; one result line read from its file descriptor 3; with
//!   `OW_WAIT_FOR_ACK` set, `{"ok": true}` awaited on fd 3 first. A result that is not a JSON
//!   object or array is refused as the proxy refuses it.
//! - [`run_native`]: the Python proxy of `openwhisk/dockerskeleton` (`--native`): the
//!   executable started per activation with the parameters as JSON in `argv[1]` and on stdin
//!   (stdin alone past 131071 bytes), the activation's fields as `__OW_*` variables, the result
//!   the last line of stdout.
//! - [`WebFront`]: an HTTP server standing in for OpenWhisk's controller in front of an
//!   [`ActionLoop`]: each request becomes a raw web action's parameters (`__ow_method`,
//!   `__ow_headers`, `__ow_path`, `__ow_query`, `__ow_body`, base64 for binary media types and
//!   `application/json`), and the result becomes the response, read as the controller reads
//!   `{statusCode, headers, body}` (WebActions.scala in apache/openwhisk). Which bodies are
//!   base64 follows `faasade_openwhisk::media`, the rules the action itself applies.
//! - [`exec_from_zip`]: the `exec` of an action zip, unpacked as the proxy unpacks it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use command_fds::{CommandFdExt, FdMapping};
use faasade_openwhisk::media::Media;
use http_body_util::Full;
use serde_json::{Value, json};

/// How long an activation may take before the driver gives up.
const ACTIVATION_TIMEOUT: Duration = Duration::from_secs(60);

/// An action started by the actionloop proxy.
pub struct ActionLoop {
    child: Child,
    stdin: Option<ChildStdin>,
    results: Receiver<Vec<u8>>,
    logs: Arc<Mutex<String>>,
    activations: u64,
}

impl ActionLoop {
    /// Start `exec` with `env` (what `/init` passes), waiting for the acknowledgement when
    /// `wait_for_ack`.
    pub fn start(
        exec: &Path,
        env: &[(String, String)],
        wait_for_ack: bool,
    ) -> Result<Self, String> {
        Self::spawn(exec, env, wait_for_ack, false)
    }

    fn spawn(
        exec: &Path,
        env: &[(String, String)],
        wait_for_ack: bool,
        echo: bool,
    ) -> Result<Self, String> {
        let (results_reader, results_writer) =
            std::io::pipe().map_err(|e| format!("cannot make the fd 3 pipe: {e}"))?;
        let mut command = Command::new(exec);
        command
            .env_clear()
            .env("__OW_PROXY_VERSION", "faasade-driver")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if wait_for_ack {
            command.env("__OW_WAIT_FOR_ACK", "1");
        }
        command.envs(env.iter().map(|(k, v)| (k, v)));
        command
            .fd_mappings(vec![FdMapping {
                parent_fd: results_writer.into(),
                child_fd: 3,
            }])
            .map_err(|e| e.to_string())?;
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", exec.display()))?;
        // The command holds the parent's copy of the pipe's write end: close it, so that the
        // action's exit reads as the end of its results.
        drop(command);
        let logs = Arc::new(Mutex::new(String::new()));
        collect(child.stdout.take().expect("piped"), logs.clone(), echo);
        collect(child.stderr.take().expect("piped"), logs.clone(), echo);
        let (send, results) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(results_reader);
            loop {
                let mut line = Vec::new();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {
                        if send.send(line).is_err() {
                            return;
                        }
                    }
                }
            }
        });
        let mut action = Self {
            stdin: child.stdin.take(),
            child,
            results,
            logs,
            activations: 0,
        };
        if wait_for_ack {
            let ack = action.next_line(Duration::from_secs(10))?;
            let ack: Value = serde_json::from_slice(&ack)
                .map_err(|e| format!("the acknowledgement is not JSON ({e}): {ack:?}"))?;
            if ack["ok"] != true {
                return Err(format!("the action did not initialize properly: {ack}"));
            }
        } else {
            // The proxy's own check: the command must still be running shortly after start.
            std::thread::sleep(Duration::from_millis(5));
            if action.exited() {
                return Err(format!("command exited:\n{}", action.logs()));
            }
        }
        Ok(action)
    }

    /// One activation of `value` with the metadata the invoker sends.
    pub fn run(&mut self, value: Value) -> Result<Value, String> {
        self.activations += 1;
        let line = activation(value, &format!("{:032x}", self.activations));
        self.run_line(line.to_string().as_bytes())
    }

    /// Send one line as it is (newlines removed, as the proxy removes them) and read the
    /// result; a result that is not a JSON object or array is an error, as for the proxy.
    pub fn run_line(&mut self, line: &[u8]) -> Result<Value, String> {
        let stdin = self.stdin.as_mut().ok_or("the action's stdin is closed")?;
        let line: Vec<u8> = line.iter().copied().filter(|&b| b != b'\n').collect();
        stdin
            .write_all(&line)
            .and_then(|()| stdin.write_all(b"\n"))
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("command exited: cannot write the activation: {e}"))?;
        let out = self.next_line(ACTIVATION_TIMEOUT)?;
        match serde_json::from_slice::<Value>(&out) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => Ok(v),
            _ => Err(format!(
                "The action did not return a dictionary or array: {}",
                String::from_utf8_lossy(&out)
            )),
        }
    }

    fn next_line(&mut self, timeout: Duration) -> Result<Vec<u8>, String> {
        match self.results.recv_timeout(timeout) {
            Ok(line) => Ok(line),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
                "no answer from the action within {timeout:?}:\n{}",
                self.logs()
            )),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(format!("no answer from the action:\n{}", self.logs()))
            }
        }
    }

    /// What the action printed on stdout and stderr (its activation logs).
    pub fn logs(&self) -> String {
        self.logs.lock().unwrap().clone()
    }

    /// The logs once they hold `text`, or an error with the logs so far after `timeout`.
    /// An activation's log lines and its result travel on different pipes, read by different
    /// threads: a line written before the result may still be on its way when the result is in.
    pub fn logs_containing(&self, text: &str, timeout: Duration) -> Result<String, String> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let logs = self.logs();
            if logs.contains(text) {
                return Ok(logs);
            }
            if std::time::Instant::now() >= deadline {
                return Err(format!(
                    "no {text:?} in the logs within {timeout:?}:\n{logs}"
                ));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the process has ended.
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Close stdin, as the proxy does when the container goes, and wait for the exit.
    pub fn stop(mut self) -> Result<ExitStatus, String> {
        drop(self.stdin.take());
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(15) {
            if let Some(status) = self.child.try_wait().map_err(|e| e.to_string())? {
                return Ok(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        Err("the action did not exit when its stdin closed".into())
    }
}

impl Drop for ActionLoop {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The line the invoker sends for `value`: the fields every runtime receives.
pub fn activation(value: Value, id: &str) -> Value {
    let deadline = SystemTime::now() + Duration::from_secs(60);
    let deadline = deadline.duration_since(UNIX_EPOCH).unwrap().as_millis();
    json!({
        "value": value,
        "namespace": "guest",
        "action_name": "/guest/faasade",
        "action_version": "0.0.1",
        "activation_id": id,
        "transaction_id": "faasade-driver",
        "api_key": "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP",
        "deadline": deadline.to_string(),
    })
}

/// One native (dockerskeleton) activation: the result from the last line of stdout, and
/// everything the action printed.
pub fn run_native(
    exec: &Path,
    value: &Value,
    env: &[(String, String)],
) -> Result<(Value, String), String> {
    let input = value.to_string();
    let mut command = Command::new(exec);
    if input.len() <= 131_071 {
        command.arg(&input);
    }
    let meta = activation(Value::Null, "feedfacefeedfacefeedfacefeedface");
    for (name, value) in meta.as_object().unwrap() {
        if let Some(value) = value.as_str() {
            command.env(format!("__OW_{}", name.to_ascii_uppercase()), value);
        }
    }
    command
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exec.display()))?;
    let mut stdin = child.stdin.take().expect("piped");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let logs = format!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let last = stdout.trim_end().rsplit('\n').next().unwrap_or("").trim();
    match serde_json::from_str::<Value>(last) {
        Ok(v @ (Value::Object(_) | Value::Array(_))) => Ok((v, logs)),
        _ => Err(format!(
            "The action did not return a dictionary or array:\n{logs}"
        )),
    }
}

/// The largest request the controller accepts (`whisk.activation.payload.max`, 1 MiB).
const MAX_REQUEST: usize = 1024 * 1024;
/// Time a client has to send a request's head, or may stay idle between requests.
const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Time a client has to send a request's body; past it the front answers `408`.
const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Most connections open at once; at the limit the oldest unanswered one gives way.
const MAX_CONNECTIONS: usize = 256;

/// An HTTP front for one web action, as OpenWhisk's controller serves `--web raw` actions.
pub struct WebFront {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    action: Arc<Mutex<ActionLoop>>,
    defaults: Arc<serde_json::Map<String, Value>>,
    runtime: tokio::runtime::Runtime,
}

impl WebFront {
    /// Serve `action` on a free port on 127.0.0.1, with the action's default parameters
    /// `defaults` merged into every activation (the request's fields win, as in OpenWhisk).
    pub fn start(
        action: ActionLoop,
        defaults: serde_json::Map<String, Value>,
    ) -> Result<Self, String> {
        Self::start_on(action, defaults, "127.0.0.1:0")
    }

    /// An app's action `exec` as OpenWhisk runs it once deployed from the generated
    /// manifest, served on `addr`: the app's secrets in `/init`'s env, its vars as the action's
    /// default parameters. `echo` also prints the action's output on stderr as it comes.
    pub fn serve_app(
        exec: &Path,
        secrets: &BTreeMap<String, String>,
        vars: &BTreeMap<String, String>,
        addr: &str,
        echo: bool,
    ) -> Result<Self, String> {
        let secrets: Vec<(String, String)> = secrets.clone().into_iter().collect();
        let action = ActionLoop::spawn(exec, &secrets, true, echo)?;
        let defaults = vars
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        Self::start_on(action, defaults, addr)
    }

    /// [`WebFront::start`] on `addr`.
    pub fn start_on(
        action: ActionLoop,
        defaults: serde_json::Map<String, Value>,
        addr: &str,
    ) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(addr))
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(|e| e.to_string())?
        );
        let action = Arc::new(Mutex::new(action));
        let defaults = Arc::new(defaults);
        let (shared, shared_defaults) = (action.clone(), defaults.clone());
        runtime.spawn(async move {
            let connections = faasade_local::connections::Connections::new(MAX_CONNECTIONS);
            let http = Arc::new(faasade_local::connections::http1(HEADER_TIMEOUT));
            loop {
                let Ok((stream, peer)) = listener.accept().await else {
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                };
                let admitted = connections.admit().await;
                let requests = admitted.requests();
                let (action, defaults, http) =
                    (shared.clone(), shared_defaults.clone(), http.clone());
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        requests.during(front(action.clone(), defaults.clone(), peer.ip(), req))
                    });
                    let io = hyper_util::rt::TokioIo::new(stream);
                    tokio::select! {
                        _ = http.serve_connection(io, service) => {}
                        () = admitted.closed() => {}
                    }
                    drop(admitted);
                });
            }
        });
        Ok(Self {
            url,
            action,
            defaults,
            runtime,
        })
    }

    /// Serve until Ctrl-C.
    pub fn wait(&self) {
        let _ = self.runtime.block_on(tokio::signal::ctrl_c());
    }

    /// The action's logs so far.
    pub fn logs(&self) -> String {
        self.action.lock().map(|a| a.logs()).unwrap_or_default()
    }

    /// Stop serving and close the action's stdin; its exit status.
    pub fn stop(self) -> Result<ExitStatus, String> {
        // Ending the runtime drops every connection task and its handle on the action.
        drop(self.runtime);
        drop(self.defaults);
        let action = Arc::try_unwrap(self.action)
            .map_err(|_| "the front still holds the action")?
            .into_inner()
            .map_err(|_| "an activation panicked")?;
        action.stop()
    }
}

type FrontResponse = hyper::Response<Full<Bytes>>;

async fn front(
    action: Arc<Mutex<ActionLoop>>,
    defaults: Arc<serde_json::Map<String, Value>>,
    peer: std::net::IpAddr,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<FrontResponse, std::convert::Infallible> {
    Ok(answer(action, defaults, peer, req).await.map(Full::new))
}

/// What the controller answers `req` with, running the action for it.
async fn answer(
    action: Arc<Mutex<ActionLoop>>,
    defaults: Arc<serde_json::Map<String, Value>>,
    peer: std::net::IpAddr,
    req: hyper::Request<hyper::body::Incoming>,
) -> http::Response<Bytes> {
    use http_body_util::BodyExt as _;
    let (parts, body) = req.into_parts();
    if !WEB_METHODS.contains(&parts.method) {
        let methods: Vec<&str> = WEB_METHODS.iter().map(http::Method::as_str).collect();
        let message = format!(
            "HTTP method not allowed, supported methods: {}",
            methods.join(", ")
        );
        return plain(405, &message);
    }
    let collected = tokio::time::timeout(
        BODY_TIMEOUT,
        http_body_util::Limited::new(body, MAX_REQUEST).collect(),
    )
    .await;
    let body = match collected {
        Ok(Ok(body)) => body.to_bytes(),
        Ok(Err(_)) => return plain(413, "The request content was malformed or too large."),
        Err(_) => return plain(408, "The request body did not arrive in time."),
    };
    let mut params = (*defaults).clone();
    if let Value::Object(request) = web_params(&parts, &body, peer) {
        params.extend(request);
    }
    let params = Value::Object(params);
    let result = tokio::task::spawn_blocking(move || {
        let mut action = action.lock().unwrap();
        action.run(params)
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    match result {
        Ok(result) => web_response(&result),
        // What the controller answers when the action fails to produce a result.
        Err(e) => {
            eprintln!("openwhisk front: {e}");
            plain(
                502,
                "The action did not produce a valid response and exited unexpectedly.",
            )
        }
    }
}

/// The methods the controller serves web actions for. It passes the method on in lower case,
/// so an extension method could not reach the action as sent; the front answers it `405`.
pub const WEB_METHODS: [http::Method; 7] = [
    http::Method::GET,
    http::Method::POST,
    http::Method::PUT,
    http::Method::DELETE,
    http::Method::PATCH,
    http::Method::HEAD,
    http::Method::OPTIONS,
];

/// A raw web action's parameters for a request (the controller's `toActionArgument`).
pub fn web_params(parts: &http::request::Parts, body: &[u8], peer: std::net::IpAddr) -> Value {
    let mut headers = serde_json::Map::new();
    for (name, value) in &parts.headers {
        if name == http::header::CONTENT_LENGTH {
            continue;
        }
        headers.insert(
            name.as_str().to_owned(),
            String::from_utf8_lossy(value.as_bytes())
                .into_owned()
                .into(),
        );
    }
    // A body without a type is application/octet-stream to the controller's HTTP library.
    let content_type = match parts.headers.get(http::header::CONTENT_TYPE) {
        Some(v) => String::from_utf8_lossy(v.as_bytes()).into_owned(),
        None if !body.is_empty() => {
            let ct = "application/octet-stream".to_owned();
            headers.insert("content-type".into(), ct.clone().into());
            ct
        }
        None => String::new(),
    };
    // The edge proxy in front of the controller.
    headers.insert("x-forwarded-for".into(), peer.to_string().into());
    let body = if body.is_empty() {
        String::new()
    } else if Media::parse(&content_type).request_is_base64() {
        BASE64.encode(body)
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    json!({
        "__ow_method": parts.method.as_str().to_ascii_lowercase(),
        "__ow_headers": headers,
        "__ow_path": parts.uri.path(),
        "__ow_query": parts.uri.query().unwrap_or(""),
        "__ow_body": body,
    })
}

/// A web action's result read as the controller reads it (`resultAsHttp`).
pub fn web_response(result: &Value) -> http::Response<Bytes> {
    // An application error: the controller answers with what is under `error`.
    let result = result.get("error").unwrap_or(result);
    let Some(fields) = result.as_object() else {
        return plain(
            400,
            "Response type in header did not match generated content type.",
        );
    };
    let status = match fields.get("statusCode") {
        None => None,
        Some(Value::Number(n)) => n.as_u64().map(|n| n as u16),
        Some(Value::String(s)) => s.parse().ok(),
        Some(_) => return plain(400, "illegal status code"),
    };
    let mut builder = http::Response::builder();
    let mut content_type = None;
    if let Some(headers) = fields.get("headers") {
        let Some(headers) = headers.as_object() else {
            return plain(400, "invalid header");
        };
        for (name, value) in headers {
            let values = match value {
                Value::Array(items) => items.clone(),
                one => vec![one.clone()],
            };
            for value in values {
                let value = match value {
                    Value::String(s) => s,
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return plain(400, "invalid header"),
                };
                if name.eq_ignore_ascii_case("content-type") {
                    content_type = Some(value);
                } else {
                    builder = builder.header(name.as_str(), value);
                }
            }
        }
    }
    let (status, bytes, content_type) = match fields.get("body") {
        None | Some(Value::Null) => (status.unwrap_or(204), Vec::new(), None),
        Some(Value::String(s)) if s.is_empty() => (status.unwrap_or(204), Vec::new(), None),
        Some(Value::String(s)) => {
            let ct = content_type.unwrap_or_else(|| "text/html".into());
            // What the action sends as base64 the controller decodes; a JSON type only when the
            // string looks like base64.
            let media = Media::parse(&ct);
            let decode = !media.response_is_text()
                && (!media.is_json() || s.len() % 4 == 0 && s.bytes().all(is_base64_byte));
            let bytes = if decode {
                match BASE64.decode(s.trim()) {
                    Ok(bytes) => bytes,
                    Err(_) => return plain(400, "Content type is not supported"),
                }
            } else {
                s.clone().into_bytes()
            };
            (status.unwrap_or(200), bytes, Some(ct))
        }
        Some(json) => (
            status.unwrap_or(200),
            json.to_string().into_bytes(),
            Some(content_type.unwrap_or_else(|| "application/json".into())),
        ),
    };
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    builder
        .status(status)
        .body(Bytes::from(bytes))
        .unwrap_or_else(|_| plain(502, "invalid response"))
}

/// The controller's own answer: `{"error": message}`.
fn plain(status: u16, message: &str) -> http::Response<Bytes> {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(json!({ "error": message }).to_string().into())
        .expect("a static response")
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// The `exec` of an action zip, unpacked into `dir` (executable), as the proxy unpacks it.
pub fn exec_from_zip(zip: &Path, dir: &Path) -> Result<PathBuf, String> {
    let unpack = || -> Result<PathBuf, Box<dyn std::error::Error>> {
        let mut archive = zip::ZipArchive::new(std::fs::File::open(zip)?)?;
        let mut entry = archive.by_name("exec")?;
        let path = dir.join("exec");
        let mut out = std::fs::File::create(&path)?;
        std::io::copy(&mut entry, &mut out)?;
        drop(out);
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        Ok(path)
    };
    unpack().map_err(|e| format!("{}: no exec to unpack: {e}", zip.display()))
}

/// Append each line `stream` yields to `into` (and print it when `echo`), on a thread of its
/// own.
fn collect(stream: impl Read + Send + 'static, into: Arc<Mutex<String>>, echo: bool) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if echo {
                eprintln!("{line}");
            }
            let mut out = into.lock().unwrap_or_else(|e| e.into_inner());
            out.push_str(&line);
            out.push('\n');
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use faasade_openwhisk::web;

    /// A request through the front's parameters and the adapter's decoding, then the adapter's
    /// result through the front's reading: the body comes back as it was sent.
    fn round_trip(content_type: &str, body: &[u8]) -> Vec<u8> {
        let req = http::Request::post("/echo")
            .header("content-type", content_type)
            .body(())
            .unwrap();
        let (parts, ()) = req.into_parts();
        let params = web_params(&parts, body, [127, 0, 0, 1].into());
        let (req, _) = web::request(params.as_object().unwrap()).expect("the adapter reads it");
        assert_eq!(req.body().as_bytes(), body, "{content_type}: request body");
        let res = http::Response::builder()
            .header("content-type", content_type)
            .body(faasade_core::Body::from(body.to_vec()))
            .unwrap();
        let answer = web_response(&web::result(res));
        assert_eq!(answer.status(), 200, "{content_type}");
        answer.into_body().to_vec()
    }

    /// Found by the `openwhisk_web` fuzz target: a content type that is not UTF-8 went into the
    /// result as U+FFFD, so the front read another type than the action had and failed to
    /// decode the body.
    #[test]
    fn a_content_type_that_is_not_utf8_round_trips() {
        for content_type in [
            &b"te\xffxt/plain"[..],
            b"text/plain; charset=\xff",
            b"\xf5\xdc",
        ] {
            let value = http::HeaderValue::from_bytes(content_type).unwrap();
            let req = http::Request::post("/echo")
                .header("content-type", value.clone())
                .body(())
                .unwrap();
            let (parts, ()) = req.into_parts();
            let params = web_params(&parts, b"hi \xff", [127, 0, 0, 1].into());
            let (req, _) = web::request(params.as_object().unwrap()).expect("the adapter reads it");
            assert!(
                [&b"hi \xff"[..], "hi \u{fffd}".as_bytes()].contains(&req.body().as_bytes()),
                "{value:?}: {:?}",
                req.body().as_bytes()
            );
            let res = http::Response::builder()
                .status(511)
                .header("content-type", value.clone())
                .body(faasade_core::Body::from(&b"\x00\xff body"[..]))
                .unwrap();
            let answer = web_response(&web::result(res));
            assert_eq!(answer.status(), 511, "{value:?}: {answer:?}");
            // A text type's body goes as a string: its invalid bytes become U+FFFD.
            let text = Media::parse(&String::from_utf8_lossy(content_type)).response_is_text();
            let expected: &[u8] = if text {
                "\0\u{fffd} body".as_bytes()
            } else {
                b"\x00\xff body"
            };
            assert_eq!(answer.body().as_ref(), expected, "{value:?}");
        }
    }

    #[test]
    fn only_the_controllers_methods_reach_the_action() {
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"] {
            assert!(WEB_METHODS.contains(&method.parse().unwrap()), "{method}");
        }
        for method in ["get", "TRACE", "CONNECT", "PROPFIND", "K"] {
            assert!(!WEB_METHODS.contains(&method.parse().unwrap()), "{method}");
        }
    }

    #[test]
    fn front_and_action_agree_on_every_media_type() {
        // The front once kept 12 text subtypes and the action 20: a text/vcard reply was sent
        // as text and decoded as base64.
        for content_type in [
            "text/plain",
            "text/vcard",
            "text/x-c",
            "text/x-unregistered",
            "text/x-unregistered; charset=utf-8",
            "application/json",
            "application/octet-stream",
            "application/octet-stream; charset=utf-8",
            "application/rss+xml",
            "image/png",
            "font/woff2",
        ] {
            let body = b"BEGIN:VCARD\nFN:Ada\nEND:VCARD\n";
            assert_eq!(round_trip(content_type, body), body, "{content_type}");
        }
        assert_eq!(round_trip("image/png", &[0x89, 0, 0xff]), [0x89, 0, 0xff]);
        // Found by the fuzz target: an empty Content-Type reached the front as a type.
        assert_eq!(round_trip("", b"\0 text"), b"\0 text");
    }
}
