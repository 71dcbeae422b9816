//! The client: one cheap-to-clone handle holding the transport, the configuration and the token
//! provider, with one generic [`CardClient::execute`] behind every operation.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::clock::{Clock, SystemClock};
use crate::codec::{decode_response, encode_json, JSON_CONTENT_TYPE};
use crate::error::{BodySnippet, DecodeError, Error, Result};
use crate::operation::Operation;
use crate::retry::{Attempts, CallOptions, Next, RetryPolicy};
use crate::secret::Secret;
use crate::sleep::{Sleep, ThreadSleep};
use crate::token::{
    AccessTokenProvider, CachePolicy, CachedAccessToken, MemoryTokenStore, TokenCache,
    TokenEndpoint, TokenSource, TokenStore,
};
use crate::transport::Transport;
use crate::url::{build_uri, normalise_base_url};

/// Default for [`ClientBuilder::max_response_bytes`]: 4 MiB (card answers are a few KiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// WeChat's API host.
pub const DEFAULT_BASE_URL: &str = "https://api.weixin.qq.com";

/// The WeChat Card & Offer API client.
///
/// Cheap to clone (one `Arc`), `Send + Sync`. Every operation builds its body from typed
/// parameters, attaches `access_token` as a query parameter, sends it through the
/// [`Transport`], and decodes the answer: HTTP status, then `errcode`/`errmsg`, then the typed
/// result. When WeChat rejects the token (40001/40014/42001) the client forgets it (if it is
/// still the current one), fetches another and repeats the call once; never more.
///
/// ```
/// # async fn demo() -> Result<(), card_core::Error> {
/// use card_core::CardClient;
/// # let transport = card_core::transport_fn(|_req| async {
/// #     Ok(http::Response::new(bytes::Bytes::from_static(br#"{"errcode":0,"errmsg":"ok","count":3}"#)))
/// # });
/// let client = CardClient::builder(transport).credentials("wx-appid", "app-secret").build()?;
/// # let client = CardClient::builder(client.transport().clone()).access_token_provider(card_core::FixedToken::new("T")).build()?;
/// let count = client.get_deposit_count("pFAKE_CARD").await?;
/// assert_eq!(count.count, 3);
/// # Ok(()) }
/// # tokio_test_block_on(demo());
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Clone)]
pub struct CardClient {
    inner: Arc<Inner>,
    options: CallOptions,
}

struct Inner {
    transport: Arc<dyn Transport>,
    base_url: Arc<str>,
    appid: Option<String>,
    secret: Option<Secret>,
    tokens: Arc<dyn AccessTokenProvider>,
    store: Arc<dyn TokenStore>,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleep>,
    cache_policy: CachePolicy,
    retry_policy: RetryPolicy,
    max_response_bytes: usize,
    /// The JS-SDK ticket caches, made on first use (see `jssdk`).
    tickets: crate::jssdk::TicketCaches,
}

impl fmt::Debug for CardClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardClient")
            .field("base_url", &self.inner.base_url)
            .field("appid", &self.inner.appid)
            .field("secret", &self.inner.secret)
            .field("retry_policy", &self.inner.retry_policy)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl CardClient {
    /// Start configuring a client that sends through `transport`.
    pub fn builder(transport: impl Transport) -> ClientBuilder {
        ClientBuilder::new(Arc::new(transport))
    }

    /// The transport this client sends through.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.inner.transport
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The AppID, when the client was given credentials.
    pub fn appid(&self) -> Option<&str> {
        self.inner.appid.as_deref()
    }

    /// The AppSecret, for signatures that need it.
    pub(crate) fn secret(&self) -> Option<&Secret> {
        self.inner.secret.as_ref()
    }

    /// The access-token provider.
    pub fn token_provider(&self) -> &Arc<dyn AccessTokenProvider> {
        &self.inner.tokens
    }

    /// A token cache under `key` sharing this client's store, clock and timings (used for the
    /// JS-SDK tickets, which are cached like the access token).
    pub(crate) fn token_cache(&self, key: String) -> TokenCache {
        let inner = &self.inner;
        TokenCache::new(
            inner.store.clone(),
            key,
            inner.clock.clone(),
            inner.sleeper.clone(),
            inner.cache_policy,
        )
    }

    /// The JS-SDK ticket caches of this client.
    pub(crate) fn ticket_caches(&self) -> &crate::jssdk::TicketCaches {
        &self.inner.tickets
    }

    /// This client with per-call options: the returned handle shares everything (transport,
    /// tokens) and applies `options` to the calls made through it.
    ///
    /// ```
    /// # fn demo(client: card_core::CardClient) {
    /// use card_core::retry::CallOptions;
    /// // This caller can tolerate a double redemption risk (it reconciles afterwards), so it
    /// // lets a timed-out consume be retried.
    /// let patient = client.with_options(CallOptions::default().retry_ambiguous(true));
    /// # let _ = patient;
    /// # }
    /// ```
    pub fn with_options(&self, options: CallOptions) -> CardClient {
        CardClient {
            inner: self.inner.clone(),
            options,
        }
    }

    /// The retry policy in force for calls made through this handle.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.options.retry_policy.unwrap_or(self.inner.retry_policy)
    }

    /// Send any [`Operation`] and decode its typed answer, under the retry policy
    /// ([`crate::retry`]): whether ambiguous failures are retried depends on
    /// [`Operation::IDEMPOTENT`].
    pub async fn execute<O: Operation>(&self, operation: &O) -> Result<O::Response> {
        operation.validate()?;
        let body = encode_json(operation)?;
        self.call(O::NAME, O::PATH, body, O::IDEMPOTENT).await
    }

    /// `POST {base}{path}?access_token=..` with `body`, the stale-token retry included. Returns
    /// the typed answer, decoded straight from the body (`errcode`/`errmsg` taken out).
    async fn call<T: DeserializeOwned + Send>(
        &self,
        name: &'static str,
        path: &'static str,
        body: Bytes,
        idempotent: bool,
    ) -> Result<T> {
        let span = tracing::debug_span!("wechat_card", op = name, path);
        let body = &body;
        self.with_token_and_retries(name, path, idempotent, |token, attempt| async move {
            self.attempt(name, path, body, &token, attempt).await
        })
        .instrument(span)
        .await
    }

    /// Run `send` (one exchange that carries the access token) under the retry policy: get a
    /// token, send, and on failure refresh a stale token once or back off and repeat, as
    /// [`crate::retry`] decides. Every call that carries an access token goes through here.
    pub(crate) async fn with_token_and_retries<T, F, Fut>(
        &self,
        name: &'static str,
        path: &'static str,
        idempotent: bool,
        send: F,
    ) -> Result<T>
    where
        F: Fn(Secret, u32) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let mut attempts = Attempts::new(self.retry_policy(), idempotent, &self.options);
        let mut token: Option<Secret> = None;
        let mut attempt = 1;
        loop {
            let result = match &token {
                Some(token) => send(token.clone(), attempt).await.map(Some),
                None => self.inner.tokens.access_token().await.map(|fresh| {
                    token = Some(fresh);
                    None
                }),
            };
            let error = match result {
                Ok(Some(answer)) => return Ok(answer),
                Ok(None) => continue,
                Err(error) => error,
            };
            let token_fetch_failed = token.is_none();
            let next = match &token {
                Some(_) => attempts.next(&error),
                // The token fetch failed: nothing of the operation was sent.
                None => attempts.next_token_fetch(&error),
            };
            match (next, token.take()) {
                (Next::RefreshTokenAndRepeat, Some(rejected)) => {
                    self.inner.tokens.invalidate(&rejected).await?;
                    let fresh = self
                        .inner
                        .tokens
                        .access_token()
                        .await
                        .map_err(|e| Error::AccessToken(Box::new(e)))?;
                    if fresh == rejected {
                        // No other token to be had (a fixed token, say): the rejection stands.
                        return Err(error);
                    }
                    token = Some(fresh);
                }
                (Next::RetryAfter(delay), used) => {
                    tracing::info!(op = name, path, attempt, delay_ms = delay.as_millis() as u64, error = %error, "retrying");
                    self.inner.sleeper.sleep(delay).await;
                    token = used;
                }
                (_, used) => {
                    if let (true, Some(rejected)) = (error.is_token_stale(), used) {
                        // Even without a repeat, the next call must not reuse a rejected token.
                        self.inner.tokens.invalidate(&rejected).await?;
                    }
                    if token_fetch_failed {
                        return Err(Error::AccessToken(Box::new(error)));
                    }
                    return Err(error);
                }
            }
            attempt += 1;
        }
    }

    async fn attempt<T: DeserializeOwned + Send>(
        &self,
        name: &'static str,
        path: &'static str,
        body: &Bytes,
        token: &Secret,
        attempt: u32,
    ) -> Result<T> {
        let uri = build_uri(
            &self.inner.base_url,
            path,
            &[("access_token", token.expose())],
        )?;
        // Assembled in place: every part is already valid, so the fallible builder (and its
        // copy of the header value) has nothing to check.
        let mut request = http::Request::new(body.clone());
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri;
        request.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(JSON_CONTENT_TYPE),
        );
        let started = Instant::now();
        // Through the `dyn Transport` itself: calling `send` on the `Arc` would go through the
        // blanket `impl Transport for Arc<T>` and box a second future around the first.
        let response = (*self.inner.transport).send(request).await;
        let latency_ms = started.elapsed().as_millis() as u64;
        let response = match response {
            Ok(response) => response,
            Err(e) => {
                tracing::debug!(op = name, path, attempt, latency_ms, error = %e, "transport failed");
                return Err(e.into());
            }
        };
        let status = response.status();
        let raw = response.into_body();
        let decoded = if raw.len() > self.inner.max_response_bytes {
            Err(Error::Decode {
                source: DecodeError::TooLarge {
                    len: raw.len(),
                    limit: self.inner.max_response_bytes,
                },
                body: BodySnippet::new(&raw),
            })
        } else {
            decode_response(status, &raw)
        };
        let errcode = match &decoded {
            Ok(_) => 0,
            Err(e) => e.api_code().unwrap_or(0),
        };
        tracing::debug!(
            op = name,
            path,
            attempt,
            status = status.as_u16(),
            errcode,
            latency_ms,
            "answered"
        );
        decoded
    }
}

/// Configures a [`CardClient`].
pub struct ClientBuilder {
    transport: Arc<dyn Transport>,
    base_url: String,
    appid: Option<String>,
    secret: Option<Secret>,
    provider: Option<Arc<dyn AccessTokenProvider>>,
    source: Option<Arc<dyn TokenSource>>,
    token_endpoint: TokenEndpoint,
    store: Option<Arc<dyn TokenStore>>,
    clock: Arc<dyn Clock>,
    sleeper: Arc<dyn Sleep>,
    cache_policy: CachePolicy,
    retry_policy: RetryPolicy,
    max_response_bytes: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("appid", &self.appid)
            .field("cache_policy", &self.cache_policy)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    fn new(transport: Arc<dyn Transport>) -> Self {
        Self {
            transport,
            base_url: DEFAULT_BASE_URL.to_owned(),
            appid: None,
            secret: None,
            provider: None,
            source: None,
            token_endpoint: TokenEndpoint::default(),
            store: None,
            clock: Arc::new(SystemClock),
            sleeper: Arc::new(ThreadSleep),
            cache_policy: CachePolicy::default(),
            retry_policy: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// The app's AppID and AppSecret, used to fetch access tokens (and to sign redirect URLs).
    pub fn credentials(mut self, appid: impl Into<String>, secret: impl Into<Secret>) -> Self {
        self.appid = Some(appid.into());
        self.secret = Some(secret.into());
        self
    }

    /// The AppID alone, for clients whose tokens come from a [`TokenSource`] or an
    /// [`AccessTokenProvider`]: it namespaces the token cache, so apps sharing a store never
    /// share a token.
    pub fn appid(mut self, appid: impl Into<String>) -> Self {
        self.appid = Some(appid.into());
        self
    }

    /// Where requests go; defaults to [`DEFAULT_BASE_URL`]. Point it at a proxy or a local test
    /// server. A path prefix is kept (`http://proxy/wechat` + `/card/get`).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Use this provider for access tokens instead of fetching them (a central token service,
    /// or [`FixedToken`](crate::FixedToken)).
    pub fn access_token_provider(mut self, provider: impl AccessTokenProvider) -> Self {
        self.provider = Some(Arc::new(provider));
        self
    }

    /// Fetch access tokens from this source instead of `GET /cgi-bin/token` (they are still
    /// cached in the token store).
    pub fn token_source(mut self, source: impl TokenSource) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// Fetch access tokens from this WeChat endpoint (default [`TokenEndpoint::Token`]);
    /// [`TokenEndpoint::StableToken`] is the one to use when several processes share a token.
    pub fn token_endpoint(mut self, endpoint: TokenEndpoint) -> Self {
        self.token_endpoint = endpoint;
        self
    }

    /// Share tokens through this store (by default each client gets its own in-memory store).
    /// Give every client of one app the same store so they refresh once between them.
    pub fn token_store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// Read time from this clock (tests move a [`ManualClock`](crate::clock::ManualClock)).
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Wait with this sleeper (card-hyper provides one for tokio).
    pub fn sleeper(mut self, sleeper: impl Sleep) -> Self {
        self.sleeper = Arc::new(sleeper);
        self
    }

    /// Refresh tokens once they have less than `margin` left (default 300 s).
    pub fn token_safety_margin(mut self, margin: Duration) -> Self {
        self.cache_policy.safety_margin = margin;
        self
    }

    /// Timings of the token refresh lock (lifetime if its holder dies, and polling interval).
    pub fn token_lock(mut self, ttl: Duration, poll_interval: Duration) -> Self {
        self.cache_policy.lock_ttl = ttl;
        self.cache_policy.poll_interval = poll_interval;
        self
    }

    /// How transient failures are retried (see [`crate::retry`]); [`RetryPolicy::off`] turns
    /// every retry off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Refuse answers larger than this (default 4 MiB) with a typed
    /// [`DecodeError::TooLarge`], whatever the transport lets through.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Build the client. Fails when the base URL is not an http(s) URL, or when there are
    /// neither credentials nor a token provider.
    pub fn build(self) -> Result<CardClient> {
        let base_url: Arc<str> = normalise_base_url(&self.base_url)?.into();
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(MemoryTokenStore::new()));
        let (appid, secret) = (self.appid, self.secret);
        if appid.as_deref().is_some_and(|a| a.trim().is_empty()) {
            return Err(Error::invalid_argument("appid", "must not be empty"));
        }
        if secret.as_ref().is_some_and(Secret::is_empty) {
            return Err(Error::invalid_argument("secret", "must not be empty"));
        }
        let source: Option<Arc<dyn TokenSource>> = match (self.source, &appid, &secret) {
            (Some(source), _, _) => Some(source),
            (None, Some(appid), Some(secret)) => Some(self.token_endpoint.source(
                self.transport.clone(),
                base_url.clone(),
                appid.clone(),
                secret.clone(),
            )),
            _ => None,
        };
        let tokens: Arc<dyn AccessTokenProvider> = match (self.provider, source, &appid) {
            (Some(provider), _, _) => provider,
            (None, Some(source), Some(appid)) => {
                let cache = TokenCache::new(
                    store.clone(),
                    format!("{appid}:access_token"),
                    self.clock.clone(),
                    self.sleeper.clone(),
                    self.cache_policy,
                );
                Arc::new(CachedAccessToken::new(cache, source))
            }
            (None, Some(_), None) => {
                return Err(Error::invalid_argument(
                    "appid",
                    "a token_source needs appid() to namespace its cached tokens",
                ))
            }
            (None, None, _) => {
                return Err(Error::invalid_argument(
                    "credentials",
                    "give credentials(appid, secret), appid() with a token_source, or an access_token_provider",
                ))
            }
        };
        Ok(CardClient {
            inner: Arc::new(Inner {
                transport: self.transport,
                base_url,
                appid,
                secret,
                tokens,
                store,
                clock: self.clock,
                sleeper: self.sleeper,
                cache_policy: self.cache_policy,
                retry_policy: self.retry_policy,
                max_response_bytes: self.max_response_bytes,
                tickets: Default::default(),
            }),
            options: CallOptions::default(),
        })
    }
}
