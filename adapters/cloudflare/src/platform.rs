//! The Workers [`Platform`]: vars and secrets are Env bindings, KV stores are Workers KV
//! namespaces ([`crate::kv`], the `kv` feature), fetch is the Fetch API ([`crate::fetch`], the
//! `fetch` feature) and `wait_until` is the execution context's. The request's `cf` fields
//! are read when the app first asks for one.
//!
//! Workers futures are not `Send`; the runtime is single-threaded, so they are wrapped with
//! the worker crate's `SendFuture`/`SendWrapper`, its documented way to meet `Send` bounds.
//!
//! A capability whose feature is off is left out of the Wasm module (a `dyn Platform` links
//! every method it has, used or not) and fails with [`Error::left_out`].

use std::sync::OnceLock;

use faasade_core::{
    BoxFuture, Kv, Learned, LocalBoxFuture, OnDemand, Platform, Request, Response, Result,
};
#[cfg(not(feature = "kv"))]
use faasade_core::{Capability, Error};
use worker::Env;
use worker::send::SendWrapper;
use worker::web_sys;

/// The target name this adapter reports.
pub const TARGET: &str = "cloudflare";

pub(crate) struct CfPlatform {
    env: SendWrapper<Env>,
    ctx: SendWrapper<worker::Context>,
    /// The request, for its `cf` object.
    req: SendWrapper<web_sys::Request>,
    /// The `cf` fields, read from the request at most once (for `cf.*` facts or the client's
    /// address).
    cf: OnceLock<String>,
}

impl CfPlatform {
    pub(crate) fn new(env: Env, ctx: worker::Context, req: web_sys::Request) -> Self {
        Self {
            env: SendWrapper::new(env),
            ctx: SendWrapper::new(ctx),
            req: SendWrapper::new(req),
            cf: OnceLock::new(),
        }
    }

    fn cf(&self) -> &str {
        self.cf
            .get_or_init(|| crate::request::faasade_request_cf(&self.req))
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

    #[cfg(feature = "kv")]
    fn kv(&self, store: &str) -> Result<Kv> {
        crate::kv::open(&self.env, store)
    }

    #[cfg(not(feature = "kv"))]
    fn kv(&self, _store: &str) -> Result<Kv> {
        Err(Error::left_out(TARGET, Capability::Kv))
    }

    #[cfg(feature = "fetch")]
    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        Box::pin(worker::send::SendFuture::new(crate::fetch::send(req)))
    }

    #[cfg(not(feature = "fetch"))]
    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        faasade_core::capability::left_out_fetch(TARGET, req)
    }

    fn wait_until(&self, task: LocalBoxFuture<'static, ()>) -> Result<()> {
        self.ctx.wait_until(task);
        Ok(())
    }

    /// The `cf` object's facts and, without `CF-Connecting-IP`, the client's address from it
    /// (reading `req.cf` has workerd build the whole object); an id without `CF-Ray`.
    fn learn(&self, fact: OnDemand) -> Option<Learned> {
        Some(match fact {
            OnDemand::RequestId => Learned::RequestId(crate::request::random_id()),
            OnDemand::ClientIp => Learned::ClientIp(crate::request::cf_client_ip(self.cf())?),
            OnDemand::Extra => Learned::Extra {
                facts: crate::request::cf_meta(self.cf()),
                left_out: Vec::new(),
            },
            _ => return None,
        })
    }
}
