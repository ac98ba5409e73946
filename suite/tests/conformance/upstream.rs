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
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
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
