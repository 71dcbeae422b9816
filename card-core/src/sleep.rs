//! Waiting without an async runtime: card-core calls an injected [`Sleep`].

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// The future a [`Sleep`] returns.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Something that can wait. `card-hyper` provides one for tokio; tests can make waiting instant.
pub trait Sleep: Send + Sync + 'static {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

impl<F> Sleep for F
where
    F: Fn(Duration) -> SleepFuture + Send + Sync + 'static,
{
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self(duration)
    }
}

/// A runtime-agnostic sleeper: a short-lived thread wakes the future. Used when no runtime
/// sleeper was injected; waits are rare (a token refresh held elsewhere), so this is acceptable,
/// but a runtime's own timer (`card_hyper::TokioSleep`) is cheaper.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThreadSleep;

impl Sleep for ThreadSleep {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            std::thread::sleep(duration);
            let _ = tx.send(());
        });
        Box::pin(async move {
            let _ = rx.await;
        })
    }
}

/// A sleeper that does not wait at all, for tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSleep;

impl Sleep for NoSleep {
    fn sleep(&self, _duration: Duration) -> SleepFuture {
        Box::pin(std::future::ready(()))
    }
}
