//! The capabilities a target may or may not offer.

use std::fmt;

use crate::{BoxFuture, Error, Request, Response, Result};

/// What `Platform::fetch` answers in a build that leaves the `fetch` feature out: the error
/// [`Error::left_out`] names the target, `fetch` and the feature.
pub fn left_out_fetch(target: &'static str, req: Request) -> BoxFuture<'static, Result<Response>> {
    drop(req);
    let e = Error::left_out(target, Capability::Fetch);
    Box::pin(async move { Err(e) })
}

/// One capability of the neutral API. Each adapter declares which it supports; using one it
/// lacks fails with [`crate::Error::unsupported`], which names the target and the capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// `Context::var`.
    Vars,
    /// `Context::secret`.
    Secrets,
    /// `Context::kv`.
    Kv,
    /// `Context::fetch`.
    Fetch,
    /// `Context::wait_until`.
    WaitUntil,
    /// JSON event functions invoked by non-HTTP triggers.
    Events,
}

impl Capability {
    /// Every capability, in table order.
    pub const ALL: [Capability; 6] = [
        Capability::Vars,
        Capability::Secrets,
        Capability::Kv,
        Capability::Fetch,
        Capability::WaitUntil,
        Capability::Events,
    ];

    /// The name used in errors and docs (`"kv"`, `"wait_until"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Capability::Vars => "vars",
            Capability::Secrets => "secrets",
            Capability::Kv => "kv",
            Capability::Fetch => "fetch",
            Capability::WaitUntil => "wait_until",
            Capability::Events => "events",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
