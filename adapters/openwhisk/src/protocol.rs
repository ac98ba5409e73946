//! The runtime protocol: an activation (a line of the actionloop, or the native mode's
//! parameters and `__OW_*` variables) in, one JSON result out.

use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use faasade_core::handler::{self, Handler};
use faasade_core::{Context, Error, RequestMeta};
use faasade_native_fetch::Fetcher;
use serde_json::{Map, Value, json};

use crate::platform::{OwPlatform, fetcher};
use crate::web;

/// Where the actionloop reads results: file descriptor 3, opened by path so the binary needs
/// no unsafe code to adopt it.
pub const FD3: &str = "/proc/self/fd/3";

/// The acknowledgement written once at start when the proxy asks for it.
pub const ACK: &str = r#"{"ok":true}"#;

/// Whether the proxy waits for [`ACK`]: the Go proxy passes its `OW_WAIT_FOR_ACK` on as
/// `__OW_WAIT_FOR_ACK`.
pub fn wants_ack() -> bool {
    ["__OW_WAIT_FOR_ACK", "OW_WAIT_FOR_ACK"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
}

/// The activation fields the adapter reads (besides `value`).
const META_FIELDS: [&str; 4] = [
    "activation_id",
    "namespace",
    "action_name",
    "action_version",
];

/// An app's handler, serving activations.
pub struct Action {
    handler: Rc<dyn Handler>,
    fetcher: Arc<Fetcher>,
}

impl Action {
    /// Serve activations with `handler`.
    pub fn new(handler: Rc<dyn Handler>) -> Self {
        Self {
            handler,
            fetcher: fetcher(),
        }
    }

    /// One actionloop line: `{"value": {..}, "activation_id": .., "deadline": .., ..}`. Its
    /// string fields become `__OW_<NAME>` environment variables, as every actionloop runtime
    /// sets them. The result is the line to write back; a malformed line gets an error result.
    pub async fn activation(&self, line: &[u8]) -> Value {
        let mut activation = match serde_json::from_slice::<Value>(line) {
            Ok(Value::Object(fields)) => fields,
            Ok(_) => return refused("the activation is not a JSON object"),
            Err(e) => return refused(&format!("the activation is not valid JSON: {e}")),
        };
        let value = activation.remove("value").unwrap_or(Value::Null);
        set_activation_env(&activation);
        let text = |name: &str| activation.get(name).and_then(Value::as_str);
        let meta = meta(text);
        self.invoke(value, meta).await
    }

    /// The native mode: the parameters as JSON, the rest from the `__OW_*` variables the
    /// proxy set.
    pub async fn native(&self, params: &[u8]) -> Value {
        let params = params.trim_ascii();
        let value = match serde_json::from_slice::<Value>(params) {
            Ok(value) => value,
            Err(_) if params.is_empty() => Value::Object(Map::new()),
            Err(e) => return refused(&format!("the parameters are not valid JSON: {e}")),
        };
        let fields: Map<String, Value> = ["deadline"]
            .into_iter()
            .chain(META_FIELDS)
            .filter_map(|name| {
                let value = std::env::var(format!("__OW_{}", name.to_ascii_uppercase())).ok()?;
                Some((name.to_owned(), Value::String(value)))
            })
            .collect();
        let meta = meta(|name| fields.get(name).and_then(Value::as_str));
        self.invoke(value, meta).await
    }

    async fn invoke(&self, value: Value, mut meta: RequestMeta) -> Value {
        let empty = Map::new();
        let params = match &value {
            Value::Object(params) => params,
            Value::Array(_) => &empty,
            _ => return refused("the parameters are not a JSON object or array"),
        };
        let platform = Arc::new(OwPlatform::new(params, self.fetcher.clone()));
        let request_id = meta.request_id.clone().unwrap_or_default();
        if self.handler.is_event() {
            let cx = Context::new(platform, meta);
            return match handler::serve_event(&*self.handler, value, cx).await {
                Ok(out @ (Value::Object(_) | Value::Array(_))) => out,
                Ok(other) => {
                    tracing::error!(
                        %request_id,
                        "the function returned {other}; an OpenWhisk action returns a JSON object or array"
                    );
                    json!({"error": "the openwhisk target returns a JSON object or array; the function returned another JSON value"})
                }
                Err(e) => json!({"error": public_message(&e, &request_id)}),
            };
        }
        if !web::is_web(params) {
            return refused(
                "this action serves HTTP requests: make it a web action (`wsk action update NAME --web raw`) and call its URL",
            );
        }
        if !web::is_raw(params) {
            return refused(web::NOT_RAW);
        }
        let res = match web::request(params) {
            Ok((req, client_ip)) => {
                meta.client_ip = client_ip;
                drop(value);
                let cx = Context::new(platform, meta);
                handler::serve(&*self.handler, req, cx).await
            }
            Err(e) => handler::rejected(&e),
        };
        let failed = res.status().is_server_error();
        let result = web::result(res);
        // An error result marks the activation failed; the controller still answers the
        // client with the response under `error`.
        if failed {
            json!({ "error": result })
        } else {
            result
        }
    }
}

/// The invocation's facts from the activation's fields (or the native mode's variables).
fn meta<'a>(field: impl Fn(&str) -> Option<&'a str>) -> RequestMeta {
    let mut meta = RequestMeta::default();
    meta.request_id = Some(field("activation_id").unwrap_or_default().to_owned());
    meta.deadline = field("deadline").and_then(deadline);
    for name in &META_FIELDS[1..] {
        if let Some(value) = field(name) {
            meta.extra
                .push((format!("openwhisk.{name}").into(), value.to_owned()));
        }
    }
    meta
}

/// `deadline`: epoch milliseconds, as a string.
fn deadline(ms: &str) -> Option<SystemTime> {
    let ms: u64 = ms.trim().parse().ok()?;
    Some(UNIX_EPOCH + Duration::from_millis(ms))
}

fn public_message(err: &Error, request_id: &str) -> String {
    match err.public_message() {
        Some(m) => m.to_owned(),
        None => format!("the action failed; see its logs for activation {request_id}"),
    }
}

/// An error result for input the adapter could not serve, with a log line.
fn refused(message: &str) -> Value {
    tracing::warn!("activation refused: {message}");
    json!({ "error": message })
}

/// `__OW_<NAME>` for every string field of the activation but `value`.
#[allow(unsafe_code)]
fn set_activation_env(activation: &Map<String, Value>) {
    for (name, value) in activation {
        let Some(value) = value.as_str() else {
            continue;
        };
        let key = format!("__OW_{}", name.to_ascii_uppercase());
        if key.contains('=') || key.contains('\0') || value.contains('\0') {
            continue;
        }
        // SAFETY: the action is single-threaded between activations: the runtime is a
        // current-thread one, the previous activation's futures have all finished, and
        // nothing else in the process reads the environment while this runs.
        unsafe { std::env::set_var(key, value) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_is_epoch_milliseconds_in_a_string() {
        assert_eq!(
            deadline("1700000000123"),
            Some(UNIX_EPOCH + Duration::from_millis(1_700_000_000_123))
        );
        assert_eq!(deadline("soon"), None);
    }

    #[test]
    fn meta_takes_the_activation_fields() {
        let fields = json!({"activation_id": "abc", "namespace": "guest", "action_name": "/guest/hi", "deadline": "1700000000000"});
        let meta = meta(|name| fields.get(name).and_then(Value::as_str));
        assert_eq!(meta.request_id.as_deref(), Some("abc"));
        assert!(meta.deadline.is_some());
        assert!(
            meta.extra
                .iter()
                .any(|(k, v)| k == "openwhisk.action_name" && v == "/guest/hi")
        );
    }
}
