//! Where tokens live between calls: the [`TokenStore`] trait and its in-memory default.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::secret::Secret;

/// A token (access token or ticket) with its absolute expiry.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredToken {
    /// The token value.
    pub value: Secret,
    /// Unix second at which WeChat stops accepting it.
    pub expires_at: u64,
}

impl StoredToken {
    /// True while the token has more than `margin` seconds left at `now`.
    pub fn is_fresh(&self, now: u64, margin: u64) -> bool {
        self.expires_at > now.saturating_add(margin)
    }
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("value", &self.value)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Proof of holding a refresh lock, handed back to [`TokenStore::unlock`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LockId(pub u64);

/// Shared storage for tokens, so that every client (and, with a shared backend, every process)
/// of one app uses one token and refreshes it once.
///
/// Keys are namespaced by the caller (`{appid}:access_token`, `{appid}:ticket:wx_card`).
#[async_trait::async_trait]
pub trait TokenStore: Send + Sync + 'static {
    /// The stored token, if any (expired ones may be returned; the caller judges freshness).
    async fn get(&self, key: &str) -> Result<Option<StoredToken>>;
    /// Store a token, replacing any other.
    async fn put(&self, key: &str, token: StoredToken) -> Result<()>;
    /// Delete the stored token only if its value is still `expected`; true if it was deleted.
    async fn compare_and_delete(&self, key: &str, expected: &Secret) -> Result<bool>;
    /// Take the refresh lock for `key` if no one holds it; it expires by itself after `ttl`.
    async fn try_lock(&self, key: &str, ttl: Duration) -> Result<Option<LockId>>;
    /// Release the refresh lock, only if `id` still holds it.
    async fn unlock(&self, key: &str, id: LockId) -> Result<()>;

    /// The refresh holding lock `id` was cancelled (its future dropped) before it could
    /// [`unlock`](Self::unlock): release the lock now if that can be done without waiting, so
    /// other clients and processes need not wait for its TTL. Called from `Drop`, so it must
    /// not block; a store whose release is asynchronous may start it in the background (the
    /// Redis store does, on the current tokio runtime). The default does nothing, leaving the
    /// lock to expire after its TTL.
    fn abandon_lock(&self, key: &str, id: LockId) {
        let _ = (key, id);
    }
}

/// The in-process [`TokenStore`]: a map behind a mutex. Clone an `Arc` of it to share it
/// between clients of the same app.
#[derive(Default)]
pub struct MemoryTokenStore {
    tokens: Mutex<HashMap<String, StoredToken>>,
    locks: Mutex<HashMap<String, (LockId, Instant)>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = lock(&self.tokens).keys().cloned().collect();
        f.debug_struct("MemoryTokenStore")
            .field("keys", &keys)
            .finish()
    }
}

/// Lock a std mutex, recovering the data if a panicking thread poisoned it (the maps stay
/// consistent: every critical section is a single insert, remove or read).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[async_trait::async_trait]
impl TokenStore for MemoryTokenStore {
    async fn get(&self, key: &str) -> Result<Option<StoredToken>> {
        Ok(lock(&self.tokens).get(key).cloned())
    }

    async fn put(&self, key: &str, token: StoredToken) -> Result<()> {
        lock(&self.tokens).insert(key.to_owned(), token);
        Ok(())
    }

    async fn compare_and_delete(&self, key: &str, expected: &Secret) -> Result<bool> {
        let mut tokens = lock(&self.tokens);
        if tokens.get(key).is_some_and(|t| &t.value == expected) {
            tokens.remove(key);
            return Ok(true);
        }
        Ok(false)
    }

    async fn try_lock(&self, key: &str, ttl: Duration) -> Result<Option<LockId>> {
        let mut locks = lock(&self.locks);
        let now = Instant::now();
        if locks.get(key).is_some_and(|(_, until)| *until > now) {
            return Ok(None);
        }
        // Random, not sequential: a wrapper store (FallbackTokenStore) may hand one id to two
        // stores, which must then not collide.
        let id = LockId(crate::retry::random_u64());
        locks.insert(key.to_owned(), (id, now + ttl));
        Ok(Some(id))
    }

    async fn unlock(&self, key: &str, id: LockId) -> Result<()> {
        self.abandon_lock(key, id);
        Ok(())
    }

    fn abandon_lock(&self, key: &str, id: LockId) {
        let mut locks = lock(&self.locks);
        if locks.get(key).is_some_and(|(held, _)| *held == id) {
            locks.remove(key);
        }
    }
}
