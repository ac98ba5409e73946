//! The HTTP server: one single-threaded runtime per worker thread, all accepting on one socket,
//! so handler futures never need to be `Send`.
//!
//! Slow clients cannot hold it: a request's head must arrive within the header timeout (which
//! also closes connections idle that long), its body within the request timeout (else `408`),
//! and the open connections are limited ([`crate::connections`]), the oldest unanswered one
//! giving way to a new one.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener as StdListener};
use std::rc::Rc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use faasade_core::handler::{self, Handler};
use faasade_core::{Body, Context, Error, RequestMeta, Response, StatusCode};
use http::header::HOST;
use http::uri::{Authority, Scheme, Uri};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Config;
use crate::connections::{self, Connections};
use crate::log;
use crate::platform::LocalPlatform;

/// How long shutdown waits for open requests and `wait_until` tasks.
const DRAIN: Duration = Duration::from_secs(10);

/// A running local server; see [`start`].
#[derive(Debug)]
pub struct Running {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
}

impl Running {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop accepting, let open requests and `wait_until` tasks finish (10 s at most), and
    /// wait for the workers to exit.
    pub fn shutdown(self) {
        let _ = self.stop.send(true);
        for worker in self.workers {
            let _ = worker.join();
        }
    }
}

/// Serve `factory()`'s handler with `config` until [`Running::shutdown`]. Each worker thread
/// calls `factory` once, so the handler itself need not be `Send` or `Sync`.
pub fn start<F, H>(config: Config, factory: F) -> io::Result<Running>
where
    F: Fn() -> H + Send + Sync + 'static,
    H: Handler,
{
    let listener = StdListener::bind((config.host, config.port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        platform: Arc::new(LocalPlatform::new(&config)),
        connections: Connections::new(config.max_connections),
        config,
        addr,
    });
    let factory = Arc::new(factory);
    let (stop, stopped) = watch::channel(false);
    let mut workers = Vec::new();
    for n in 0..shared.config.workers {
        let listener = listener.try_clone()?;
        let (shared, factory, stopped) = (shared.clone(), factory.clone(), stopped.clone());
        let worker = std::thread::Builder::new()
            .name(format!("faasade-worker-{n}"))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                let rt = match rt {
                    Ok(rt) => rt,
                    Err(e) => return tracing::error!(error = %e, "cannot start a worker runtime"),
                };
                let local = tokio::task::LocalSet::new();
                log::buffer_this_thread();
                local.block_on(&rt, async move {
                    tokio::task::spawn_local(async {
                        let mut every = tokio::time::interval(log::FLUSH_EVERY);
                        loop {
                            every.tick().await;
                            log::flush_this_thread();
                        }
                    });
                    match TcpListener::from_std(listener) {
                        Ok(listener) => worker(listener, Rc::new(factory()), shared, stopped).await,
                        Err(e) => tracing::error!(error = %e, "cannot register the listener"),
                    }
                });
                log::flush_this_thread();
            })?;
        workers.push(worker);
    }
    Ok(Running {
        addr,
        stop,
        workers,
    })
}

struct Shared {
    config: Config,
    connections: Arc<Connections>,
    platform: Arc<LocalPlatform>,
    addr: SocketAddr,
}

async fn worker<H: Handler>(
    listener: TcpListener,
    handler: Rc<H>,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let http = connections::http1(shared.config.header_timeout);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped.wait_for(|stop| *stop) => break,
        };
        let _ = stream.set_nodelay(true);
        // At the limit this closes the oldest unanswered connection, or waits.
        let admitted = tokio::select! {
            admitted = shared.connections.admit() => admitted,
            _ = stopped.wait_for(|stop| *stop) => break,
        };
        let requests = admitted.requests();
        let (handler, shared) = (handler.clone(), shared.clone());
        let service = service_fn(move |req| {
            let (handler, shared) = (handler.clone(), shared.clone());
            requests.during(async move {
                let res = answer(&*handler, &shared, peer, req).await;
                Ok::<_, std::convert::Infallible>(res)
            })
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::task::spawn_local(async move {
            tokio::select! {
                ended = conn => match ended {
                    // hyper has already answered 400 (or 431 for oversize headers).
                    Err(e) if e.is_parse() => {
                        tracing::info!(error = %e, %peer, "malformed request rejected");
                    }
                    Err(e) if e.is_timeout() => {
                        tracing::info!(%peer, "closed a connection that sent no complete request head in time");
                    }
                    Err(e) => tracing::debug!(error = %e, %peer, "connection ended with an error"),
                    Ok(()) => {}
                },
                () = admitted.closed() => {
                    tracing::info!(%peer, "closed an unanswered connection to make room (connection limit)");
                }
            }
            drop(admitted);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("open connections did not finish within {DRAIN:?}");
    }
    let background = &shared.platform.background;
    background.close();
    if tokio::time::timeout(DRAIN, background.wait())
        .await
        .is_err()
    {
        tracing::warn!("wait_until tasks did not finish within {DRAIN:?}");
    }
}

/// See [`crate::call`].
pub(crate) fn call<H: Handler>(
    config: &Config,
    handler: &H,
    req: faasade_core::Request,
) -> Response {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    let platform = Arc::new(LocalPlatform::new(config));
    let cx = Context::new(platform.clone(), request_meta(config, None));
    tokio::task::LocalSet::new().block_on(&rt, async move {
        let res = handler::serve(handler, req, cx).await;
        platform.background.close();
        platform.background.wait().await;
        res
    })
}

fn request_meta(config: &Config, client_ip: Option<IpAddr>) -> RequestMeta {
    let mut meta = RequestMeta::default();
    meta.request_id = Some(uuid::Uuid::new_v4().to_string());
    meta.client_ip = client_ip;
    meta.deadline = Some(SystemTime::now() + config.timeout);
    meta
}

/// One request: read the body within the limit, run the handler within the timeout, log it.
async fn answer<H: Handler>(
    handler: &H,
    shared: &Shared,
    peer: SocketAddr,
    req: http::Request<Incoming>,
) -> Response {
    let started = Instant::now();
    // For the log lines: reference-counted copies, no allocation.
    let (method, uri) = (req.method().clone(), req.uri().clone());
    let path = uri.path();
    // One deadline for reading the body and answering.
    let timeout = shared.config.timeout;
    let deadline = tokio::time::Instant::now() + timeout;
    let res = match tokio::time::timeout_at(deadline, read_request(shared, req)).await {
        Ok(Ok(req)) => {
            let cx = Context::new(
                shared.platform.clone(),
                request_meta(&shared.config, Some(peer.ip())),
            );
            match tokio::time::timeout_at(deadline, handler::serve(handler, req, cx)).await {
                Ok(res) => res,
                Err(_) => {
                    tracing::error!(%method, path, "handler did not answer within {timeout:?}");
                    handler::error_response(&Error::from_status(StatusCode::GATEWAY_TIMEOUT))
                }
            }
        }
        Ok(Err(e)) => {
            tracing::info!(%method, path, error = %e, "request rejected");
            handler::error_response(&e)
        }
        Err(_) => {
            tracing::info!(%method, path, "request body did not arrive within {timeout:?}");
            handler::error_response(&Error::from_status(StatusCode::REQUEST_TIMEOUT))
        }
    };
    tracing::info!(
        target: "faasade::access",
        "{method} {path} {} {:.1}ms",
        res.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    res
}

/// The neutral request: an absolute URI (like every provider gives), the body read in full.
async fn read_request(
    shared: &Shared,
    req: http::Request<Incoming>,
) -> Result<faasade_core::Request, Error> {
    let limit = shared.config.body_limit;
    faasade_core::Body::check_declared_length(req.headers(), limit)?;
    let (mut parts, body) = req.into_parts();
    let authority = parts
        .headers
        .get(HOST)
        .and_then(|h| Authority::try_from(h.as_bytes()).ok())
        .unwrap_or_else(|| {
            Authority::try_from(shared.addr.to_string()).expect("a socket address is an authority")
        });
    let mut uri = Uri::builder().scheme(Scheme::HTTP).authority(authority);
    if let Some(pq) = parts.uri.path_and_query() {
        uri = uri.path_and_query(pq.clone());
    }
    parts.uri = uri
        .build()
        .map_err(|e| Error::bad_request("invalid request target").with_source(e))?;
    let body = Body::from_http_body(body, limit).await?;
    Ok(faasade_core::Request::from_parts(parts, body))
}
