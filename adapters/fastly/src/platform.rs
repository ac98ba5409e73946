//! The Fastly [`Platform`]: vars from the config store [`VARS_STORE`], secrets from the secret
//! store [`SECRETS_STORE`], KV stores on Fastly KV stores ([`crate::kv`], the `kv` feature),
//! fetch through backends ([`crate::fetch`], the `fetch` feature), `wait_until` after the reply.
//!
//! A capability whose feature is off is left out of the Wasm module and fails with
//! [`Error::left_out`].

use std::net::IpAddr;
use std::sync::OnceLock;

use faasade_core::{
    BoxFuture, Kv, Learned, LocalBoxFuture, OnDemand, Platform, Request, Response, Result,
};
#[cfg(not(feature = "kv"))]
use faasade_core::{Capability, Error};
use fastly::handle::RequestHandle;

/// The target name this adapter reports.
pub const TARGET: &str = "fastly";
/// The config store `cx.var` reads (faasade.toml `[vars]`, written into fastly.toml).
pub const VARS_STORE: &str = "vars";
/// The secret store `cx.secret` reads (faasade.toml `[secrets]` locally).
pub const SECRETS_STORE: &str = "secrets";

pub(crate) struct FastlyPlatform {
    /// The client request, for its address and geolocation, looked up only if the app asks.
    client: RequestHandle,
    /// The client's address, once asked of the host (for `cx.client_ip()` or geolocation).
    client_ip: OnceLock<Option<IpAddr>>,
}

impl FastlyPlatform {
    pub(crate) fn new(client: RequestHandle) -> Self {
        Self {
            client,
            client_ip: OnceLock::new(),
        }
    }

    fn client_ip(&self) -> Option<IpAddr> {
        *self.client_ip.get_or_init(|| self.client.client_ip_addr())
    }
}

impl Platform for FastlyPlatform {
    fn target(&self) -> &'static str {
        TARGET
    }

    fn var(&self, name: &str) -> Option<String> {
        fastly::ConfigStore::try_open(VARS_STORE)
            .ok()?
            .try_get(name)
            .ok()?
    }

    fn secret(&self, name: &str) -> Option<String> {
        let secret = fastly::SecretStore::open(SECRETS_STORE)
            .ok()?
            .try_get(name)
            .ok()??;
        String::from_utf8(secret.plaintext().to_vec()).ok()
    }

    #[cfg(feature = "kv")]
    fn kv(&self, store: &str) -> Result<Kv> {
        crate::kv::open(store)
    }

    #[cfg(not(feature = "kv"))]
    fn kv(&self, _store: &str) -> Result<Kv> {
        Err(Error::left_out(TARGET, Capability::Kv))
    }

    #[cfg(feature = "fetch")]
    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        let res = crate::fetch::send(req);
        Box::pin(async move { res })
    }

    #[cfg(not(feature = "fetch"))]
    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        faasade_core::capability::left_out_fetch(TARGET, req)
    }

    fn wait_until(&self, task: LocalBoxFuture<'static, ()>) -> Result<()> {
        faasade_core::executor::after_response(task);
        Ok(())
    }

    /// Each costs host calls: the trace id, the client's address, and the geolocation, POP and
    /// service version.
    fn learn(&self, fact: OnDemand) -> Option<Learned> {
        Some(match fact {
            OnDemand::RequestId => Learned::RequestId(crate::request::trace_id()),
            OnDemand::ClientIp => Learned::ClientIp(self.client_ip()?),
            OnDemand::Extra => Learned::Extra {
                facts: crate::request::on_demand_facts(|| self.client_ip()),
                left_out: crate::request::geo_left_out(cfg!(feature = "geo")),
            },
            _ => return None,
        })
    }
}
