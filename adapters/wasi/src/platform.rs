//! The WASI [`Platform`]: vars and secrets from the component's environment, fetch through
//! `wasi:http/outgoing-handler` ([`crate::fetch`], the `fetch` feature), `wait_until` after
//! the reply. No KV: a proxy host offers no standard key-value interface, so `cx.kv` fails
//! with an error naming the target and `kv`.

use faasade_core::{
    BoxFuture, Learned, LocalBoxFuture, OnDemand, Platform, Request, Response, Result,
};

/// The target name this adapter reports.
pub const TARGET: &str = "wasi";

pub(crate) struct WasiPlatform;

impl Platform for WasiPlatform {
    fn target(&self) -> &'static str {
        TARGET
    }

    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn secret(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    #[cfg(feature = "fetch")]
    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        // The host's calls block: the answer is ready when the future is first polled.
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

    /// The host names no request: an id is made up when the app reads one.
    fn learn(&self, fact: OnDemand) -> Option<Learned> {
        (fact == OnDemand::RequestId).then(|| Learned::RequestId(crate::request::random_id()))
    }
}
