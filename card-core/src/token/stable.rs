//! `POST /cgi-bin/stable_token`, and the choice between it and the classic endpoint.

use std::sync::Arc;

use super::cache::FetchedToken;
use super::source::{AppEndpoint, ClientCredentialSource, TokenSource};
use crate::codec::JSON_CONTENT_TYPE;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::transport::Transport;
use crate::url::build_uri;

/// Which WeChat endpoint the client fetches access tokens from when it has credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TokenEndpoint {
    /// `GET /cgi-bin/token`: every fetch issues a new token and retires the previous one after
    /// a short grace period, so two holders that fetch independently knock each other out.
    #[default]
    Token,
    /// `POST /cgi-bin/stable_token`: WeChat hands back the current token while it is valid
    /// (`force_refresh: false`), so independent fetches agree. The client sends
    /// `force_refresh: true` only for the fetch that follows WeChat's rejection of the stored
    /// token. See [`StableTokenSource`].
    StableToken,
}

impl TokenEndpoint {
    /// The token source for this endpoint and the app's credentials.
    pub fn source(
        self,
        transport: Arc<dyn Transport>,
        base_url: impl Into<Arc<str>>,
        appid: impl Into<String>,
        secret: Secret,
    ) -> Arc<dyn TokenSource> {
        match self {
            Self::Token => Arc::new(ClientCredentialSource::new(
                transport, base_url, appid, secret,
            )),
            Self::StableToken => {
                Arc::new(StableTokenSource::new(transport, base_url, appid, secret))
            }
        }
    }
}

/// `POST /cgi-bin/stable_token` with
/// `{"grant_type":"client_credential","appid":..,"secret":..,"force_refresh":false}`.
///
/// WeChat's recommended endpoint for services with more than one token holder: in its normal
/// mode it returns the token currently in force (with its remaining lifetime) instead of
/// minting a new one, so a fetch does not retire the token other processes are using. The
/// forced mode (`force_refresh: true`) does retire it, and WeChat allows it only a few times a
/// day, so it is used for exactly one fetch: the one made after WeChat rejected the stored
/// token ([`TokenSource::fetch_after_rejection`]).
///
/// The request body carries the AppSecret: it is never logged, and errors never echo bodies of
/// the token endpoint.
#[derive(Debug)]
pub struct StableTokenSource(AppEndpoint);

impl StableTokenSource {
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

    async fn request(&self, force_refresh: bool) -> Result<FetchedToken> {
        // Field order as in WeChat's documentation; serde_json keeps insertion order here.
        let body = serde_json::json!({
            "grant_type": "client_credential",
            "appid": self.0.appid,
            "secret": self.0.secret.expose(),
            "force_refresh": force_refresh,
        });
        let body = serde_json::to_vec(&body)
            .map_err(|e| Error::invalid_argument("stable_token", e.to_string()))?;
        let uri = build_uri(&self.0.base_url, "/cgi-bin/stable_token", &[])?;
        let request = http::Request::post(uri)
            .header(http::header::CONTENT_TYPE, JSON_CONTENT_TYPE)
            .body(bytes::Bytes::from(body))
            .map_err(|e| Error::invalid_argument("request", e.to_string()))?;
        tracing::debug!(force_refresh, "fetching a stable access token");
        self.0.send(request).await
    }
}

#[async_trait::async_trait]
impl TokenSource for StableTokenSource {
    async fn fetch(&self) -> Result<FetchedToken> {
        self.request(false).await
    }

    async fn fetch_after_rejection(&self) -> Result<FetchedToken> {
        self.request(true).await
    }
}
