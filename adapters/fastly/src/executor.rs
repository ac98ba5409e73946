//! Drives a future to completion inside Fastly's synchronous entry point. Fastly's host calls
//! block, so the app's futures finish without waiting on anything; a future that stays pending
//! without waking itself would wait forever and is answered with an error instead.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use faasade_core::Error;

struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The future's output, or an error when it is pending with nothing left to wake it.
pub(crate) fn block_on<F: Future>(future: F) -> Result<F::Output, Error> {
    let mut future = pin!(future);
    let flag = Arc::new(Flag(AtomicBool::new(false)));
    let waker = Waker::from(flag.clone());
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return Ok(out);
        }
        if !flag.0.swap(false, Ordering::SeqCst) {
            return Err(Error::internal(
                "the handler awaited something that never completes on the `fastly` target \
                 (host calls block there: timers and foreign runtimes are not available)",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_futures_and_self_waking_ones_finish() {
        assert_eq!(block_on(async { 7 }).unwrap(), 7);
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
        assert_eq!(block_on(yield_once).unwrap(), 1);
    }

    #[test]
    fn a_future_nothing_wakes_is_an_error_not_a_hang() {
        let e = block_on(std::future::pending::<()>()).unwrap_err();
        assert_eq!(e.status(), 500);
        assert!(e.to_string().contains("never completes"), "{e}");
    }
}
