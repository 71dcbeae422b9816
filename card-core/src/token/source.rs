//! Where fresh access tokens come from.

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

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

/// `GET /cgi-bin/token?grant_type=client_credential&appid=..&secret=..`, WeChat's classic
/// token endpoint. Each fetch invalidates the app's previous token after a short grace period,
/// which is why fetches are single-flight and shared through a [`super::TokenStore`].
pub struct ClientCredentialSource {
    transport: Arc<dyn Transport>,
    base_url: Arc<str>,
    appid: String,
    secret: Secret,
}

impl ClientCredentialSource {
    /// A source for the app's credentials, sending through `transport` to `base_url`
    /// (normally `https://api.weixin.qq.com`).
    pub fn new(
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
}

impl fmt::Debug for ClientCredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentialSource")
            .field("base_url", &self.base_url)
            .field("appid", &self.appid)
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl TokenSource for ClientCredentialSource {
    async fn fetch(&self) -> Result<FetchedToken> {
        let query = [
            ("grant_type", "client_credential"),
            ("appid", self.appid.as_str()),
            ("secret", self.secret.expose()),
        ];
        let uri = build_uri(&self.base_url, "/cgi-bin/token", &query)?;
        let request = http::Request::get(uri)
            .body(bytes::Bytes::new())
            .map_err(|e| Error::invalid_argument("request", e.to_string()))?;
        let response = self.transport.send(request).await?;
        decode_token(
            response.status(),
            response.body(),
            "access_token",
            "expires_in",
        )
    }
}

/// Decode a token or ticket answer. The body is never kept in an error: it may hold the token.
pub(crate) fn decode_token(
    status: http::StatusCode,
    body: &[u8],
    value_key: &str,
    expiry_key: &str,
) -> Result<FetchedToken> {
    let redact = |e: Error| match e {
        Error::Decode { source, .. } => Error::Decode {
            source,
            body: BodySnippet::redacted(),
        },
        other => other,
    };
    let map = decode_envelope(status, body).map_err(redact)?;
    token_fields(&map, value_key, expiry_key).ok_or_else(|| Error::Decode {
        source: DecodeError::MissingField(if map.contains_key(value_key) {
            "expires_in"
        } else {
            "token"
        }),
        body: BodySnippet::redacted(),
    })
}

fn token_fields(
    map: &Map<String, Value>,
    value_key: &str,
    expiry_key: &str,
) -> Option<FetchedToken> {
    let value = map.get(value_key)?.as_str().filter(|s| !s.is_empty())?;
    let expires_in = match map.get(expiry_key) {
        None | Some(Value::Null) => 7200,
        Some(Value::Number(n)) => n.as_u64()?,
        Some(Value::String(s)) => s.trim().parse().ok()?,
        Some(_) => return None,
    };
    Some(FetchedToken {
        value: Secret::new(value),
        expires_in,
    })
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
