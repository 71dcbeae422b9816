//! Single-flight caching of one token in a [`TokenStore`].

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::store::{LockId, StoredToken, TokenStore};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::sleep::Sleep;

/// A token fetched from WeChat, before it is given an absolute expiry.
#[derive(Clone)]
pub struct FetchedToken {
    /// The token value.
    pub value: Secret,
    /// Seconds of validity WeChat announced.
    pub expires_in: u64,
}

impl fmt::Debug for FetchedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FetchedToken")
            .field("value", &self.value)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// Timings of a token cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// A token is refreshed once it has this little validity left.
    pub safety_margin: Duration,
    /// How long a refresh lock lives if its holder dies without releasing it. Keep it longer
    /// than a token fetch can take (the transport's request timeout), or a second process may
    /// start a fetch while the first is still under way.
    pub lock_ttl: Duration,
    /// How often a caller waiting for another holder's refresh looks at the store again.
    pub poll_interval: Duration,
}

impl Default for CachePolicy {
    fn default() -> Self {
        Self {
            safety_margin: Duration::from_secs(300),
            lock_ttl: Duration::from_secs(45),
            poll_interval: Duration::from_millis(50),
        }
    }
}

/// One cached token: read from the store while fresh, otherwise refreshed by exactly one caller
/// (a process-local mutex, then the store's refresh lock for callers in other processes).
pub(crate) struct TokenCache {
    store: Arc<dyn TokenStore>,
    key: String,
    lock_key: String,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleep>,
    policy: CachePolicy,
    local: tokio::sync::Mutex<()>,
    /// Count of failed refreshes, so callers that waited on a failing refresh share its error
    /// instead of repeating it one after another.
    failures: AtomicU64,
    last_failure: Mutex<Option<Error>>,
    /// A store lock whose holder was cancelled mid-refresh; the next refresher releases it.
    abandoned: Mutex<Option<LockId>>,
    /// The lifetime of the last token fetched here: the safety margin never exceeds half of
    /// it, so a short-lived token is still cached.
    lifetime: AtomicU64,
}

/// Releases (by handing it to the next refresher) a store lock whose refresh was cancelled.
struct HeldLock<'a> {
    cache: &'a TokenCache,
    id: Option<LockId>,
}

impl Drop for HeldLock<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            // Cancelled mid-refresh: let the store release what it can at once, and have this
            // cache's next refresher release it for sure.
            self.cache.store.abandon_lock(&self.cache.lock_key, id);
            *lock(&self.cache.abandoned) = Some(id);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("key", &self.key)
            .field("policy", &self.policy)
            .finish()
    }
}

impl TokenCache {
    pub(crate) fn new(
        store: Arc<dyn TokenStore>,
        key: String,
        clock: Arc<dyn Clock>,
        sleeper: Arc<dyn Sleep>,
        policy: CachePolicy,
    ) -> Self {
        let lock_key = format!("{key}:lock");
        Self {
            store,
            key,
            lock_key,
            clock,
            sleeper,
            policy,
            local: tokio::sync::Mutex::new(()),
            failures: AtomicU64::new(0),
            last_failure: Mutex::new(None),
            abandoned: Mutex::new(None),
            lifetime: AtomicU64::new(u64::MAX),
        }
    }

    /// The safety margin in force: the policy's, but at most half the last known lifetime.
    fn margin(&self) -> u64 {
        let lifetime = self.lifetime.load(Ordering::Relaxed);
        self.policy.safety_margin.as_secs().min(lifetime / 2)
    }

    async fn fresh(&self) -> Result<Option<StoredToken>> {
        let margin = self.margin();
        let now = self.clock.now_unix();
        Ok(self
            .store
            .get(&self.key)
            .await?
            .filter(|t| t.is_fresh(now, margin)))
    }

    /// The cached token, or a new one from `fetch` if none is fresh. Concurrent callers share
    /// one fetch.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<Secret>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken>>,
    {
        if let Some(token) = self.fresh().await? {
            return Ok(token.value);
        }
        let failures_seen = self.failures.load(Ordering::SeqCst);
        let _local = self.local.lock().await;
        if self.failures.load(Ordering::SeqCst) != failures_seen {
            // The refresh this caller waited for failed: share that outcome rather than
            // repeating the fetch once per waiting caller. The client's retry policy decides
            // whether to try again (with backoff).
            let shared = lock(&self.last_failure).as_ref().map(Error::duplicate);
            if let Some(error) = shared {
                return Err(error);
            }
        }
        let abandoned = lock(&self.abandoned).take();
        if let Some(id) = abandoned {
            self.release(id).await;
        }
        // Another holder's lock lapses after `lock_ttl`; waiting much longer than that means the
        // store keeps refusing the lock, and the call fails instead of hanging.
        let max_polls =
            self.policy.lock_ttl.as_millis() / self.policy.poll_interval.as_millis().max(1) * 2 + 2;
        let mut polls = 0;
        let id = loop {
            if let Some(token) = self.fresh().await? {
                return Ok(token.value);
            }
            match self
                .store
                .try_lock(&self.lock_key, self.policy.lock_ttl)
                .await?
            {
                Some(id) => break id,
                None if polls >= max_polls => {
                    return Err(Error::token_store(
                        format!(
                            "the refresh lock of {} stayed held past twice its TTL",
                            self.key
                        ),
                        "token refresh lock not obtained",
                    ));
                }
                // Another process is refreshing: wait for its token or for its lock to lapse.
                None => {
                    polls += 1;
                    self.sleeper.sleep(self.policy.poll_interval).await;
                }
            }
        };
        let mut held = HeldLock {
            cache: self,
            id: Some(id),
        };
        let result = match self.fresh().await {
            Ok(Some(token)) => Ok(token.value),
            Ok(None) => self.fetch_and_store(fetch).await,
            Err(e) => Err(e),
        };
        if let Err(error) = &result {
            *lock(&self.last_failure) = Some(error.duplicate());
            self.failures.fetch_add(1, Ordering::SeqCst);
        }
        if let Some(id) = held.id.take() {
            self.release(id).await;
        }
        result
    }

    async fn release(&self, id: LockId) {
        if let Err(e) = self.store.unlock(&self.lock_key, id).await {
            tracing::warn!(key = %self.key, error = %e, "could not release the token refresh lock");
        }
    }

    async fn fetch_and_store<F, Fut>(&self, fetch: F) -> Result<Secret>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FetchedToken>>,
    {
        let fetched = fetch().await?;
        self.lifetime.store(fetched.expires_in, Ordering::Relaxed);
        let expires_at = self.clock.now_unix().saturating_add(fetched.expires_in);
        tracing::debug!(key = %self.key, expires_in = fetched.expires_in, "token refreshed");
        let token = StoredToken {
            value: fetched.value.clone(),
            expires_at,
        };
        self.store.put(&self.key, token).await?;
        Ok(fetched.value)
    }

    /// Forget `rejected` if it is still the stored token; true if it was removed.
    pub(crate) async fn invalidate(&self, rejected: &Secret) -> Result<bool> {
        self.store.compare_and_delete(&self.key, rejected).await
    }
}
