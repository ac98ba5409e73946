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

    /// Facts about the invocation that cost the adapter a host call or a parse to learn
    /// (Fastly's geolocation): asked for at most once per invocation, the first time the app
    /// reads a fact [`RequestMeta::extra`] does not hold, so apps that never ask never pay.
    fn costly_meta(&self) -> Vec<(Cow<'static, str>, String)> {
        Vec::new()
    }

    /// The invocation's id, where learning it costs the adapter a host call: asked for at
    /// most once, and only when [`RequestMeta::request_id`] was left empty and the app reads
    /// [`Context::request_id`].
    fn costly_request_id(&self) -> String {
        String::new()
    }

    /// The client's address, where learning it costs the adapter host calls (Fastly's client
    /// metadata): asked for at most once, and only when [`RequestMeta::client_ip`] was left
    /// empty and the app reads [`Context::client_ip`].
    fn costly_client_ip(&self) -> Option<IpAddr> {
        None
    }

    /// Told when the app asks [`Context::meta`] for a fact the adapter has no answer to, so an
    /// adapter whose build left out what would answer it (Fastly's geolocation without the
    /// `geo` feature) can say so in the log rather than answer `None` silently.
    fn missing_meta(&self, key: &str) {
        let _ = key;
    }
}

/// Facts about the current invocation, filled in by the adapter.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RequestMeta {
    /// The provider's id for this invocation (a generated one where the provider has none).
    /// Empty when the adapter learns it only on demand ([`Platform::costly_request_id`]).
    pub request_id: String,
    /// The client's address, where the provider tells it. Empty when the adapter learns it
    /// only on demand ([`Platform::costly_client_ip`]).
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

/// The adapter's facts, and the costly ones once asked for.
struct Meta {
    given: RequestMeta,
    costly: OnceLock<Vec<(Cow<'static, str>, String)>>,
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
                costly: OnceLock::new(),
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
        let given = &self.meta.given.request_id;
        if !given.is_empty() {
            return given;
        }
        self.meta
            .request_id
            .get_or_init(|| self.platform.costly_request_id())
    }

    /// The client's IP address, where the target knows it.
    pub fn client_ip(&self) -> Option<IpAddr> {
        self.meta.given.client_ip.or_else(|| {
            *self
                .meta
                .client_ip
                .get_or_init(|| self.platform.costly_client_ip())
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
        let found = find(&self.meta.given.extra, key).or_else(|| {
            let costly = self.meta.costly.get_or_init(|| self.platform.costly_meta());
            find(costly, key)
        });
        if found.is_none() {
            self.platform.missing_meta(key);
        }
        found
    }

    /// The facts the adapter filled in for this invocation (without the costly ones
    /// [`Context::meta`] fetches on demand).
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
        fn costly_request_id(&self) -> String {
            "bare-1".into()
        }
        fn costly_meta(&self) -> Vec<(Cow<'static, str>, String)> {
            let calls = COSTLY_CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            vec![("bare.geo".into(), format!("call {calls}"))]
        }
        fn costly_client_ip(&self) -> Option<IpAddr> {
            IP_CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Some(IpAddr::from([192, 0, 2, 7]))
        }
        fn missing_meta(&self, key: &str) {
            MISSING.lock().unwrap().push(key.to_owned());
        }
    }

    static MISSING: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

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
        assert_eq!(cx.meta("bare.nothing"), None);
        assert!(
            MISSING.lock().unwrap().iter().any(|k| k == "bare.nothing"),
            "the platform hears of a fact it could not answer"
        );
        assert!(
            !MISSING.lock().unwrap().iter().any(|k| k == "bare.geo"),
            "but not of those it answered"
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
