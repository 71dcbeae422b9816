//! Access tokens: where they come from, how they are cached and shared, and how a rejected one
//! is replaced.
//!
//! The default provider fetches `GET /cgi-bin/token`, keeps the token in a [`TokenStore`] with
//! its absolute expiry and a safety margin, refreshes it single-flight (a thousand concurrent
//! calls on an expired token make one fetch), and forgets it when WeChat rejects it, but only if
//! the stored token is still the one that failed. [`FixedToken`] serves tokens managed elsewhere.
//!
//! [`TokenEndpoint::StableToken`] switches the fetcher to `POST /cgi-bin/stable_token`, and
//! [`FallbackTokenStore`] lets a shared store (Redis) fall back to process memory while it is
//! unreachable.

mod cache;
mod fallback;
mod source;
mod stable;
mod store;

use std::fmt;
use std::sync::{Arc, Mutex};

pub(crate) use cache::TokenCache;
pub use cache::{CachePolicy, FetchedToken};
pub use fallback::FallbackTokenStore;
pub(crate) use source::decode_token;
pub use source::{ClientCredentialSource, TokenSource};
pub use stable::{StableTokenSource, TokenEndpoint};
pub use store::{LockId, MemoryTokenStore, StoredToken, TokenStore};

use crate::error::Result;
use crate::secret::Secret;

/// Supplies the `access_token` for every call.
#[async_trait::async_trait]
pub trait AccessTokenProvider: Send + Sync + 'static {
    /// A token believed valid.
    async fn access_token(&self) -> Result<Secret>;

    /// WeChat rejected `rejected` (40001/40014/42001). Forget it if it is still current, so the
    /// next [`access_token`](Self::access_token) call returns a different one if it can.
    async fn invalidate(&self, rejected: &Secret) -> Result<()>;
}

/// A token managed outside this library (a central token service, say). Never refreshed:
/// [`invalidate`](AccessTokenProvider::invalidate) does nothing, so a rejected fixed token
/// surfaces as the API error.
#[derive(Clone)]
pub struct FixedToken(Secret);

impl FixedToken {
    /// Serve `token` for every call.
    pub fn new(token: impl Into<Secret>) -> Self {
        Self(token.into())
    }
}

impl fmt::Debug for FixedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("FixedToken").field(&self.0).finish()
    }
}

#[async_trait::async_trait]
impl AccessTokenProvider for FixedToken {
    async fn access_token(&self) -> Result<Secret> {
        Ok(self.0.clone())
    }

    async fn invalidate(&self, _rejected: &Secret) -> Result<()> {
        Ok(())
    }
}

/// Tokens from a [`TokenSource`], cached in a [`TokenStore`].
///
/// After WeChat rejects a token, the next fetch this provider makes (if it is the one to fetch)
/// goes through [`TokenSource::fetch_after_rejection`], so a stable-token source forces a new
/// token exactly then and at no other time.
pub(crate) struct CachedAccessToken {
    cache: TokenCache,
    source: Arc<dyn TokenSource>,
    /// The token WeChat last rejected, until a different one is in hand.
    rejected: Mutex<Option<Secret>>,
}

impl CachedAccessToken {
    pub(crate) fn new(cache: TokenCache, source: Arc<dyn TokenSource>) -> Self {
        Self {
            cache,
            source,
            rejected: Mutex::new(None),
        }
    }

    fn rejected(&self) -> std::sync::MutexGuard<'_, Option<Secret>> {
        // Every critical section is one read or write of the Option: poisoning cannot leave it
        // half-updated.
        self.rejected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn fetch(&self) -> Result<FetchedToken> {
        let after_rejection = self.rejected().is_some();
        if after_rejection {
            self.source.fetch_after_rejection().await
        } else {
            self.source.fetch().await
        }
    }
}

impl fmt::Debug for CachedAccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedAccessToken")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl AccessTokenProvider for CachedAccessToken {
    async fn access_token(&self) -> Result<Secret> {
        let token = self.cache.get(|| self.fetch()).await?;
        let mut rejected = self.rejected();
        if rejected.as_ref().is_some_and(|r| *r != token) {
            *rejected = None;
        }
        Ok(token)
    }

    async fn invalidate(&self, rejected: &Secret) -> Result<()> {
        // Remember the rejection whether or not this call removes the token: if this process
        // ends up making the next fetch, it must not be handed the rejected token again.
        *self.rejected() = Some(rejected.clone());
        let removed = self.cache.invalidate(rejected).await?;
        tracing::debug!(removed, "access token rejected by WeChat");
        Ok(())
    }
}
