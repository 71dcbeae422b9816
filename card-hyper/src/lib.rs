//! The production [`Transport`] for `card-core`: hyper 1 with hyper-util's pooled client and
//! rustls (ring provider, Mozilla's webpki roots, HTTP/1.1 and HTTP/2 negotiated by ALPN).
//!
//! [`HyperTransport`] sends each request with a whole-request deadline (connect, send and reading
//! the body), caps the response size, refuses plain `http://` unless told otherwise, and maps every
//! failure onto a [`TransportErrorKind`] so the client's retry policy can tell "nothing was sent"
//! (`Connect`, `InvalidRequest`) from "the request may have been applied" (`Timeout`, `Io`).
//! Error messages never contain the request URI, so the `access_token` in its query cannot leak.
//!
//! The transport must be used from within a Tokio runtime with the I/O and time drivers enabled
//! (`#[tokio::main]` gives you one).
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//!
//! use bytes::Bytes;
//! use card_core::Transport;
//! use card_hyper::HyperTransport;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let transport = HyperTransport::builder()
//!         .connect_timeout(Duration::from_secs(3))
//!         .request_timeout(Duration::from_secs(10))
//!         .build()?;
//!
//!     let request = http::Request::get(
//!         "https://api.weixin.qq.com/cgi-bin/getcallbackip?access_token=ACCESS_TOKEN",
//!     )
//!     .body(Bytes::new())?;
//!     let response = transport.send(request).await?;
//!     println!("{} {:?}", response.status(), response.body());
//!     Ok(())
//! }
//! ```
//!
//! A transport is cheap to clone: clones share one connection pool.
//!
//! ```
//! use card_core::Transport;
//! use card_hyper::HyperTransport;
//! use std::sync::Arc;
//!
//! let transport = HyperTransport::new().expect("TLS configuration");
//! let shared: Arc<dyn Transport> = Arc::new(transport.clone());
//! # let _ = shared;
//! ```

#![deny(missing_docs)]

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use card_core::{HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind};
use http::{header, Method, Version};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::{ConfigBuilderExt, HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// Default for [`HyperTransportBuilder::connect_timeout`]: 5 seconds.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default for [`HyperTransportBuilder::request_timeout`]: 30 seconds.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default for [`HyperTransportBuilder::max_response_bytes`]: 4 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;
/// The longest [`HyperTransportBuilder::pool_idle_timeout`] taken: one day.
pub const MAX_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);
/// Default for [`HyperTransportBuilder::pool_idle_timeout`]: 90 seconds.
pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

type HyperClient = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// The settings of a [`HyperTransport`].
#[derive(Debug, Clone, PartialEq, Eq)]
struct Config {
    connect_timeout: Duration,
    request_timeout: Duration,
    max_response_bytes: usize,
    allow_plain_http: bool,
    pool_idle_timeout: Option<Duration>,
    pool_max_idle_per_host: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_plain_http: false,
            pool_idle_timeout: Some(DEFAULT_POOL_IDLE_TIMEOUT),
            pool_max_idle_per_host: usize::MAX,
        }
    }
}

/// A [`Transport`] over hyper 1, hyper-util's pooled client and rustls.
///
/// Build one with [`HyperTransport::builder`] (or [`HyperTransport::new`] for the defaults).
/// Cloning is cheap and clones share the connection pool.
///
/// What [`send`](Transport::send) does with a request:
/// - the URI must be absolute and `https://` (or `http://` when
///   [`allow_plain_http`](HyperTransportBuilder::allow_plain_http) is set), otherwise
///   [`TransportErrorKind::InvalidRequest`] and nothing is sent;
/// - the request's HTTP version is ignored: HTTP/2 or HTTP/1.1 is chosen by ALPN;
/// - every response is returned as `Ok` whatever its status, with its status and headers and the
///   whole body, unless the body is larger than
///   [`max_response_bytes`](HyperTransportBuilder::max_response_bytes)
///   ([`TransportErrorKind::ResponseRejected`]);
/// - redirects are not followed.
#[derive(Clone)]
pub struct HyperTransport {
    inner: Arc<Inner>,
}

struct Inner {
    client: HyperClient,
    config: Config,
}

impl HyperTransport {
    /// A transport with the default settings; see [`HyperTransportBuilder`].
    ///
    /// # Errors
    ///
    /// Fails only if the TLS configuration cannot be built.
    pub fn new() -> Result<Self, TransportError> {
        Self::builder().build()
    }

    /// A builder to configure timeouts, the response size cap and the connection pool.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }

    /// The deadline for establishing a TCP connection.
    pub fn connect_timeout(&self) -> Duration {
        self.inner.config.connect_timeout
    }

    /// The deadline for a whole request, from sending to reading the last byte of the body.
    pub fn request_timeout(&self) -> Duration {
        self.inner.config.request_timeout
    }

    /// The largest response body accepted, in bytes.
    pub fn max_response_bytes(&self) -> usize {
        self.inner.config.max_response_bytes
    }

    /// Whether `http://` URIs are accepted.
    pub fn allows_plain_http(&self) -> bool {
        self.inner.config.allow_plain_http
    }

    /// Refuse what cannot or must not be sent, before anything touches the network.
    fn check(&self, request: &HttpRequest) -> Result<(), TransportError> {
        let uri = request.uri();
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if self.inner.config.allow_plain_http => {}
            Some("http") => {
                return Err(TransportError::invalid_request(
                    "plain http:// is refused; use https:// or enable allow_plain_http",
                ))
            }
            Some(_) => {
                return Err(TransportError::invalid_request(
                    "unsupported URI scheme; expected https://",
                ))
            }
            None => {
                return Err(TransportError::invalid_request(
                    "the request URI must be absolute (scheme and host)",
                ))
            }
        }
        if !matches!(uri.host(), Some(host) if !host.is_empty()) {
            return Err(TransportError::invalid_request(
                "the request URI has no host",
            ));
        }
        if request.method() == Method::CONNECT {
            return Err(TransportError::invalid_request(
                "CONNECT requests are not supported",
            ));
        }
        Ok(())
    }

    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let max = self.inner.config.max_response_bytes;
        let mut request = request.map(Full::new);
        // Let ALPN pick the protocol: hyper-util upgrades the request to HTTP/2 on an h2
        // connection and would refuse an HTTP/2 request on an HTTP/1 connection.
        *request.version_mut() = Version::HTTP_11;

        let response = self
            .inner
            .client
            .request(request)
            .await
            .map_err(map_client_error)?;

        if let Some(length) = content_length(&response) {
            if length > u64::try_from(max).unwrap_or(u64::MAX) {
                return Err(TransportError::new(
                    TransportErrorKind::ResponseRejected,
                    format!("response Content-Length {length} exceeds the limit of {max} bytes"),
                ));
            }
        }

        let (parts, body) = response.into_parts();
        let body = Limited::new(body, max)
            .collect()
            .await
            .map_err(|error| {
                if error.downcast_ref::<LengthLimitError>().is_some() {
                    TransportError::new(
                        TransportErrorKind::ResponseRejected,
                        format!("response body exceeds the limit of {max} bytes"),
                    )
                    .with_source(error)
                } else {
                    TransportError::io("reading the response body failed").with_source(error)
                }
            })?
            .to_bytes();

        Ok(HttpResponse::from_parts(parts, body))
    }
}

#[async_trait::async_trait]
impl Transport for HyperTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.check(&request)?;
        let deadline = self.inner.config.request_timeout;
        match tokio::time::timeout(deadline, self.exchange(request)).await {
            Ok(result) => result,
            Err(elapsed) => Err(TransportError::timeout(format!(
                "no complete response within {deadline:?}"
            ))
            .with_source(elapsed)),
        }
    }
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.inner.config;
        f.debug_struct("HyperTransport")
            .field("connect_timeout", &config.connect_timeout)
            .field("request_timeout", &config.request_timeout)
            .field("max_response_bytes", &config.max_response_bytes)
            .field("allow_plain_http", &config.allow_plain_http)
            .field("pool_idle_timeout", &config.pool_idle_timeout)
            .field("pool_max_idle_per_host", &config.pool_max_idle_per_host)
            .finish_non_exhaustive()
    }
}

/// Configures and builds a [`HyperTransport`].
///
/// | setting | default |
/// |---|---|
/// | [`connect_timeout`](Self::connect_timeout) | 5 s |
/// | [`request_timeout`](Self::request_timeout) | 30 s |
/// | [`max_response_bytes`](Self::max_response_bytes) | 4 MiB |
/// | [`allow_plain_http`](Self::allow_plain_http) | `false` |
/// | [`pool_idle_timeout`](Self::pool_idle_timeout) | 90 s |
/// | [`pool_max_idle_per_host`](Self::pool_max_idle_per_host) | unlimited |
///
/// ```
/// use std::time::Duration;
/// use card_hyper::HyperTransport;
///
/// let transport = HyperTransport::builder()
///     .request_timeout(Duration::from_secs(10))
///     .max_response_bytes(1024 * 1024)
///     .build()
///     .expect("TLS configuration");
/// assert_eq!(transport.request_timeout(), Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, Default)]
pub struct HyperTransportBuilder {
    config: Config,
}

impl HyperTransportBuilder {
    /// The deadline for establishing a TCP connection; when it passes the request fails with
    /// [`TransportErrorKind::Connect`]. The TLS handshake is bounded by
    /// [`request_timeout`](Self::request_timeout). Default 5 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// The deadline for a whole request: acquiring a connection, sending, and reading the whole
    /// response body. When it passes the request fails with [`TransportErrorKind::Timeout`].
    /// Default 30 s.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.config.request_timeout = timeout;
        self
    }

    /// The largest response body accepted, in bytes; a larger one fails with
    /// [`TransportErrorKind::ResponseRejected`], checked against `Content-Length` up front and
    /// enforced while reading. Default 4 MiB.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.config.max_response_bytes = max;
        self
    }

    /// Accept `http://` URIs. Off by default: a plain-HTTP request fails with
    /// [`TransportErrorKind::InvalidRequest`] before anything is sent, since the access token
    /// travels in the query. Turn it on for tests and local servers.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.config.allow_plain_http = allow;
        self
    }

    /// How long an idle pooled connection is kept; `None` keeps it until the server closes it.
    /// Default 90 s.
    /// Values above a day are taken as a day (hyper-util's idle timer overflows on huge ones).
    pub fn pool_idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.config.pool_idle_timeout = timeout.into().map(|t| t.min(MAX_POOL_IDLE_TIMEOUT));
        self
    }

    /// The most idle connections kept per host; `0` disables pooling. Default unlimited.
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.config.pool_max_idle_per_host = max;
        self
    }

    /// Build the transport. Needs no runtime; sending does.
    ///
    /// # Errors
    ///
    /// [`TransportErrorKind::Other`] if the TLS configuration cannot be built.
    pub fn build(self) -> Result<HyperTransport, TransportError> {
        let config = self.config;

        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|error| {
            TransportError::new(TransportErrorKind::Other, "invalid TLS configuration")
                .with_source(error)
        })?
        .with_webpki_roots()
        .with_no_client_auth();

        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));

        let https = HttpsConnectorBuilder::new().with_tls_config(tls);
        let https = if config.allow_plain_http {
            https.https_or_http()
        } else {
            https.https_only()
        };
        let https = https.enable_http1().enable_http2().wrap_connector(http);

        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .build(https);

        Ok(HyperTransport {
            inner: Arc::new(Inner { client, config }),
        })
    }
}

/// Map an error from the pooled client (before any response head arrived).
fn map_client_error(error: hyper_util::client::legacy::Error) -> TransportError {
    if error.is_connect() {
        TransportError::connect("could not reach the server").with_source(error)
    } else {
        TransportError::io("no response received").with_source(error)
    }
}

/// The response's `Content-Length`, when present and well formed.
fn content_length<B>(response: &http::Response<B>) -> Option<u64> {
    response
        .headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let transport = HyperTransport::new().unwrap();
        assert_eq!(transport.connect_timeout(), DEFAULT_CONNECT_TIMEOUT);
        assert_eq!(transport.request_timeout(), DEFAULT_REQUEST_TIMEOUT);
        assert_eq!(transport.max_response_bytes(), DEFAULT_MAX_RESPONSE_BYTES);
        assert!(!transport.allows_plain_http());
    }

    #[test]
    fn debug_shows_the_config() {
        let transport = HyperTransport::builder()
            .request_timeout(Duration::from_millis(1500))
            .max_response_bytes(1234)
            .allow_plain_http(true)
            .build()
            .unwrap();
        let debug = format!("{transport:?}");
        assert!(debug.contains("request_timeout: 1.5s"), "{debug}");
        assert!(debug.contains("max_response_bytes: 1234"), "{debug}");
        assert!(debug.contains("allow_plain_http: true"), "{debug}");
    }

    #[test]
    fn clones_share_the_pool() {
        let transport = HyperTransport::new().unwrap();
        let clone = transport.clone();
        assert!(Arc::ptr_eq(&transport.inner, &clone.inner));
    }
}

/// card-core's [`Sleep`](card_core::sleep::Sleep) on tokio's timer: give it to
/// [`ClientBuilder::sleeper`](card_core::ClientBuilder::sleeper) so waits (retry backoff, a token
/// refresh held by another process) use the runtime instead of a helper thread.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let client = card_core::CardClient::builder(card_hyper::HyperTransport::new()?)
///     .credentials("wx-appid", "app-secret")
///     .sleeper(card_hyper::TokioSleep)
///     .build()?;
/// # let _ = client;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleep;

impl card_core::sleep::Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> card_core::sleep::SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}
