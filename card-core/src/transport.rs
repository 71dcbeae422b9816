//! The seam between the card operations and an HTTP stack.
//!
//! A [`Transport`] sends one buffered request and returns whatever response came back.
//! `card-hyper` provides the production implementation and `card-mock` an in-memory one; any
//! other HTTP stack plugs in by implementing this trait, or by wrapping a closure with
//! [`transport_fn`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A request as handed to a transport: method, absolute URI, headers and a buffered body.
pub type HttpRequest = http::Request<bytes::Bytes>;
/// A response as returned by a transport: status, headers and the whole buffered body.
pub type HttpResponse = http::Response<bytes::Bytes>;

/// The boxed error kept as the source of a [`TransportError`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Sends requests for the client.
///
/// Implementations return `Ok` for every response obtained, whatever its status (a 502 page is a
/// response, not a transport error), and `Err` only when no response was obtained.
///
/// # Example: a custom transport
///
/// ```
/// use card_core::{HttpRequest, HttpResponse, Transport, TransportError};
///
/// struct AlwaysOk;
///
/// #[async_trait::async_trait]
/// impl Transport for AlwaysOk {
///     async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
///         Ok(http::Response::new(bytes::Bytes::from_static(br#"{"errcode":0,"errmsg":"ok"}"#)))
///     }
/// }
/// ```
#[async_trait::async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Send one request; return whatever response came back, non-2xx included.
    /// Err only when no response was obtained.
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for Arc<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
}

#[async_trait::async_trait]
impl<T: Transport + ?Sized> Transport for Box<T> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (**self).send(request).await
    }
}

/// The future a closure transport returns.
pub type TransportFuture =
    Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send>>;

/// A [`Transport`] made from a closure; see [`transport_fn`].
pub struct FnTransport<F>(F);

impl<F> fmt::Debug for FnTransport<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnTransport")
    }
}

/// Wrap a closure as a [`Transport`]: a one-off test double or a thin adapter to another HTTP
/// stack in a few lines.
///
/// ```
/// use card_core::{transport_fn, HttpRequest};
///
/// let transport = transport_fn(|request: HttpRequest| async move {
///     assert_eq!(request.method(), http::Method::POST);
///     Ok(http::Response::new(bytes::Bytes::from_static(br#"{"errcode":0}"#)))
/// });
/// # let _ = transport;
/// ```
pub fn transport_fn<F, Fut>(f: F) -> FnTransport<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send + 'static,
{
    FnTransport(f)
}

#[async_trait::async_trait]
impl<F, Fut> Transport for FnTransport<F>
where
    F: Fn(HttpRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<HttpResponse, TransportError>> + Send + 'static,
{
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        (self.0)(request).await
    }
}

/// What kind of failure a [`TransportError`] is. The retry policy depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be established: nothing was sent, so a retry cannot
    /// apply the request twice.
    Connect,
    /// No complete response arrived in time. The request may have reached WeChat and been applied.
    Timeout,
    /// The connection failed after the request may have been sent (reset, closed mid-body).
    Io,
    /// The request could not be sent as built (bad URI, plain HTTP refused, ...). Nothing was sent.
    InvalidRequest,
    /// The response was refused by the transport (for example larger than its size cap).
    ResponseRejected,
    /// Anything else.
    Other,
}

impl TransportErrorKind {
    /// True when the request certainly never left this process, so repeating it is safe even
    /// for operations that are not idempotent.
    pub fn nothing_sent(self) -> bool {
        matches!(self, Self::Connect | Self::InvalidRequest)
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connect => "connect failed",
            Self::Timeout => "timed out",
            Self::Io => "connection failed after sending",
            Self::InvalidRequest => "invalid request",
            Self::ResponseRejected => "response rejected",
            Self::Other => "transport failure",
        })
    }
}

/// No response was obtained for a request.
///
/// The message and the source error never contain the request URI, so the access token in its
/// query cannot leak through this error.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    #[source]
    source: Option<BoxError>,
}

impl TransportError {
    /// A new error of the given kind.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attach the underlying error, kept as this error's `source()`.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.source = Some(source.into());
        self
    }

    /// A connect failure: nothing was sent.
    pub fn connect(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Connect, message)
    }

    /// A timeout: the request may have been applied.
    pub fn timeout(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Timeout, message)
    }

    /// An I/O failure after sending: the request may have been applied.
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::Io, message)
    }

    /// The request could not be sent as built; nothing was sent.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(TransportErrorKind::InvalidRequest, message)
    }

    /// The kind of failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The human-readable message (without the source's).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// True when a timeout caused this error.
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }

    /// True when the connection could not be made (nothing was sent).
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }
}
