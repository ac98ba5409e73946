//! A limit on open connections that slow clients cannot use up.
//!
//! A server admits each connection it accepts. Below the limit that is immediate. At the limit,
//! the oldest connection that is not being answered (one still sending its request head, or
//! idle between requests) is closed to make room; clients that send nothing, or send it slowly,
//! are the ones that go. When every open connection is being answered, admitting waits until
//! one finishes, and the server accepts nothing meanwhile, leaving new clients in the kernel's
//! queue (back-pressure) rather than running out of file descriptors.
//!
//! The local server and the Wasm host both use it, with hyper's header-read timeout for the
//! clients that hold a connection without ever finishing a request.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::TokioTimer;

use tokio::sync::Notify;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

/// hyper's HTTP/1 settings every Faasade server shares: with a timer, hyper closes a connection
/// whose request head takes longer than `header_timeout`, and one idle between requests as long.
pub fn http1(header_timeout: Duration) -> http1::Builder {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    http
}

/// The open connections of a server, up to a limit.
#[derive(Debug)]
pub struct Connections {
    max: usize,
    open: Mutex<VecDeque<Arc<Slot>>>,
    /// Signalled when a connection ends or stops being answered, while someone waits.
    changed: Notify,
    /// Admissions waiting for room: nothing is signalled while there are none, so answering a
    /// request costs two atomic operations and no lock.
    waiting: AtomicUsize,
}

#[derive(Debug, Default)]
struct Slot {
    answering: AtomicUsize,
    close: CancellationToken,
}

impl Connections {
    /// Room for `max` connections (at least one).
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max: max.max(1),
            open: Mutex::new(VecDeque::new()),
            changed: Notify::new(),
            waiting: AtomicUsize::new(0),
        })
    }

    /// How many connections are open.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Room for a connection just accepted; see the module's docs for what happens at the limit.
    pub async fn admit(self: &Arc<Self>) -> Admitted {
        if let Some(admitted) = self.try_admit() {
            return admitted;
        }
        self.waiting.fetch_add(1, Ordering::AcqRel);
        let admitted = loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            // Registered before looking, so a change in between is not missed.
            changed.as_mut().enable();
            if let Some(admitted) = self.try_admit() {
                break admitted;
            }
            changed.await;
        };
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        admitted
    }

    /// Wake the admissions waiting for room, if any.
    fn changed(&self) {
        if self.waiting.load(Ordering::Acquire) > 0 {
            self.changed.notify_waiters();
        }
    }

    /// Admitted now, closing the oldest idle connection at the limit; `None` when every open
    /// connection is being answered.
    fn try_admit(self: &Arc<Self>) -> Option<Admitted> {
        let mut open = self.lock();
        if open.len() >= self.max {
            let oldest_idle = open
                .iter()
                .position(|slot| slot.answering.load(Ordering::Acquire) == 0)?;
            if let Some(slot) = open.remove(oldest_idle) {
                slot.close.cancel();
            }
        }
        let slot = Arc::new(Slot::default());
        open.push_back(slot.clone());
        Some(Admitted {
            slot,
            connections: self.clone(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Slot>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An admitted connection: it leaves the count when dropped.
#[derive(Debug)]
pub struct Admitted {
    slot: Arc<Slot>,
    connections: Arc<Connections>,
}

impl Admitted {
    /// Resolves when the connection must close to make room for a newer one.
    pub fn closed(&self) -> WaitForCancellationFutureOwned {
        self.slot.close.clone().cancelled_owned()
    }

    /// A handle for the connection's requests, which may outlive this borrow.
    pub fn requests(&self) -> Requests {
        Requests {
            slot: self.slot.clone(),
            connections: self.connections.clone(),
        }
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.connections.lock();
        if let Some(at) = open.iter().position(|s| Arc::ptr_eq(s, &self.slot)) {
            open.remove(at);
        }
        drop(open);
        self.connections.changed();
    }
}

/// Marks a connection as being answered, so it is not closed to make room.
#[derive(Debug, Clone)]
pub struct Requests {
    slot: Arc<Slot>,
    connections: Arc<Connections>,
}

impl Requests {
    /// The connection is being answered until the guard drops.
    pub fn answering(&self) -> Answering {
        self.slot.answering.fetch_add(1, Ordering::AcqRel);
        Answering(self.clone())
    }

    /// `answer`, with the connection marked as being answered from now until it completes.
    pub fn during<F: Future>(&self, answer: F) -> impl Future<Output = F::Output> + use<F> {
        let answering = self.answering();
        async move {
            let out = answer.await;
            drop(answering);
            out
        }
    }
}

/// See [`Requests::answering`].
#[derive(Debug)]
pub struct Answering(Requests);

impl Drop for Answering {
    fn drop(&mut self) {
        if self.0.slot.answering.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.connections.changed();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn at_the_limit_the_oldest_idle_connection_makes_room() {
        runtime().block_on(async {
            let connections = Connections::new(2);
            let first = connections.admit().await;
            let second = connections.admit().await;
            let _answering = first.requests().answering();
            // The first is being answered: the second, idle, is closed for the third.
            let third = connections.admit().await;
            assert_eq!(connections.len(), 2);
            tokio::time::timeout(Duration::from_secs(1), second.closed())
                .await
                .expect("the idle connection is told to close");
            assert!(
                tokio::time::timeout(Duration::from_millis(50), first.closed())
                    .await
                    .is_err()
            );
            drop(second);
            assert_eq!(connections.len(), 2);
            drop(third);
            assert_eq!(connections.len(), 1);
        });
    }

    #[test]
    fn when_every_connection_is_answered_admitting_waits_for_one() {
        runtime().block_on(async {
            let connections = Connections::new(1);
            let only = connections.admit().await;
            let answering = only.requests().answering();
            let waiting = tokio::spawn({
                let connections = connections.clone();
                async move { connections.admit().await }
            });
            tokio::time::sleep(Duration::from_millis(50)).await;
            assert!(!waiting.is_finished(), "admitted past the limit");
            // Once answered, the connection is idle and gives way.
            drop(answering);
            let next = tokio::time::timeout(Duration::from_secs(1), waiting)
                .await
                .expect("admitted once the connection was idle")
                .unwrap();
            tokio::time::timeout(Duration::from_secs(1), only.closed())
                .await
                .unwrap();
            drop(only);
            assert_eq!(connections.len(), 1);
            drop(next);
            assert!(connections.is_empty());
        });
    }
}
