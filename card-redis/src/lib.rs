//! A Redis [`TokenStore`] for `card-core`: every process of an app shares one access token
//! (and one card `api_ticket`) and exactly one of them refreshes it.
//!
//! WeChat keeps one live access token per app; each fetch from `cgi-bin/token` retires the
//! previous one after a short grace period. Services on several machines that each refresh on
//! their own knock each other's tokens out and see 40001 "not latest". With this store every
//! process reads the token from Redis, and when it needs refreshing one process takes a lock
//! in Redis, fetches, stores the result and releases the lock, while the others wait for that
//! result. Pair it with [`TokenEndpoint::StableToken`](card_core::TokenEndpoint) for WeChat's
//! `cgi-bin/stable_token`, which does not retire the current token unless asked to.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use card_core::{CardClient, TokenEndpoint};
//! use card_hyper::{HyperTransport, TokioSleep};
//! use card_redis::RedisTokenStore;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let store = RedisTokenStore::builder("redis://:password@redis.internal:6379/0")
//!     .key_prefix("wechat-card")
//!     .connect()
//!     .await?;
//! let client = CardClient::builder(HyperTransport::new()?)
//!     .credentials("wx1234567890abcdef", std::env::var("WECHAT_SECRET")?)
//!     .token_endpoint(TokenEndpoint::StableToken)
//!     .token_store(Arc::new(store))
//!     .token_lock(Duration::from_secs(15), Duration::from_millis(50))
//!     .sleeper(TokioSleep)
//!     .build()?;
//! let count = client.get_deposit_count("pFAKE_CARD").await?;
//! # let _ = count;
//! # Ok(()) }
//! ```
//!
//! # Keys and values
//!
//! The client names its keys `{appid}:access_token` (and, as the `TokenStore` trait documents,
//! `{appid}:ticket:wx_card` for the card `api_ticket`), each with a refresh lock `{key}:lock`;
//! this store puts its prefix in front (default `wechat-card`) and stores whatever key it is
//! given the same way:
//!
//! | Redis key | holds | expires |
//! |---|---|---|
//! | `wechat-card:{appid}:access_token` | `{"v":"<token>","exp":<unix seconds>}` | at `exp` (`EXAT`) |
//! | `wechat-card:{appid}:access_token:lock` | a random lock id | after the lock TTL (`PX`) |
//! | `wechat-card:{appid}:ticket:wx_card` | `{"v":"<ticket>","exp":<unix seconds>}` | at `exp` |
//!
//! One key holds both the token and its absolute expiry, so the two can never disagree; the
//! Redis expiry is only housekeeping, freshness is judged by the client from `exp` and its
//! safety margin. A value this crate cannot read is treated as absent (and replaced at the next
//! refresh), with a warning.
//!
//! # The refresh protocol
//!
//! - Read: `GET key`. Fresh: use it.
//! - Otherwise take the lock: `SET key:lock <id> NX PX <ttl>`. The winner reads once more (a
//!   token may have arrived meanwhile), fetches, `SET key <value> EXAT <exp>`, and releases the
//!   lock with a script that deletes it only if it still holds its own id. The others poll
//!   `GET key` until the token appears or the lock lapses. A process that dies holding the lock
//!   holds it at most `ttl`.
//! - WeChat rejects a token (40001/40014/42001): a script deletes the stored value only if it
//!   still holds the token that failed, so a process that learns late cannot discard the token
//!   another process has just stored. Then the call refreshes under the lock as above.
//!
//! Choose the lock TTL longer than a token fetch can take (the transport's request timeout):
//! if it lapses while its holder is still fetching, a second process fetches too.
//!
//! # When Redis is down
//!
//! Every operation fails with [`Error::TokenStore`](card_core::Error::TokenStore)
//! (`is_token_store()`), after the connection manager's reconnection attempts: calls fail,
//! nothing silently diverges. The connection is re-established by itself when Redis returns.
//! Services that prefer to keep calling WeChat wrap the store in
//! [`FallbackTokenStore`], which serves from process memory during the outage and logs a
//! warning.
#![deny(missing_docs)]

use std::collections::hash_map::RandomState;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use card_core::token::{LockId, StoredToken, TokenStore};
use card_core::{Error, Result, Secret};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, RedisResult, Script, Value};

pub use card_core::token::FallbackTokenStore;

/// The key prefix used unless told otherwise.
pub const DEFAULT_KEY_PREFIX: &str = "wechat-card";

/// Deletes `KEYS[1]` if it holds a token value whose `v` is `ARGV[1]`. Returns 1 if deleted.
const COMPARE_AND_DELETE_TOKEN: &str = r"
local stored = redis.call('GET', KEYS[1])
if not stored then return 0 end
local ok, value = pcall(cjson.decode, stored)
if ok and type(value) == 'table' and value.v == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Deletes the lock `KEYS[1]` if it still holds the id `ARGV[1]`. Returns 1 if deleted.
const RELEASE_LOCK: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A [`TokenStore`] in Redis, shared by every process that points at the same server and key
/// prefix. Cheap to clone: clones share one multiplexed connection (redis' `ConnectionManager`,
/// which reconnects by itself).
///
/// See the [crate documentation](crate) for the keys, the value format and the lock protocol.
#[derive(Clone)]
pub struct RedisTokenStore {
    conn: ConnectionManager,
    prefix: Arc<str>,
    /// `host:port/db`, without credentials, for messages.
    server: Arc<str>,
    compare_and_delete: Arc<Script>,
    release_lock: Arc<Script>,
}

impl RedisTokenStore {
    /// Connect to `url` (`redis://[user:password@]host[:port][/db]`) with the default settings.
    pub async fn connect(url: &str) -> Result<Self> {
        Self::builder(url).connect().await
    }

    /// Configure a store for `url` (`redis://[user:password@]host[:port][/db]`).
    pub fn builder(url: impl Into<String>) -> RedisTokenStoreBuilder {
        RedisTokenStoreBuilder {
            url: url.into(),
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            connection_timeout: Duration::from_secs(1),
            response_timeout: Duration::from_secs(2),
            reconnect_retries: 2,
        }
    }

    /// The prefix in front of every key.
    pub fn key_prefix(&self) -> &str {
        &self.prefix
    }

    /// The Redis key that holds the client's `key` (`{prefix}:{key}`).
    pub fn redis_key(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}:{key}", self.prefix)
        }
    }

    /// Run one Redis operation, once more if the connection had failed (the connection manager
    /// reconnects when it sees the failure, so the second try uses a fresh connection). Every
    /// operation here is safe to repeat: a repeated `SET NX` finds our own lock and reports it
    /// taken, which only makes us wait for it to lapse.
    async fn run<T, F, Fut>(&self, what: &'static str, key: &str, op: F) -> Result<T>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let result = match op(self.conn.clone()).await {
            Err(e) if is_connection_error(&e) => op(self.conn.clone()).await,
            other => other,
        };
        result.map_err(|e| {
            Error::token_store(format!("{what} `{key}` on Redis at {}", self.server), e)
        })
    }
}

fn is_connection_error(e: &RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_unrecoverable_error()
}

impl fmt::Debug for RedisTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisTokenStore")
            .field("server", &self.server)
            .field("key_prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl TokenStore for RedisTokenStore {
    async fn get(&self, key: &str) -> Result<Option<StoredToken>> {
        let key = self.redis_key(key);
        let raw: Option<String> = self
            .run("GET", &key, |mut conn| {
                let cmd = redis::cmd("GET").arg(&key).clone();
                async move { cmd.query_async(&mut conn).await }
            })
            .await?;
        Ok(raw.and_then(|raw| {
            let token = decode_value(&raw);
            if token.is_none() {
                // Never log the value: it may be a token.
                tracing::warn!(key = %key, "ignoring a Redis token value this crate cannot read");
            }
            token
        }))
    }

    async fn put(&self, key: &str, token: StoredToken) -> Result<()> {
        let key = self.redis_key(key);
        let value = encode_value(&token);
        // EXAT 0 is refused; a token with no expiry is nonsense anyway, let it expire at once.
        let expires_at = token.expires_at.max(1);
        self.run("SET", &key, |mut conn| {
            let cmd = redis::cmd("SET")
                .arg(&key)
                .arg(&value)
                .arg("EXAT")
                .arg(expires_at)
                .clone();
            async move { cmd.query_async::<()>(&mut conn).await }
        })
        .await
    }

    async fn compare_and_delete(&self, key: &str, expected: &Secret) -> Result<bool> {
        let key = self.redis_key(key);
        let deleted: i64 = self
            .run("compare-and-delete", &key, |mut conn| {
                let script = self.compare_and_delete.clone();
                let key = key.clone();
                let expected = expected.clone();
                async move {
                    script
                        .key(&key)
                        .arg(expected.expose())
                        .invoke_async(&mut conn)
                        .await
                }
            })
            .await?;
        Ok(deleted == 1)
    }

    async fn try_lock(&self, key: &str, ttl: Duration) -> Result<Option<LockId>> {
        let key = self.redis_key(key);
        let id = new_lock_id();
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let answer: Value = self
            .run("SET NX", &key, |mut conn| {
                let cmd = redis::cmd("SET")
                    .arg(&key)
                    .arg(id.0)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl_ms)
                    .clone();
                async move { cmd.query_async(&mut conn).await }
            })
            .await?;
        Ok(match answer {
            Value::Nil => None,
            _ => Some(id),
        })
    }

    fn abandon_lock(&self, key: &str, id: LockId) {
        // Release in the background on the current runtime: the refresh was cancelled, and
        // the other processes should not wait for the lock's TTL.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let store = self.clone();
            let key = key.to_owned();
            runtime.spawn(async move {
                if let Err(e) = store.unlock(&key, id).await {
                    tracing::debug!(error = %e, "could not release an abandoned refresh lock");
                }
            });
        }
    }

    async fn unlock(&self, key: &str, id: LockId) -> Result<()> {
        let key = self.redis_key(key);
        let released: i64 = self
            .run("release lock", &key, |mut conn| {
                let script = self.release_lock.clone();
                let key = key.clone();
                async move { script.key(&key).arg(id.0).invoke_async(&mut conn).await }
            })
            .await?;
        if released == 0 {
            tracing::debug!(key = %key, "refresh lock had lapsed before its release");
        }
        Ok(())
    }
}

/// Configures a [`RedisTokenStore`].
///
/// | setting | default |
/// |---|---|
/// | [`key_prefix`](Self::key_prefix) | [`DEFAULT_KEY_PREFIX`] (`wechat-card`) |
/// | [`connection_timeout`](Self::connection_timeout) | 1 s |
/// | [`response_timeout`](Self::response_timeout) | 2 s |
/// | [`reconnect_retries`](Self::reconnect_retries) | 2 |
pub struct RedisTokenStoreBuilder {
    url: String,
    key_prefix: String,
    connection_timeout: Duration,
    response_timeout: Duration,
    reconnect_retries: usize,
}

impl fmt::Debug for RedisTokenStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password: left out.
        f.debug_struct("RedisTokenStoreBuilder")
            .field("key_prefix", &self.key_prefix)
            .field("connection_timeout", &self.connection_timeout)
            .field("response_timeout", &self.response_timeout)
            .field("reconnect_retries", &self.reconnect_retries)
            .finish_non_exhaustive()
    }
}

impl RedisTokenStoreBuilder {
    /// Put `prefix:` in front of every key, to share one Redis between services or
    /// environments. Processes that must share tokens must use the same prefix. An empty
    /// prefix uses the client's keys as they are.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// How long one attempt to connect may take.
    pub fn connection_timeout(mut self, timeout: Duration) -> Self {
        self.connection_timeout = timeout;
        self
    }

    /// How long Redis may take to answer one command.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = timeout;
        self
    }

    /// How many times to retry connecting (with exponential backoff from 100 ms) before an
    /// operation fails with [`Error::TokenStore`]. Higher values ride out a Redis failover but
    /// make calls wait longer when Redis is really down.
    pub fn reconnect_retries(mut self, retries: usize) -> Self {
        self.reconnect_retries = retries;
        self
    }

    /// Connect now: fails with [`Error::TokenStore`] if Redis cannot be reached, or
    /// [`Error::InvalidArgument`] if the URL is not a Redis URL.
    pub async fn connect(self) -> Result<RedisTokenStore> {
        let (client, config, parts) = self.prepare()?;
        let conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(|e| Error::token_store(format!("connect to Redis at {}", parts.0), e))?;
        Ok(parts.finish(conn))
    }

    /// Connect on first use instead: building succeeds while Redis is down (useful with
    /// [`FallbackTokenStore`]), and operations fail with [`Error::TokenStore`] until it is up.
    /// Must be called within a tokio runtime.
    pub fn connect_lazy(self) -> Result<RedisTokenStore> {
        let (client, config, parts) = self.prepare()?;
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| Error::token_store(format!("set up Redis at {}", parts.0), e))?;
        Ok(parts.finish(conn))
    }

    fn prepare(self) -> Result<(redis::Client, ConnectionManagerConfig, Parts)> {
        let client = redis::Client::open(self.url.as_str())
            .map_err(|e| Error::invalid_argument("redis_url", e.to_string()))?;
        let info = client.get_connection_info();
        let server = format!("{}/{}", info.addr(), info.redis_settings().db());
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.connection_timeout))
            .set_response_timeout(Some(self.response_timeout))
            .set_number_of_retries(self.reconnect_retries)
            .set_min_delay(Duration::from_millis(100))
            .set_max_delay(Duration::from_secs(2));
        Ok((client, config, Parts(server, self.key_prefix)))
    }
}

/// What a store needs besides its connection.
struct Parts(String, String);

impl Parts {
    fn finish(self, conn: ConnectionManager) -> RedisTokenStore {
        RedisTokenStore {
            conn,
            prefix: self.1.into(),
            server: self.0.into(),
            compare_and_delete: Arc::new(Script::new(COMPARE_AND_DELETE_TOKEN)),
            release_lock: Arc::new(Script::new(RELEASE_LOCK)),
        }
    }
}

/// The stored form of a token: `{"v":"<token>","exp":<unix seconds>}`.
#[derive(serde::Deserialize)]
struct WireToken {
    v: String,
    exp: u64,
}

fn encode_value(token: &StoredToken) -> String {
    serde_json::json!({"v": token.value.expose(), "exp": token.expires_at}).to_string()
}

fn decode_value(raw: &str) -> Option<StoredToken> {
    let wire: WireToken = serde_json::from_str(raw).ok()?;
    (!wire.v.is_empty()).then(|| StoredToken {
        value: Secret::new(wire.v),
        expires_at: wire.exp,
    })
}

/// A lock id unique across processes with overwhelming probability.
///
/// Lock ids need to be unique, not secret (whoever can reach the Redis can delete the lock
/// anyway), so no random-number crate is pulled in: std's `RandomState` is seeded from the
/// operating system's randomness, and the pid, a per-process counter and the time are mixed in
/// for good measure.
fn new_lock_id() -> LockId {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    hasher.write_u128(nanos);
    LockId(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_junk_is_absent() {
        let token = StoredToken {
            value: Secret::new("tok\"en/with\\odd chars 卡券"),
            expires_at: 1_700_007_200,
        };
        let raw = encode_value(&token);
        assert!(raw.starts_with(r#"{"v":"#), "{raw}");
        assert_eq!(decode_value(&raw), Some(token));
        for junk in [
            "",
            "plain-token",
            r#"{"v":""}"#,
            r#"{"v":"","exp":1}"#,
            r#"{"exp":1}"#,
            "[1]",
        ] {
            assert_eq!(decode_value(junk), None, "{junk}");
        }
    }

    #[test]
    fn lock_ids_differ() {
        let ids: std::collections::HashSet<u64> = (0..10_000).map(|_| new_lock_id().0).collect();
        assert_eq!(ids.len(), 10_000);
    }

    #[tokio::test]
    async fn keys_get_the_prefix_and_debug_hides_the_password() {
        let store = RedisTokenStore::builder("redis://:hunter2@127.0.0.1:1/3")
            .key_prefix("svc")
            .connect_lazy()
            .unwrap();
        assert_eq!(store.redis_key("wx1:access_token"), "svc:wx1:access_token");
        let shown = format!("{store:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("127.0.0.1:1/3"), "{shown}");
        let bare = RedisTokenStore::builder("redis://127.0.0.1:1")
            .key_prefix("")
            .connect_lazy()
            .unwrap();
        assert_eq!(bare.redis_key("wx1:access_token"), "wx1:access_token");
    }

    #[test]
    fn a_bad_url_is_an_invalid_argument() {
        let err = RedisTokenStore::builder("http://nope")
            .connect_lazy()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    }
}
