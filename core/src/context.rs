//! [`Context`]: what a handler can reach besides its request, and the [`Platform`] trait each
//! adapter implements behind it.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use crate::capability::Capability;
use crate::kv::Kv;
use crate::{Body, BoxFuture, Error, LocalBoxFuture, Request, Response, Result};

/// The provider side of a [`Context`]: one implementation per adapter.
///
/// Every capability a target lacks keeps its default method, which fails with
/// [`Error::unsupported`] naming the target and the capability — never a silent no-op.
pub trait Platform: Send + Sync + 'static {
    /// The target's name (`"local"`, `"aws"`, `"cloudflare"`, ...).
    fn target(&self) -> &'static str;

    /// A configuration variable.
    fn var(&self, name: &str) -> Option<String>;

    /// A secret. Targets without a secret store read secrets like vars.
    fn secret(&self, name: &str) -> Option<String>;

    /// A key-value store by its configured name.
    fn kv(&self, store: &str) -> Result<Kv> {
        let _ = store;
        Err(Error::unsupported(self.target(), Capability::Kv))
    }

    /// Outbound HTTP.
    fn fetch(&self, req: Request) -> BoxFuture<'static, Result<Response>> {
        let _ = req;
        let err = Error::unsupported(self.target(), Capability::Fetch);
        Box::pin(async move { Err(err) })
    }

    /// Keep `task` running after the response is sent.
    fn wait_until(&self, task: LocalBoxFuture<'static, ()>) -> Result<()> {
        drop(task);
        Err(Error::unsupported(self.target(), Capability::WaitUntil))
    }

    /// A fact the adapter left out of [`RequestMeta`] because learning it costs a host call
    /// or a parse. [`Context`] asks the first time the app reads it, at most once per
    /// invocation and fact, so an app that never asks never pays. `None`: nothing to learn.
    fn learn(&self, fact: OnDemand) -> Option<Learned> {
        let _ = fact;
        None
    }
}

/// The facts an adapter may learn on demand, through [`Platform::learn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OnDemand {
    /// The invocation's id, for [`Context::request_id`] when [`RequestMeta::request_id`] is
    /// `None`.
    RequestId,
    /// The client's address, for [`Context::client_ip`] when [`RequestMeta::client_ip`] is
    /// `None`.
    ClientIp,
    /// Provider facts beyond [`RequestMeta::extra`], for [`Context::meta`] (Fastly's
    /// geolocation, Workers' `cf` object).
    Extra,
}

/// What [`Platform::learn`] found out; an answer of another kind than was asked counts as none.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Learned {
    /// For [`OnDemand::RequestId`].
    RequestId(String),
    /// For [`OnDemand::ClientIp`].
    ClientIp(IpAddr),
    /// For [`OnDemand::Extra`].
    Extra {
        /// Facts under namespaced keys (`"fastly.country"`).
        facts: Vec<(Cow<'static, str>, String)>,
        /// Facts this build cannot give, each with the reason (a cargo feature left out): an
        /// app that asks for one gets `None` and the reason in the log, not silence.
        left_out: Vec<(Cow<'static, str>, String)>,
    },
}

/// The [`OnDemand::Extra`] facts, once learned.
#[derive(Default)]
struct ExtraFacts {
    facts: Vec<(Cow<'static, str>, String)>,
    left_out: Vec<(Cow<'static, str>, String)>,
}

/// Facts about the current invocation, filled in by the adapter.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RequestMeta {
    /// The provider's id for this invocation (a generated one where the provider has none).
    /// `None` when the adapter learns it only on demand ([`OnDemand::RequestId`]).
    pub request_id: Option<String>,
    /// The client's address, where the provider tells it. `None` when the adapter learns it
    /// only on demand ([`OnDemand::ClientIp`]) or the provider does not tell.
    pub client_ip: Option<IpAddr>,
    /// When the provider will stop the invocation.
    pub deadline: Option<SystemTime>,
    /// Provider-specific facts under namespaced keys (`"aws.function_arn"`, `"cf.country"`).
    pub extra: Vec<(Cow<'static, str>, String)>,
}

/// Everything a handler reaches besides its request: vars, secrets, KV stores, outbound fetch
/// and facts about the invocation. Cheap to clone; `Send + Sync`, so it also works from an
/// axum handler (`Extension<Context>`).
#[derive(Clone)]
pub struct Context {
    platform: Arc<dyn Platform>,
    meta: Arc<Meta>,
}

/// The adapter's facts, and the on-demand ones once asked for.
struct Meta {
    given: RequestMeta,
    extra: OnceLock<ExtraFacts>,
    request_id: OnceLock<String>,
    client_ip: OnceLock<Option<IpAddr>>,
}

impl Context {
    /// Used by adapters: a context on `platform` for one invocation.
    pub fn new(platform: Arc<dyn Platform>, meta: RequestMeta) -> Self {
        Self {
            platform,
            meta: Arc::new(Meta {
                given: meta,
                extra: OnceLock::new(),
                request_id: OnceLock::new(),
                client_ip: OnceLock::new(),
            }),
        }
    }

    /// The target this function runs on (`"local"`, `"aws"`, ...).
    pub fn target(&self) -> &'static str {
        self.platform.target()
    }

    /// A configuration variable, or `None` when it is not set.
    pub fn var(&self, name: &str) -> Option<String> {
        self.platform.var(name)
    }

    /// A secret, or `None` when it is not set.
    pub fn secret(&self, name: &str) -> Option<String> {
        self.platform.secret(name)
    }

    /// The key-value store configured under `store`.
    pub fn kv(&self, store: &str) -> Result<Kv> {
        self.platform.kv(store)
    }

    /// Send an outbound HTTP request. The URI must be absolute.
    pub async fn fetch(&self, req: Request) -> Result<Response> {
        self.platform.fetch(req).await
    }

    /// `GET url`, for the common case.
    pub async fn fetch_url(&self, url: &str) -> Result<Response> {
        let req = http::Request::get(url)
            .body(Body::empty())
            .map_err(|e| Error::internal(format!("invalid fetch URL {url:?}")).with_source(e))?;
        self.fetch(req).await
    }

    /// Keep `task` running after the response has been sent, where the target allows it.
    pub fn wait_until(&self, task: impl Future<Output = ()> + 'static) -> Result<()> {
        self.platform.wait_until(Box::pin(task))
    }

    /// The provider's id for this invocation.
    pub fn request_id(&self) -> &str {
        if let Some(given) = &self.meta.given.request_id {
            return given;
        }
        self.meta
            .request_id
            .get_or_init(|| match self.platform.learn(OnDemand::RequestId) {
                Some(Learned::RequestId(id)) => id,
                _ => String::new(),
            })
    }

    /// The client's IP address, where the target knows it.
    pub fn client_ip(&self) -> Option<IpAddr> {
        self.meta.given.client_ip.or_else(|| {
            *self
                .meta
                .client_ip
                .get_or_init(|| match self.platform.learn(OnDemand::ClientIp) {
                    Some(Learned::ClientIp(ip)) => Some(ip),
                    _ => None,
                })
        })
    }

    /// When the provider will stop this invocation.
    pub fn deadline(&self) -> Option<SystemTime> {
        self.meta.given.deadline
    }

    /// Time left before [`Context::deadline`] (zero once passed).
    pub fn remaining(&self) -> Option<Duration> {
        let deadline = self.meta.given.deadline?;
        Some(
            deadline
                .duration_since(SystemTime::now())
                .unwrap_or_default(),
        )
    }

    /// A provider-specific fact, e.g. `cx.meta("aws.function_arn")`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        fn find<'a>(facts: &'a [(Cow<'static, str>, String)], key: &str) -> Option<&'a str> {
            facts
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        }
        if let Some(found) = find(&self.meta.given.extra, key) {
            return Some(found);
        }
        let learned = self
            .meta
            .extra
            .get_or_init(|| match self.platform.learn(OnDemand::Extra) {
                Some(Learned::Extra { facts, left_out }) => ExtraFacts { facts, left_out },
                _ => ExtraFacts::default(),
            });
        let found = find(&learned.facts, key);
        if found.is_none()
            && let Some(why) = find(&learned.left_out, key)
        {
            tracing::warn!("{why}");
        }
        found
    }

    /// The facts the adapter filled in for this invocation (without the ones it learns on
    /// demand).
    pub fn request_meta(&self) -> &RequestMeta {
        &self.meta.given
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("target", &self.target())
            .field("meta", &self.meta.given)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::block_on;

    struct Bare;
    impl Platform for Bare {
        fn target(&self) -> &'static str {
            "bare"
        }
        fn var(&self, name: &str) -> Option<String> {
            (name == "A").then(|| "1".to_owned())
        }
        fn secret(&self, _: &str) -> Option<String> {
            None
        }
        fn learn(&self, fact: OnDemand) -> Option<Learned> {
            Some(match fact {
                OnDemand::RequestId => Learned::RequestId("bare-1".into()),
                OnDemand::ClientIp => {
                    IP_CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Learned::ClientIp(IpAddr::from([192, 0, 2, 7]))
                }
                OnDemand::Extra => {
                    let calls = COSTLY_CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Learned::Extra {
                        facts: vec![("bare.geo".into(), format!("call {calls}"))],
                        left_out: vec![("bare.city".into(), "no cities in this build".into())],
                    }
                }
            })
        }
    }

    static COSTLY_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static IP_CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    fn cx() -> Context {
        let mut meta = RequestMeta::default();
        meta.extra.push(("bare.zone".into(), "z1".into()));
        Context::new(Arc::new(Bare), meta)
    }

    #[test]
    fn missing_capabilities_fail_loudly_naming_target_and_capability() {
        let cx = cx();
        let kv = cx.kv("default").unwrap_err();
        assert_eq!(kv.to_string(), "the `bare` target does not support `kv`");
        let fetch = block_on(cx.fetch_url("http://example.com/")).unwrap_err();
        assert_eq!(
            fetch.to_string(),
            "the `bare` target does not support `fetch`"
        );
        let wait = cx.wait_until(async {}).unwrap_err();
        assert_eq!(
            wait.to_string(),
            "the `bare` target does not support `wait_until`"
        );
    }

    #[test]
    fn vars_and_meta_come_from_the_platform() {
        let cx = cx();
        assert_eq!(cx.var("A").as_deref(), Some("1"));
        assert_eq!(cx.var("B"), None);
        assert_eq!(cx.meta("bare.zone"), Some("z1"));
        assert_eq!(
            COSTLY_CALLS.load(std::sync::atomic::Ordering::SeqCst),
            0,
            "facts at hand cost nothing"
        );
        let copy = cx.clone();
        assert_eq!(cx.meta("bare.geo"), Some("call 0"));
        assert_eq!(
            copy.meta("bare.geo"),
            Some("call 0"),
            "asked once per invocation"
        );
        let logged = crate::log_lines::tests::collected(|| {
            assert_eq!(cx.meta("bare.nothing"), None);
            assert_eq!(cx.meta("bare.city"), None);
            assert_eq!(cx.meta("bare.geo"), Some("call 0"));
        });
        assert_eq!(
            logged,
            ["WARN faasade_core::context: no cities in this build"],
            "a fact the build left out says why; an unknown one and an answered one say nothing"
        );
        assert_eq!(cx.request_id(), "bare-1", "an id left empty is asked for");
        assert_eq!(cx.remaining(), None);
    }

    #[test]
    fn a_client_ip_left_empty_is_asked_for_once() {
        let calls = || IP_CALLS.load(std::sync::atomic::Ordering::SeqCst);
        let cx = cx();
        assert_eq!(calls(), 0, "not asked for before the app reads it");
        let ip = Some(IpAddr::from([192, 0, 2, 7]));
        assert_eq!(cx.client_ip(), ip);
        assert_eq!(cx.clone().client_ip(), ip);
        assert_eq!(calls(), 1, "asked once per invocation");

        let meta = RequestMeta {
            client_ip: Some(IpAddr::from([198, 51, 100, 1])),
            ..RequestMeta::default()
        };
        let given = Context::new(Arc::new(Bare), meta);
        assert_eq!(given.client_ip(), Some(IpAddr::from([198, 51, 100, 1])));
        assert_eq!(calls(), 1, "an address at hand costs nothing");
    }

    #[test]
    fn context_is_send_and_sync() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Context>();
    }
}
