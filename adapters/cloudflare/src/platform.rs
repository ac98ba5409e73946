//! The Workers [`Platform`]: vars and secrets are Env bindings, a KV store is the Workers KV
//! namespace bound under the store's name (declared in faasade.toml `[kv] stores`, written into
//! wrangler.toml), fetch is the Fetch API and `wait_until` is the execution context's.
//!
//! Workers futures are not `Send`; the runtime is single-threaded, so they are wrapped with
//! the worker crate's `SendFuture`/`SendWrapper`, its documented way to meet `Send` bounds.

use std::sync::Arc;

use bytes::Bytes;
use faasade_core::{
    Body, BoxFuture, Error, Kv, KvPage, KvStore, ListOptions, LocalBoxFuture, Platform, Request,
    Response, Result, StatusCode,
};
use worker::send::{SendFuture, SendWrapper};
use worker::{Env, Fetch, Headers, Method, RequestInit};

/// The target name this adapter reports.
pub const TARGET: &str = "cloudflare";

pub(crate) struct CfPlatform {
    env: SendWrapper<Env>,
    ctx: SendWrapper<worker::Context>,
}

impl CfPlatform {
    pub(crate) fn new(env: Env, ctx: worker::Context) -> Self {
        Self {
            env: SendWrapper::new(env),
            ctx: SendWrapper::new(ctx),
        }
    }
}

impl Platform for CfPlatform {
    fn target(&self) -> &'static str {
        TARGET
    }

    fn var(&self, name: &str) -> Option<String> {
        self.env.var(name).ok().map(|v| v.to_string())
    }

    fn secret(&self, name: &str) -> Option<String> {
        self.env.secret(name).ok().map(|v| v.to_string())
    }

    fn kv(&self, store: &str) -> Result<Kv> {
        let ns = self.env.kv(store).map_err(|e| {
            Error::internal(format!(
                "the KV store `{store}` has no Workers KV namespace bound: list it in \
                 faasade.toml `[kv] stores` so that wrangler.toml binds it"
            ))
            .with_source(e)
        })?;
        Ok(Kv::new(store, Arc::new(CfKv(SendWrapper::new(ns)))))
    }

    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        Box::pin(SendFuture::new(fetch(req)))
    }

    fn wait_until(&self, task: LocalBoxFuture<'static, ()>) -> Result<()> {
        self.ctx.wait_until(task);
        Ok(())
    }
}

struct CfKv(SendWrapper<worker::kv::KvStore>);

fn kv_error(op: &str, key: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("KV {op} {key:?} failed: {e}"))
}

impl KvStore for CfKv {
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Bytes>>> {
        Box::pin(SendFuture::new(async move {
            let value = self.0.get(key).bytes().await;
            value
                .map(|v| v.map(Bytes::from))
                .map_err(|e| kv_error("get", key, e))
        }))
    }

    fn put<'a>(&'a self, key: &'a str, value: Bytes) -> BoxFuture<'a, Result<()>> {
        Box::pin(SendFuture::new(async move {
            let put = self
                .0
                .put_bytes(key, &value)
                .map_err(|e| kv_error("put", key, e))?;
            put.execute().await.map_err(|e| kv_error("put", key, e))
        }))
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(SendFuture::new(async move {
            self.0
                .delete(key)
                .await
                .map_err(|e| kv_error("delete", key, e))
        }))
    }

    fn list<'a>(&'a self, options: &'a ListOptions) -> BoxFuture<'a, Result<KvPage>> {
        Box::pin(SendFuture::new(async move {
            let mut list = self.0.list();
            if let Some(prefix) = &options.prefix {
                list = list.prefix(prefix.clone());
            }
            if let Some(cursor) = &options.cursor {
                list = list.cursor(cursor.clone());
            }
            if let Some(limit) = options.limit {
                list = list.limit(limit.clamp(1, 1000) as u64);
            }
            let page = list
                .execute()
                .await
                .map_err(|e| kv_error("list", options.prefix.as_deref().unwrap_or(""), e))?;
            Ok(KvPage {
                keys: page.keys.into_iter().map(|k| k.name).collect(),
                cursor: if page.list_complete {
                    None
                } else {
                    page.cursor
                },
            })
        }))
    }
}

/// Send a neutral request with the Fetch API. Network failures are `502` errors whose cause is
/// logged, never shown.
async fn fetch(req: Request) -> Result<Response> {
    let (parts, body) = req.into_parts();
    let url = parts.uri.to_string();
    if parts.uri.scheme().is_none() || parts.uri.host().is_none() {
        return Err(Error::internal(format!(
            "fetch needs an absolute URL, got {url:?}"
        )));
    }
    let headers = Headers::new();
    for (name, value) in &parts.headers {
        if let Ok(value) = value.to_str() {
            headers
                .append(name.as_str(), value)
                .map_err(|e| Error::internal(format!("fetch header {name}: {e}")))?;
        }
    }
    let mut init = RequestInit::new();
    init.with_method(Method::from(parts.method.to_string()))
        .with_headers(headers);
    let bytes = body.into_bytes();
    if !bytes.is_empty() {
        let array = worker::js_sys::Uint8Array::from(bytes.as_ref());
        init.with_body(Some(array.into()));
    }
    let failed = |e: worker::Error| {
        Error::new(
            StatusCode::BAD_GATEWAY,
            format!("fetch {} {url} failed", parts.method),
        )
        .with_source(e)
    };
    let request = worker::Request::new_with_init(&url, &init).map_err(failed)?;
    let mut res = Fetch::Request(request).send().await.map_err(failed)?;
    let mut out = Response::new(Body::empty());
    *out.status_mut() = StatusCode::from_u16(res.status_code()).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in res.headers().entries() {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            out.headers_mut().append(name, value);
        }
    }
    *out.body_mut() = res.bytes().await.map_err(failed)?.into();
    Ok(out)
}
