//! Drives a future to completion inside a synchronous entry point (Fastly's `main`, a
//! `wasi:http` 0.2 `incoming-handler`), where the host's calls block: the app's futures finish
//! without waiting on anything, and a future that stays pending without waking itself would
//! wait forever, so it is answered with an error instead.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use crate::Error;

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
    fn a_future_nothing_wakes_is_an_error_not_a_hang() {
        let e = block_on("t", std::future::pending::<()>()).unwrap_err();
        assert_eq!(e.status(), 500);
        assert!(e.to_string().contains("never completes"), "{e}");
    }
}
