//! The Spin [`Platform`]: vars and secrets from Spin variables (from the environment without
//! the `vars` feature), KV stores on Spin key-value
//! stores ([`crate::kv`], the `kv` feature), fetch through wasi:http's client
//! ([`crate::fetch`], the `fetch` feature), `wait_until` after the reply.
//!
//! A capability whose feature is off is left out of the component and fails with
//! [`Error::left_out`].

use faasade_core::{
    BoxFuture, Kv, Learned, LocalBoxFuture, OnDemand, Platform, Request, Response, Result,
};
#[cfg(not(feature = "kv"))]
use faasade_core::{Capability, Error};

/// The target name this adapter reports.
pub const TARGET: &str = "spin";

pub(crate) struct SpinPlatform;

/// The Spin variable behind `cx.var(name)`: Spin names are lower case.
#[cfg(feature = "vars")]
fn variable(name: &str) -> Option<String> {
    let name = name.to_ascii_lowercase();
    // Spin's variable calls are async; the neutral `var` is not. The call returns at once (the
    // host answers from its configuration), so blocking on it here costs nothing.
    match spin_sdk::wit_bindgen::block_on(spin_sdk::variables::get(&name)) {
        Ok(value) => Some(value),
        Err(
            spin_sdk::variables::Error::Undefined(_) | spin_sdk::variables::Error::InvalidName(_),
        ) => None,
        Err(e) => {
            tracing::error!("reading the Spin variable `{name}` failed: {e}");
            None
        }
    }
}

/// Without the `vars` feature the component imports no `spin:variables`: vars come from the
/// component's environment instead (spin.toml's `environment`, `wasmtime serve --env`).
#[cfg(not(feature = "vars"))]
fn variable(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Platform for SpinPlatform {
    fn target(&self) -> &'static str {
        TARGET
    }

    fn var(&self, name: &str) -> Option<String> {
        variable(name)
    }

    fn secret(&self, name: &str) -> Option<String> {
        variable(name)
    }

    #[cfg(feature = "kv")]
    fn kv(&self, store: &str) -> Result<Kv> {
        Ok(crate::kv::open(store))
    }

    #[cfg(not(feature = "kv"))]
    fn kv(&self, _store: &str) -> Result<Kv> {
        Err(Error::left_out(TARGET, Capability::Kv))
    }

    #[cfg(feature = "fetch")]
    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        Box::pin(send_wrapper::SendWrapper::new(crate::fetch::send(req)))
    }

    #[cfg(not(feature = "fetch"))]
    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        faasade_core::capability::left_out_fetch(TARGET, req)
    }

    fn wait_until(&self, task: LocalBoxFuture<'static, ()>) -> Result<()> {
        // Spawned work is polled within this request's task, which the host keeps alive after
        // the reply until the work is done.
        spin_sdk::wasip3::spawn(task);
        Ok(())
    }

    /// The host names no request: an id is made up when the app reads one.
    fn learn(&self, fact: OnDemand) -> Option<Learned> {
        (fact == OnDemand::RequestId).then(|| Learned::RequestId(crate::request::random_id()))
    }
}
