//! Where fresh access tokens come from.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use super::cache::FetchedToken;
use crate::codec::decode_envelope;
use crate::error::{BodySnippet, DecodeError, Error, Result};
use crate::secret::Secret;
use crate::transport::Transport;
use crate::url::build_uri;

/// Fetches a new token from WeChat.
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync + 'static {
    /// One fetch; no caching.
    async fn fetch(&self) -> Result<FetchedToken>;

    /// One fetch made because WeChat rejected the token this process last used (40001, 40014
    /// or 42001), so the source should insist on a new token rather than the current one.
    /// Only [`StableTokenSource`](super::StableTokenSource) distinguishes the two (it sends
    /// `force_refresh: true`); the default is a plain [`fetch`](Self::fetch).
    async fn fetch_after_rejection(&self) -> Result<FetchedToken> {
        self.fetch().await
    }
}

/// What a token source needs to ask WeChat for a token: the transport, the base URL and the
/// app's credentials. The secret stays redacted in `Debug`.
#[derive(Clone)]
pub(crate) struct AppEndpoint {
    pub(crate) transport: Arc<dyn Transport>,
    pub(crate) base_url: Arc<str>,
    pub(crate) appid: String,
    pub(crate) secret: Secret,
}

impl AppEndpoint {
    pub(crate) fn new(
        transport: Arc<dyn Transport>,
        base_url: impl Into<Arc<str>>,
        appid: impl Into<String>,
        secret: Secret,
    ) -> Self {
        Self {
            transport,
            base_url: base_url.into(),
            appid: appid.into(),
            secret,
        }
    }

    /// Send a token request and decode its answer, keeping the body out of every error.
    pub(crate) async fn send(&self, request: crate::HttpRequest) -> Result<FetchedToken> {
        let response = self.transport.send(request).await?;
        decode_token(
            response.status(),
            response.body(),
            "access_token",
            "expires_in",
        )
    }
}

impl fmt::Debug for AppEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppEndpoint")
            .field("base_url", &self.base_url)
            .field("appid", &self.appid)
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

/// `GET /cgi-bin/token?grant_type=client_credential&appid=..&secret=..`, WeChat's classic
/// token endpoint. Each fetch invalidates the app's previous token after a short grace period,
/// which is why fetches are single-flight and shared through a [`super::TokenStore`].
#[derive(Debug)]
pub struct ClientCredentialSource(AppEndpoint);

impl ClientCredentialSource {
    /// A source for the app's credentials, sending through `transport` to `base_url`
    /// (normally `https://api.weixin.qq.com`).
    pub fn new(
        transport: Arc<dyn Transport>,
        base_url: impl Into<Arc<str>>,
        appid: impl Into<String>,
        secret: Secret,
    ) -> Self {
        Self(AppEndpoint::new(transport, base_url, appid, secret))
    }
}

#[async_trait::async_trait]
impl TokenSource for ClientCredentialSource {
    async fn fetch(&self) -> Result<FetchedToken> {
        let app = &self.0;
        let query = [
            ("grant_type", "client_credential"),
            ("appid", app.appid.as_str()),
            ("secret", app.secret.expose()),
        ];
        let uri = build_uri(&app.base_url, "/cgi-bin/token", &query)?;
        let request = http::Request::get(uri)
            .body(bytes::Bytes::new())
            .map_err(|e| Error::invalid_argument("request", e.to_string()))?;
        app.send(request).await
    }
}

/// Decode a token or ticket answer. The body is never kept in an error: it may hold the token.
pub(crate) fn decode_token(
    status: http::StatusCode,
    body: &[u8],
    value_key: &'static str,
    expiry_key: &'static str,
) -> Result<FetchedToken> {
    // Neither a decoding failure nor a gateway's error page may show the body: a token
    // answer holds the token, and a misbehaving proxy may echo the query with the AppSecret.
    let redact = |e: Error| match e {
        Error::Decode { source, .. } => Error::Decode {
            source,
            body: BodySnippet::redacted(),
        },
        Error::Http { status, .. } => Error::Http {
            status,
            body: BodySnippet::redacted(),
        },
        other => other,
    };
    let map = decode_envelope(status, body).map_err(redact)?;
    let value = map
        .get(value_key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let value = value.ok_or(Error::Decode {
        source: DecodeError::MissingField(value_key),
        body: BodySnippet::redacted(),
    })?;
    let expires_in = expires_in_of(map.get(expiry_key)).ok_or(Error::Decode {
        source: DecodeError::MissingField(expiry_key),
        body: BodySnippet::redacted(),
    })?;
    Ok(FetchedToken {
        value: Secret::new(value),
        expires_in,
    })
}

/// The announced validity in seconds: an integer or a string holding one; 7200 (WeChat's
/// constant) when absent.
fn expires_in_of(value: Option<&Value>) -> Option<u64> {
    match value {
        None | Some(Value::Null) => Some(7200),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    #[test]
    fn decodes_recorded_token() {
        let t = decode_token(
            StatusCode::OK,
            br#"{"access_token":"ACCESS_TOKEN","expires_in":7200}"#,
            "access_token",
            "expires_in",
        )
        .unwrap();
        assert_eq!(t.value.expose(), "ACCESS_TOKEN");
        assert_eq!(t.expires_in, 7200);
    }

    #[test]
    fn token_errors_never_carry_the_body() {
        for body in [
            &br#"{"access_token":"SECRET_TOKEN_1","expires_in":"soon"}"#[..],
            br#"{"access_token":"SECRET_TOKEN_1"#,
            br#"{"access_token":""}"#,
        ] {
            let err = decode_token(StatusCode::OK, body, "access_token", "expires_in").unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("SECRET_TOKEN_1"), "{shown}");
            assert!(matches!(err, Error::Decode { .. }));
        }
        let err = decode_token(
            StatusCode::OK,
            br#"{"errcode":40013,"errmsg":"invalid appid"}"#,
            "access_token",
            "expires_in",
        )
        .unwrap_err();
        assert_eq!(err.api_code(), Some(40013));
    }
}
