//! The upstream the `fetch` group calls: a real HTTP server on 127.0.0.1.

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Request, Response, body::Incoming};
use hyper_util::rt::TokioIo;

pub(crate) struct Upstream {
    pub(crate) addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Upstream {
    pub(crate) fn start() -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let port = declared_port()?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("port {port}, the conformance app's `[upstreams] harness`: {e} (is another conformance run going?)"),
                )
            })?;
        let addr = listener.local_addr()?;
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let service = service_fn(answer);
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Self {
            addr,
            _runtime: runtime,
        })
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// The port of `harness` in examples/conformance/faasade.toml `[upstreams]`: the app may
/// fetch only the origins listed there, so the harness listens where the file says.
fn declared_port() -> std::io::Result<u16> {
    let app = faasade_suite::process::workspace().join("examples/conformance");
    let config = cargo_faasade::config::AppConfig::read(&app, "app")
        .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
    match config.file.upstreams.get("harness") {
        Some(origin) if origin.host == "127.0.0.1" => Ok(origin.effective_port()),
        other => Err(std::io::Error::other(format!(
            "examples/conformance/faasade.toml must list `harness = \"http://127.0.0.1:PORT\"` in [upstreams], not {other:?}"
        ))),
    }
}

/// Past every target's limit for a fetched body (16 MiB).
const BIG: usize = 20 << 20;

async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut res = Response::builder().header("content-type", "text/plain");
    let body = match req.uri().path() {
        "/ping" => Bytes::from_static(b"pong from upstream"),
        // Fetches do not follow redirects on any target: the app sees this.
        "/redirect" => {
            res = res.status(302).header("location", "/ping");
            Bytes::from_static(b"moved")
        }
        "/big" => Bytes::from(vec![b'x'; BIG]),
        _ => {
            res = res.status(404);
            Bytes::from_static(b"no such upstream path")
        }
    };
    Ok(res.body(Full::new(body)).expect("static response"))
}
