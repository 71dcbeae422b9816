//! A shared token store that falls back to process memory while it is unreachable.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::store::{LockId, MemoryTokenStore, StoredToken, TokenStore};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// Wraps a shared [`TokenStore`] (Redis, say) so that calls keep working while it is down, at
/// the price of coordination: an opt-in, for services that prefer a possible extra token fetch
/// (and the 40001 it can cause on other nodes) to failing calls.
///
/// Without this wrapper a failing store fails the call with [`Error::TokenStore`], which is
/// the default because nothing silently diverges. With it:
/// - every token read from or written to the primary is mirrored into an in-process
///   [`MemoryTokenStore`], so a process that had a token when the primary went down keeps
///   using it;
/// - when the primary fails, the operation is served by the in-process store, a warning is
///   logged (once per outage; later failures are logged at debug level), and the primary is
///   left alone for [`retry_primary_after`](Self::retry_primary_after) (5 s by default) so that
///   calls do not each wait for a dead server;
/// - the first operation that succeeds on the primary again ends the outage (logged at info).
///
/// ```
/// use std::sync::Arc;
/// use card_core::token::{FallbackTokenStore, MemoryTokenStore, TokenStore};
///
/// // In production the primary is a `card_redis::RedisTokenStore`.
/// let shared: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
/// let store = FallbackTokenStore::new(shared)
///     .retry_primary_after(std::time::Duration::from_secs(10));
/// # let _ = store;
/// ```
pub struct FallbackTokenStore {
    primary: Arc<dyn TokenStore>,
    local: MemoryTokenStore,
    retry_after: Duration,
    /// When the primary last failed, while it is considered down.
    down_since: Mutex<Option<Instant>>,
}

impl FallbackTokenStore {
    /// Use `primary`, falling back to an in-process store while it fails.
    pub fn new(primary: Arc<dyn TokenStore>) -> Self {
        Self {
            primary,
            local: MemoryTokenStore::new(),
            retry_after: Duration::from_secs(5),
            down_since: Mutex::new(None),
        }
    }

    /// After the primary fails, serve from process memory for this long before trying it again.
    pub fn retry_primary_after(mut self, wait: Duration) -> Self {
        self.retry_after = wait;
        self
    }

    /// True while the primary is considered down and the in-process store serves.
    pub fn is_degraded(&self) -> bool {
        self.down().is_some()
    }

    fn down(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        // One read or write of an Option per critical section: poisoning cannot corrupt it.
        self.down_since
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// False while the primary failed less than `retry_after` ago.
    fn primary_worth_trying(&self) -> bool {
        self.down()
            .is_none_or(|since| since.elapsed() >= self.retry_after)
    }

    fn primary_failed(&self, op: &'static str, error: &Error) {
        let mut down = self.down();
        if down.is_none() {
            tracing::warn!(
                op,
                error = %error,
                "shared token store failed; falling back to the in-process token cache \
                 (processes may now fetch tokens independently)"
            );
        } else {
            tracing::debug!(op, error = %error, "shared token store still failing");
        }
        *down = Some(Instant::now());
    }

    fn primary_answered(&self) {
        if self.down().take().is_some() {
            tracing::info!("shared token store reachable again; leaving the in-process fallback");
        }
    }

    /// Run `op` on the primary if it is worth trying; `None` if it was skipped or failed.
    async fn on_primary<T>(
        &self,
        name: &'static str,
        op: impl std::future::Future<Output = Result<T>>,
    ) -> Option<T> {
        if !self.primary_worth_trying() {
            return None;
        }
        match op.await {
            Ok(value) => {
                self.primary_answered();
                Some(value)
            }
            Err(e) => {
                self.primary_failed(name, &e);
                None
            }
        }
    }
}

impl fmt::Debug for FallbackTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FallbackTokenStore")
            .field("local", &self.local)
            .field("retry_after", &self.retry_after)
            .field("degraded", &self.is_degraded())
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl TokenStore for FallbackTokenStore {
    async fn get(&self, key: &str) -> Result<Option<StoredToken>> {
        match self.on_primary("get", self.primary.get(key)).await {
            Some(found) => {
                if let Some(token) = &found {
                    self.local.put(key, token.clone()).await?;
                }
                Ok(found)
            }
            None => self.local.get(key).await,
        }
    }

    async fn put(&self, key: &str, token: StoredToken) -> Result<()> {
        self.local.put(key, token.clone()).await?;
        self.on_primary("put", self.primary.put(key, token)).await;
        Ok(())
    }

    async fn compare_and_delete(&self, key: &str, expected: &Secret) -> Result<bool> {
        let local = self.local.compare_and_delete(key, expected).await?;
        Ok(self
            .on_primary(
                "compare_and_delete",
                self.primary.compare_and_delete(key, expected),
            )
            .await
            .unwrap_or(local))
    }

    async fn try_lock(&self, key: &str, ttl: Duration) -> Result<Option<LockId>> {
        match self
            .on_primary("try_lock", self.primary.try_lock(key, ttl))
            .await
        {
            Some(lock) => Ok(lock),
            None => self.local.try_lock(key, ttl).await,
        }
    }

    async fn unlock(&self, key: &str, id: LockId) -> Result<()> {
        // The id came from one of the two stores; each releases only a lock it holds under
        // that id, so asking both is safe.
        self.on_primary("unlock", self.primary.unlock(key, id))
            .await;
        self.local.unlock(key, id).await
    }

    fn abandon_lock(&self, key: &str, id: LockId) {
        self.primary.abandon_lock(key, id);
        self.local.abandon_lock(key, id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A store that works while `up` is true and fails otherwise.
    struct Flaky {
        inner: MemoryTokenStore,
        up: AtomicBool,
    }

    impl Flaky {
        fn check(&self) -> Result<()> {
            if self.up.load(Ordering::SeqCst) {
                Ok(())
            } else {
                Err(Error::token_store(
                    "flaky store is down",
                    "connection refused",
                ))
            }
        }
    }

    #[async_trait::async_trait]
    impl TokenStore for Flaky {
        async fn get(&self, key: &str) -> Result<Option<StoredToken>> {
            self.check()?;
            self.inner.get(key).await
        }
        async fn put(&self, key: &str, token: StoredToken) -> Result<()> {
            self.check()?;
            self.inner.put(key, token).await
        }
        async fn compare_and_delete(&self, key: &str, expected: &Secret) -> Result<bool> {
            self.check()?;
            self.inner.compare_and_delete(key, expected).await
        }
        async fn try_lock(&self, key: &str, ttl: Duration) -> Result<Option<LockId>> {
            self.check()?;
            self.inner.try_lock(key, ttl).await
        }
        async fn unlock(&self, key: &str, id: LockId) -> Result<()> {
            self.check()?;
            self.inner.unlock(key, id).await
        }
    }

    fn token(value: &str) -> StoredToken {
        StoredToken {
            value: Secret::new(value),
            expires_at: 2_000_000_000,
        }
    }

    #[tokio::test]
    async fn serves_from_memory_while_the_primary_is_down_and_returns_to_it() {
        let primary = Arc::new(Flaky {
            inner: MemoryTokenStore::new(),
            up: AtomicBool::new(true),
        });
        let store = FallbackTokenStore::new(primary.clone()).retry_primary_after(Duration::ZERO);

        store.put("k", token("T1")).await.unwrap();
        primary.up.store(false, Ordering::SeqCst);
        // The mirrored token is served while the primary is down.
        let got = store.get("k").await.unwrap().unwrap();
        assert_eq!(got.value.expose(), "T1");
        assert!(store.is_degraded());
        let lock = store
            .try_lock("k:lock", Duration::from_secs(5))
            .await
            .unwrap();
        assert!(lock.is_some());
        store.put("k", token("T2")).await.unwrap();
        store.unlock("k:lock", lock.unwrap()).await.unwrap();

        // Back up: the primary is authoritative again.
        primary.up.store(true, Ordering::SeqCst);
        let got = store.get("k").await.unwrap().unwrap();
        assert_eq!(got.value.expose(), "T1");
        assert!(!store.is_degraded());
    }

    #[tokio::test]
    async fn a_failed_primary_is_left_alone_for_a_while() {
        let primary = Arc::new(Flaky {
            inner: MemoryTokenStore::new(),
            up: AtomicBool::new(false),
        });
        let store =
            FallbackTokenStore::new(primary.clone()).retry_primary_after(Duration::from_secs(3600));
        assert!(store.get("k").await.unwrap().is_none());
        assert!(store.is_degraded());
        primary.up.store(true, Ordering::SeqCst);
        primary.inner.put("k", token("T1")).await.unwrap();
        // Still within the wait: the primary is not asked.
        assert!(store.get("k").await.unwrap().is_none());
        assert!(store.is_degraded());
    }
}
