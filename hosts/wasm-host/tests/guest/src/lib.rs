//! A `wasi:http` 0.2 component for the Wasm host's tests: each path tries something the host
//! must allow or stop.
//!
//! - `/` answers `ok`; `/count` how many requests this instance has served;
//! - `/spin` never returns; `/alloc?mb=N` allocates N MiB;
//! - `/file` reads a host file; `/env?name=X` reads an environment variable;
//! - `/fetch?url=U` fetches `U` and answers its status (or `502` and the error).

#![cfg_attr(not(target_family = "wasm"), allow(dead_code))]

use std::io::Write as _;
use std::sync::atomic::{AtomicU32, Ordering};

use wasip2::http::outgoing_handler;
use wasip2::http::types::{
    Fields, IncomingRequest, OutgoingBody, OutgoingRequest, OutgoingResponse, ResponseOutparam,
    Scheme,
};

static SERVED: AtomicU32 = AtomicU32::new(0);

struct Guest;

impl wasip2::exports::http::incoming_handler::Guest for Guest {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        let served = SERVED.fetch_add(1, Ordering::SeqCst) + 1;
        let target = request.path_with_query().unwrap_or_default();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let param = |name: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .unwrap_or_default()
                .to_owned()
        };
        let (status, body) = match path {
            "/" => (200, "ok".to_owned()),
            "/count" => (200, served.to_string()),
            "/spin" => loop {
                std::hint::black_box(served);
            },
            "/alloc" => {
                let mb: usize = param("mb").parse().unwrap_or(1);
                let block = std::hint::black_box(vec![1u8; mb << 20]);
                (200, block.len().to_string())
            }
            "/file" => match std::fs::read_to_string("/etc/hostname") {
                Ok(text) => (200, text),
                Err(e) => (403, e.to_string()),
            },
            "/env" => match std::env::var(param("name")) {
                Ok(value) => (200, value),
                Err(_) => (404, "unset".to_owned()),
            },
            "/fetch" => fetch(&param("url")),
            _ => (404, "no such path".to_owned()),
        };
        let response = OutgoingResponse::new(Fields::new());
        let _ = response.set_status_code(status);
        let outgoing = response.body().expect("the body");
        ResponseOutparam::set(out, Ok(response));
        {
            let mut stream = outgoing.write().expect("the stream");
            let _ = stream.write_all(body.as_bytes());
            let _ = stream.flush();
        }
        let _ = OutgoingBody::finish(outgoing, None);
    }
}

/// GET `url` (`http://host:port/path`); its status, or `502` and the error.
fn fetch(url: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let request = OutgoingRequest::new(Fields::new());
    let _ = request.set_scheme(Some(&Scheme::Http));
    let _ = request.set_authority(Some(authority));
    let _ = request.set_path_with_query(Some(&format!("/{path}")));
    let pending = match outgoing_handler::handle(request, None) {
        Ok(pending) => pending,
        Err(e) => return (502, format!("{e:?}")),
    };
    loop {
        match pending.get() {
            Some(Ok(Ok(response))) => return (response.status(), "fetched".to_owned()),
            Some(Ok(Err(e))) => return (502, format!("{e:?}")),
            Some(Err(())) => return (502, "taken".to_owned()),
            None => pending.subscribe().block(),
        }
    }
}

wasip2::http::proxy::export!(Guest);
