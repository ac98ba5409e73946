//! Outbound HTTP from a component: denied unless the destination is declared. A request to an
//! authority (`host:port`) not on the allow list fails with `HTTP-request-denied` and a log
//! line naming it and how to allow it; `*` allows any.

use std::sync::Arc;

use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

/// The `wasi:http` hooks of one instance.
pub(crate) struct Outbound {
    pub(crate) allowed: Arc<[String]>,
}

impl Outbound {
    /// Whether `authority` (`host:port`, the port defaulted from the scheme) may be reached.
    fn allows(&self, authority: &str) -> bool {
        self.allowed.iter().any(|a| a == "*" || a == authority)
    }
}

type Sent = Box<
    dyn Future<
            Output = Result<
                (
                    http::Response<WasiBody>,
                    Box<dyn Future<Output = Result<(), Error>> + Send>,
                ),
                Error,
            >,
        > + Send,
>;

impl WasiHttpHooks for Outbound {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> Sent {
        let uri = request.uri();
        let port = uri.port_u16().unwrap_or(match uri.scheme_str() {
            Some("http") => 80,
            _ => 443,
        });
        let authority = format!("{}:{port}", uri.host().unwrap_or_default());
        if !self.allows(&authority) {
            eprintln!(
                "faasade-wasm-host: outbound request to {authority} denied: allow it with \
                 `--allow-outbound {authority}` (spin.toml: allowed_outbound_hosts)"
            );
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        drop(fut);
        Box::new(async move {
            use http_body_util::BodyExt;
            let (res, io) = wasmtime_wasi_http::default_send_request(request, options).await?;
            Ok((
                res.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn Future<Output = _> + Send>,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_declared_authorities_are_reachable() {
        let outbound = Outbound {
            allowed: vec!["127.0.0.1:8080".to_owned()].into(),
        };
        assert!(outbound.allows("127.0.0.1:8080"));
        assert!(!outbound.allows("127.0.0.1:8081"));
        assert!(!outbound.allows("localhost:8080"));
        let any = Outbound {
            allowed: vec!["*".to_owned()].into(),
        };
        assert!(any.allows("example.com:443"));
        let none = Outbound {
            allowed: Vec::new().into(),
        };
        assert!(
            !none.allows("example.com:443"),
            "nothing is allowed by default"
        );
    }
}
