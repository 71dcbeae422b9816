//! The JS-SDK tickets (`GET /cgi-bin/ticket/getticket`), cached like the access token.

use std::fmt;
use std::sync::OnceLock;

use crate::client::CardClient;
use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::token::{decode_token, FetchedToken, TokenCache};
use crate::url::build_uri;

/// Which JS-SDK ticket: the kind decides both the `type` sent to WeChat and the cache key, so
/// one can never be served for the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketKind {
    /// The card `api_ticket` (`type=wx_card`), signing `card_ext` and `cardSign`.
    WxCard,
    /// The `jsapi_ticket` (`type=jsapi`), signing `wx.config`. Not for card signatures.
    Jsapi,
}

impl TicketKind {
    /// The `type` query value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WxCard => "wx_card",
            Self::Jsapi => "jsapi",
        }
    }

    /// The token-store key: `{appid}:ticket:{type}`.
    pub fn cache_key(self, appid: &str) -> String {
        format!("{appid}:ticket:{}", self.as_str())
    }
}

impl fmt::Display for TicketKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A client's ticket caches, one per kind, made on first use. Each holds the single-flight
/// lock of its ticket, so it lives as long as the client.
#[derive(Debug, Default)]
pub(crate) struct TicketCaches {
    wx_card: OnceLock<TokenCache>,
    jsapi: OnceLock<TokenCache>,
}

impl CardClient {
    /// The cache of `kind`'s ticket. Tickets are cached per app, so a client without an AppID
    /// (one built with only an access-token provider) is refused rather than sharing a
    /// ticket with every other such client of the store.
    fn ticket_cache(&self, kind: TicketKind) -> Result<&TokenCache> {
        let appid = self.appid().ok_or_else(|| {
            Error::invalid_argument(
                "appid",
                "JS-SDK tickets are cached per app: give the client credentials() or appid()",
            )
        })?;
        let caches = self.ticket_caches();
        let cell = match kind {
            TicketKind::WxCard => &caches.wx_card,
            TicketKind::Jsapi => &caches.jsapi,
        };
        Ok(cell.get_or_init(|| self.token_cache(kind.cache_key(appid))))
    }

    /// A JS-SDK ticket of `kind`, from the token store while it has more than the safety
    /// margin left, otherwise fetched (`GET /cgi-bin/ticket/getticket?type=..`) by one caller
    /// while concurrent callers wait for it.
    ///
    /// Differs from wechatpy, which uses the card ticket until the second it expires: the
    /// ticket is refreshed with the access token's safety margin.
    pub async fn ticket(&self, kind: TicketKind) -> Result<Secret> {
        self.ticket_cache(kind)?
            .get(|| self.fetch_ticket(kind))
            .await
    }

    /// The card `api_ticket` (`type=wx_card`), cached (wechatpy's `WeChatJSAPI` method of the
    /// same name).
    pub async fn get_jsapi_card_ticket(&self) -> Result<Secret> {
        self.ticket(TicketKind::WxCard).await
    }

    /// The JS-SDK `jsapi_ticket` (`type=jsapi`), cached under its own key. Card signatures
    /// never use it.
    pub async fn get_jsapi_ticket(&self) -> Result<Secret> {
        self.ticket(TicketKind::Jsapi).await
    }

    /// Forget `rejected` if it is still the stored ticket of `kind`, so the next call fetches
    /// another; true if it was removed.
    pub async fn invalidate_ticket(&self, kind: TicketKind, rejected: &Secret) -> Result<bool> {
        self.ticket_cache(kind)?.invalidate(rejected).await
    }

    /// One ticket fetch, under the client's retry policy (a read: transient failures are
    /// retried, a stale access token is replaced once).
    async fn fetch_ticket(&self, kind: TicketKind) -> Result<FetchedToken> {
        self.with_token_and_retries("get_ticket", TICKET_PATH, true, |token, _| async move {
            self.get_ticket_with(kind, &token).await
        })
        .await
    }

    async fn get_ticket_with(&self, kind: TicketKind, token: &Secret) -> Result<FetchedToken> {
        // `type` first, as wechatpy and WeChat's documentation order them.
        let uri = build_uri(
            self.base_url(),
            TICKET_PATH,
            &[("type", kind.as_str()), ("access_token", token.expose())],
        )?;
        let request = http::Request::get(uri)
            .body(bytes::Bytes::new())
            .map_err(|e| Error::invalid_argument("request", e.to_string()))?;
        let response = self.transport().send(request).await?;
        tracing::debug!(
            kind = kind.as_str(),
            status = response.status().as_u16(),
            "ticket fetched"
        );
        // The answer holds the ticket: decode_token keeps it out of every error.
        decode_token(response.status(), response.body(), "ticket", "expires_in")
    }
}

/// The ticket endpoint, under the base URL.
const TICKET_PATH: &str = "/cgi-bin/ticket/getticket";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_their_own_type_and_key() {
        assert_eq!(TicketKind::WxCard.as_str(), "wx_card");
        assert_eq!(TicketKind::Jsapi.as_str(), "jsapi");
        assert_eq!(TicketKind::WxCard.cache_key("wx1"), "wx1:ticket:wx_card");
        assert_eq!(TicketKind::Jsapi.cache_key("wx2"), "wx2:ticket:jsapi");
        assert_ne!(
            TicketKind::WxCard.cache_key("wx1"),
            TicketKind::Jsapi.cache_key("wx1")
        );
    }
}
