//! Limits for all instances together, not only for each: how many exist at once (the pool's
//! slots, waited for briefly, then `503`), and how much linear memory they hold in total.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Instances the pooling allocator holds; one request in flight uses one.
pub(crate) const POOL_INSTANCES: u32 = 256;

/// How long a request waits for a free instance before it is answered `503`.
pub(crate) const QUEUE_WAIT: Duration = Duration::from_secs(1);

/// The instance slots: a request takes one before it gets an instance and keeps it until its
/// response body is sent.
#[derive(Debug)]
pub(crate) struct Slots(Arc<Semaphore>);

impl Slots {
    pub(crate) fn new() -> Self {
        Self(Arc::new(Semaphore::new(POOL_INSTANCES as usize)))
    }

    /// A slot, or `None` when none frees up within [`QUEUE_WAIT`].
    pub(crate) async fn take(&self) -> Option<OwnedSemaphorePermit> {
        tokio::time::timeout(QUEUE_WAIT, self.0.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }
}

/// A response body that holds its request's instance slot until it ends or is dropped.
pub(crate) struct Holding<B> {
    body: B,
    _slot: OwnedSemaphorePermit,
}

impl<B> Holding<B> {
    pub(crate) fn new(body: B, slot: OwnedSemaphorePermit) -> Self {
        Self { body, _slot: slot }
    }
}

impl<B: http_body::Body + Unpin> http_body::Body for Holding<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// Linear memory every instance of the host holds together.
#[derive(Debug)]
pub(crate) struct HostMemory {
    used: AtomicUsize,
    total: usize,
}

impl HostMemory {
    pub(crate) fn new(total: usize) -> Arc<Self> {
        Arc::new(Self {
            used: AtomicUsize::new(0),
            total,
        })
    }

    /// `bytes` more, if the total allows them.
    fn reserve(&self, bytes: usize) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&after| after <= self.total)
            })
            .is_ok()
    }
}

/// One instance's memory limiter: each memory up to `per_memory`, and all instances within
/// the host's total. What it reserved is given back when the instance's store is dropped.
pub(crate) struct InstanceMemory {
    host: Arc<HostMemory>,
    per_memory: usize,
    held: usize,
}

impl InstanceMemory {
    pub(crate) fn new(host: Arc<HostMemory>, per_memory: usize) -> Self {
        Self {
            host,
            per_memory,
            held: 0,
        }
    }
}

impl wasmtime::ResourceLimiter for InstanceMemory {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // An error traps the instance, so the request gets a 500 and a log line with this.
        if desired > self.per_memory {
            wasmtime::bail!(
                "memory limit reached: {} MiB asked, {} MiB allowed per instance",
                desired >> 20,
                self.per_memory >> 20
            );
        }
        let extra = desired.saturating_sub(current);
        if !self.host.reserve(extra) {
            wasmtime::bail!(
                "the host's memory budget ({} MiB for all instances) is in use",
                self.host.total >> 20
            );
        }
        self.held += extra;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(maximum.is_none_or(|max| desired <= max))
    }
}

impl Drop for InstanceMemory {
    fn drop(&mut self) {
        self.host.used.fetch_sub(self.held, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtime::ResourceLimiter;

    #[test]
    fn instances_share_the_hosts_total_and_give_it_back() {
        let host = HostMemory::new(100 << 20);
        let mut a = InstanceMemory::new(host.clone(), 64 << 20);
        let mut b = InstanceMemory::new(host.clone(), 64 << 20);
        assert!(a.memory_growing(0, 60 << 20, None).unwrap());
        assert!(
            a.memory_growing(0, 65 << 20, None).is_err(),
            "past one instance's limit"
        );
        let e = b.memory_growing(0, 50 << 20, None).unwrap_err();
        assert!(e.to_string().contains("budget"), "{e}");
        assert!(b.memory_growing(0, 40 << 20, None).unwrap());
        drop(a);
        assert_eq!(host.used.load(Ordering::Acquire), 40 << 20);
        assert!(b.memory_growing(40 << 20, 64 << 20, None).unwrap());
        drop(b);
        assert_eq!(host.used.load(Ordering::Acquire), 0);
    }
}
