//! Drives a future to completion inside a synchronous entry point (Fastly's `main`, a
//! `wasi:http` 0.2 `incoming-handler`), where the host's calls block: the app's futures finish
//! without waiting on anything, and a future that stays pending without waking itself would
//! wait forever, so it is answered with an error instead.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use std::cell::RefCell;

use crate::{Error, LocalBoxFuture};

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The future's output, or an error naming `target` when it is pending with nothing left to
/// wake it.
pub fn block_on<F: Future>(target: &str, future: F) -> Result<F::Output, Error> {
    let mut future = pin!(future);
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return Ok(out);
        }
        if !flag.0.swap(false, Ordering::SeqCst) {
            return Err(Error::internal(format!(
                "the handler awaited something that never completes on the `{target}` target \
                 (host calls block there: timers and foreign runtimes are not available)"
            )));
        }
    }
}

thread_local! {
    /// Work handed to `wait_until`, run once the reply is sent.
    static AFTER_RESPONSE: RefCell<Vec<LocalBoxFuture<'static, ()>>> = const { RefCell::new(Vec::new()) };
}

/// Queue `task` to run once the reply is sent: `wait_until` where the entry point is
/// synchronous and the host lets the instance work after replying (Fastly, `wasi:http` 0.2).
pub fn after_response(task: LocalBoxFuture<'static, ()>) {
    AFTER_RESPONSE.with(|tasks| tasks.borrow_mut().push(task));
}

/// Run every task [`after_response`] queued, in order, logging those that cannot finish on
/// `target`.
pub fn run_after_response(target: &str) {
    for task in AFTER_RESPONSE.with(|tasks| std::mem::take(&mut *tasks.borrow_mut())) {
        if let Err(e) = block_on(target, task) {
            tracing::error!("a wait_until task did not finish: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_futures_and_self_waking_ones_finish() {
        assert_eq!(block_on("t", async { 7 }).unwrap(), 7);
        let mut yielded = false;
        let yield_once = std::future::poll_fn(move |cx| {
            if yielded {
                Poll::Ready(1)
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        });
        assert_eq!(block_on("t", yield_once).unwrap(), 1);
    }

    #[test]
    fn queued_tasks_run_in_order_when_asked_and_once() {
        use std::rc::Rc;
        let ran = Rc::new(RefCell::new(Vec::new()));
        for n in [1, 2] {
            let ran = ran.clone();
            after_response(Box::pin(async move { ran.borrow_mut().push(n) }));
        }
        after_response(Box::pin(std::future::pending()));
        assert!(ran.borrow().is_empty(), "nothing runs before the reply");
        run_after_response("t");
        assert_eq!(*ran.borrow(), [1, 2]);
        run_after_response("t");
        assert_eq!(*ran.borrow(), [1, 2], "each task runs once");
    }

    #[test]
    fn a_future_nothing_wakes_is_an_error_not_a_hang() {
        let e = block_on("t", std::future::pending::<()>()).unwrap_err();
        assert_eq!(e.status(), 500);
        assert!(e.to_string().contains("never completes"), "{e}");
    }
}
