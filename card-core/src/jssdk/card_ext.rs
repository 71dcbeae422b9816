//! `card_ext` (cardExt), the signed extension of each card handed to `wx.addCard`.

use serde::{Serialize, Serializer};
use serde_json::{json, Value};

use super::{non_empty, now_unix};
use crate::client::CardClient;
use crate::error::Result;
use crate::sign::{nonce_str, sign_values};

/// The signed `cardExt` of one card for `wx.addCard`.
///
/// Made by [`CardExt::builder`] and signed in one step; it cannot be changed afterwards, so
/// the [`signature`](Self::signature) and the [`to_json`](Self::to_json) string handed to the
/// page always describe the same values. Absent fields are absent from both: never `null`,
/// never `"undefined"`.
///
/// Signed: the api_ticket, `timestamp`, `nonce_str`, the card id, `code`, `openid` and (for
/// lucky-money cards) `balance`, as values sorted byte-wise and joined with nothing, then
/// SHA-1. Not signed, as WeChat specifies: `fixed_begintimestamp`, `outer_str`. The card id is
/// signed but is not part of the JSON (the page passes it as `cardId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardExt {
    #[serde(skip)]
    card_id: String,
    signature: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    openid: Option<String>,
    #[serde(serialize_with = "as_string")]
    timestamp: u64,
    nonce_str: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed_begintimestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    outer_str: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    balance: Option<i64>,
}

/// WeChat wants the timestamp as a string ("最终需要转换为字符串形式").
fn as_string<S: Serializer>(timestamp: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(timestamp)
}

/// Gathers the fields of a [`CardExt`]; [`sign`](Self::sign) produces it.
#[derive(Debug, Clone, Default)]
pub struct CardExtBuilder {
    card_id: String,
    code: Option<String>,
    openid: Option<String>,
    timestamp: Option<u64>,
    nonce_str: Option<String>,
    fixed_begintimestamp: Option<i64>,
    outer_str: Option<String>,
    balance: Option<i64>,
}

impl CardExtBuilder {
    /// The code the user receives (custom-code cards only).
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = non_empty(code);
        self
    }

    /// The only user who may receive the card (cards with `bind_openid`).
    pub fn openid(mut self, openid: impl Into<String>) -> Self {
        self.openid = non_empty(openid);
        self
    }

    /// The signing time in Unix seconds (default: now). Pass it for reproducible signatures.
    pub fn timestamp(mut self, timestamp: u64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// The nonce (default: 16 random characters of `[A-Za-z0-9]`). Must differ per request.
    pub fn nonce_str(mut self, nonce_str: impl Into<String>) -> Self {
        self.nonce_str = non_empty(nonce_str);
        self
    }

    /// When a fixed-term (`DATE_TYPE_FIX_TERM`) card's validity starts (Unix seconds). Not
    /// signed.
    pub fn fixed_begintimestamp(mut self, fixed_begintimestamp: i64) -> Self {
        self.fixed_begintimestamp = Some(fixed_begintimestamp);
        self
    }

    /// A channel tag reported back with the card. Not signed.
    pub fn outer_str(mut self, outer_str: impl Into<String>) -> Self {
        self.outer_str = non_empty(outer_str);
        self
    }

    /// The balance of a lucky-money (`LUCKY_MONEY`) card, in fen. Signed.
    pub fn balance(mut self, balance: i64) -> Self {
        self.balance = Some(balance);
        self
    }

    /// Sign with the card `api_ticket` ([`CardClient::get_jsapi_card_ticket`]; never the
    /// `jsapi_ticket`).
    pub fn sign(self, api_ticket: &str) -> CardExt {
        let timestamp = self.timestamp.unwrap_or_else(now_unix);
        let nonce_str = self.nonce_str.unwrap_or_else(nonce_str);
        let timestamp_text = timestamp.to_string();
        let balance_text = self.balance.map(|b| b.to_string());
        let signature = sign_values([
            api_ticket,
            timestamp_text.as_str(),
            nonce_str.as_str(),
            self.card_id.as_str(),
            self.code.as_deref().unwrap_or(""),
            self.openid.as_deref().unwrap_or(""),
            balance_text.as_deref().unwrap_or(""),
        ]);
        CardExt {
            card_id: self.card_id,
            signature,
            code: self.code,
            openid: self.openid,
            timestamp,
            nonce_str,
            fixed_begintimestamp: self.fixed_begintimestamp,
            outer_str: self.outer_str,
            balance: self.balance,
        }
    }
}

impl CardExt {
    /// Start a `card_ext` for the card `card_id`.
    pub fn builder(card_id: impl Into<String>) -> CardExtBuilder {
        CardExtBuilder {
            card_id: card_id.into(),
            ..CardExtBuilder::default()
        }
    }

    /// The `cardExt` string for the page: compact JSON of the present fields, in wechatpy's
    /// order (`signature`, `code`, `openid`, `timestamp`, `nonce_str`, `fixed_begintimestamp`,
    /// `outer_str`, then `balance`), non-ASCII as raw UTF-8.
    pub fn to_json(&self) -> String {
        // Serialising strings, integers and options into a String cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// One entry of `wx.addCard`'s `cardList`: `{"cardId": .., "cardExt": "<to_json()>"}`.
    pub fn add_card_item(&self) -> Value {
        json!({"cardId": self.card_id, "cardExt": self.to_json()})
    }

    /// The card this extension was signed for.
    pub fn card_id(&self) -> &str {
        &self.card_id
    }

    /// The SHA-1 signature (lowercase hex).
    pub fn signature(&self) -> &str {
        &self.signature
    }

    /// The code, if one was given.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The openid, if one was given.
    pub fn openid(&self) -> Option<&str> {
        self.openid.as_deref()
    }

    /// The signing time (Unix seconds).
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The nonce.
    pub fn nonce_str(&self) -> &str {
        &self.nonce_str
    }

    /// The fixed-term start, if one was given.
    pub fn fixed_begintimestamp(&self) -> Option<i64> {
        self.fixed_begintimestamp
    }

    /// The channel tag, if one was given.
    pub fn outer_str(&self) -> Option<&str> {
        self.outer_str.as_deref()
    }

    /// The lucky-money balance, if one was given.
    pub fn balance(&self) -> Option<i64> {
        self.balance
    }
}

impl CardClient {
    /// Sign `card_ext` with the cached card `api_ticket` (fetched if needed): the parameters
    /// of `wx.addCard` (wechatpy's `WeChatJSAPI.get_jsapi_add_card_params`).
    ///
    /// Differs from wechatpy: a lucky-money `balance` can be signed, and the result is one
    /// immutable value whose signature and JSON cannot drift apart.
    pub async fn get_jsapi_add_card_params(&self, card_ext: CardExtBuilder) -> Result<CardExt> {
        let ticket = self.get_jsapi_card_ticket().await?;
        Ok(card_ext.sign(ticket.expose()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TICKET: &str =
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";

    fn golden() -> CardExtBuilder {
        CardExt::builder("random_card_id")
            .timestamp(1414587457)
            .nonce_str("Wm3WZYTPz0wzccnW")
    }

    #[test]
    fn the_four_golden_signatures() {
        for (code, openid, signature) in [
            ("", "", "22dce6bad4db532d4a2ef82ca2ca7bbe1e10ef28"),
            (
                "random_code",
                "",
                "2e9c6d12952246e071717d7baeab20c30420b5cd",
            ),
            (
                "",
                "random_openid",
                "ded860a5dd4467312764bd86e544ad0579cbfad0",
            ),
            (
                "random_code",
                "random_openid",
                "950dc1842852457ea573d4d6af34879c1ec093c8",
            ),
        ] {
            let ext = golden().code(code).openid(openid).sign(TICKET);
            assert_eq!(
                ext.signature(),
                signature,
                "code {code:?}, openid {openid:?}"
            );
        }
    }

    #[test]
    fn json_and_signature_come_from_the_same_values() {
        let ext = golden()
            .code("random_code")
            .openid("random_openid")
            .outer_str("渠道")
            .fixed_begintimestamp(1414600000)
            .sign(TICKET);
        assert_eq!(
            ext.to_json(),
            r#"{"signature":"950dc1842852457ea573d4d6af34879c1ec093c8","code":"random_code","openid":"random_openid","timestamp":"1414587457","nonce_str":"Wm3WZYTPz0wzccnW","fixed_begintimestamp":1414600000,"outer_str":"渠道"}"#
        );
        // Unsigned fields do not change the signature.
        assert_eq!(
            ext.signature(),
            golden()
                .code("random_code")
                .openid("random_openid")
                .sign(TICKET)
                .signature()
        );
        assert_eq!(
            ext.add_card_item(),
            json!({"cardId": "random_card_id", "cardExt": ext.to_json()})
        );
    }

    #[test]
    fn f05_absent_fields_are_absent_never_null_or_undefined() {
        let json = golden()
            .code("")
            .openid("")
            .outer_str("")
            .sign(TICKET)
            .to_json();
        assert_eq!(
            json,
            r#"{"signature":"22dce6bad4db532d4a2ef82ca2ca7bbe1e10ef28","timestamp":"1414587457","nonce_str":"Wm3WZYTPz0wzccnW"}"#
        );
        assert!(!json.contains("null") && !json.contains("undefined"));
    }

    #[test]
    fn lucky_money_balance_is_signed_and_sent() {
        // Expected value computed independently (Python hashlib over the sorted values).
        let ext = golden().code("random_code").balance(1000).sign(TICKET);
        assert_eq!(ext.signature(), "d2952cdc59c8fc4d58361c8cca1914a7fe8179f3");
        assert!(ext.to_json().ends_with(r#""balance":1000}"#));
    }

    #[test]
    fn defaults_fill_timestamp_and_nonce() {
        let ext = CardExt::builder("p").sign(TICKET);
        assert_eq!(ext.nonce_str().len(), 16);
        assert!(ext.timestamp() > 1_600_000_000);
        let again = CardExt::builder("p").sign(TICKET);
        assert_ne!(ext.nonce_str(), again.nonce_str());
    }
}
