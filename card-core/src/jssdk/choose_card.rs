//! `cardSign`, the signed parameters of `wx.chooseCard` (拉取适用卡券列表).

use serde_json::{Map, Value};

use super::{non_empty, now_unix};
use crate::client::CardClient;
use crate::error::{Error, Result};
use crate::sign::{nonce_str, sign_values};

/// The signed parameters of `wx.chooseCard`.
///
/// Signed, per the JS-SDK appendix on card signatures: the card api_ticket, the AppID, the
/// store (`location_id`, the page's `shopId`), `timestamp`, `nonce_str`, `card_id` and
/// `card_type`, as values sorted byte-wise and joined with nothing, then SHA-1. Filters left
/// unset are absent from both the signature and [`to_js_params`](Self::to_js_params).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChooseCardSign {
    location_id: Option<String>,
    card_type: Option<String>,
    card_id: Option<String>,
    timestamp: u64,
    nonce_str: String,
    card_sign: String,
}

/// Gathers the fields of a [`ChooseCardSign`]; [`sign`](Self::sign) produces it.
#[derive(Debug, Clone, Default)]
pub struct ChooseCardSignBuilder {
    location_id: Option<String>,
    card_type: Option<String>,
    card_id: Option<String>,
    timestamp: Option<u64>,
    nonce_str: Option<String>,
}

impl ChooseCardSignBuilder {
    /// Only cards usable at this store (`shopId` on the page).
    pub fn location_id(mut self, location_id: impl Into<String>) -> Self {
        self.location_id = non_empty(location_id);
        self
    }

    /// Only cards of this type (`GROUPON`, `CASH`, `DISCOUNT`, `GIFT`, `GENERAL_COUPON`, ...).
    pub fn card_type(mut self, card_type: impl Into<String>) -> Self {
        self.card_type = non_empty(card_type);
        self
    }

    /// Only codes of this card.
    pub fn card_id(mut self, card_id: impl Into<String>) -> Self {
        self.card_id = non_empty(card_id);
        self
    }

    /// The signing time in Unix seconds (default: now).
    pub fn timestamp(mut self, timestamp: u64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// The nonce (default: 16 random characters of `[A-Za-z0-9]`).
    pub fn nonce_str(mut self, nonce_str: impl Into<String>) -> Self {
        self.nonce_str = non_empty(nonce_str);
        self
    }

    /// Sign with the card `api_ticket` and the app's AppID.
    pub fn sign(self, api_ticket: &str, app_id: &str) -> ChooseCardSign {
        let timestamp = self.timestamp.unwrap_or_else(now_unix);
        let nonce_str = self.nonce_str.unwrap_or_else(nonce_str);
        let timestamp_text = timestamp.to_string();
        let card_sign = sign_values([
            api_ticket,
            app_id,
            self.location_id.as_deref().unwrap_or(""),
            timestamp_text.as_str(),
            nonce_str.as_str(),
            self.card_id.as_deref().unwrap_or(""),
            self.card_type.as_deref().unwrap_or(""),
        ]);
        ChooseCardSign {
            location_id: self.location_id,
            card_type: self.card_type,
            card_id: self.card_id,
            timestamp,
            nonce_str,
            card_sign,
        }
    }
}

impl ChooseCardSign {
    /// Start the parameters of `wx.chooseCard`; with no filter, it lists all the user's cards.
    pub fn builder() -> ChooseCardSignBuilder {
        ChooseCardSignBuilder::default()
    }

    /// The object to pass to `wx.chooseCard` (callbacks aside): `shopId`, `cardType`,
    /// `cardId` when set, then `timestamp` (a number), `nonceStr`, `signType: "SHA1"` and
    /// `cardSign`.
    pub fn to_js_params(&self) -> Value {
        let mut params = Map::new();
        for (key, value) in [
            ("shopId", &self.location_id),
            ("cardType", &self.card_type),
            ("cardId", &self.card_id),
        ] {
            if let Some(value) = value {
                params.insert(key.to_owned(), Value::from(value.as_str()));
            }
        }
        params.insert("timestamp".to_owned(), Value::from(self.timestamp));
        params.insert("nonceStr".to_owned(), Value::from(self.nonce_str.as_str()));
        params.insert("signType".to_owned(), Value::from("SHA1"));
        params.insert("cardSign".to_owned(), Value::from(self.card_sign.as_str()));
        Value::Object(params)
    }

    /// The signature (lowercase hex).
    pub fn card_sign(&self) -> &str {
        &self.card_sign
    }

    /// The signing time (Unix seconds).
    pub fn timestamp(&self) -> u64 {
        self.timestamp
    }

    /// The nonce.
    pub fn nonce_str(&self) -> &str {
        &self.nonce_str
    }

    /// The store filter, if any.
    pub fn location_id(&self) -> Option<&str> {
        self.location_id.as_deref()
    }

    /// The card-type filter, if any.
    pub fn card_type(&self) -> Option<&str> {
        self.card_type.as_deref()
    }

    /// The card filter, if any.
    pub fn card_id(&self) -> Option<&str> {
        self.card_id.as_deref()
    }
}

impl CardClient {
    /// Sign the parameters of `wx.chooseCard` with the cached card `api_ticket` and this
    /// client's AppID. A client built without an AppID (a fixed token) gets
    /// [`Error::InvalidArgument`] for `appid`; sign with [`ChooseCardSignBuilder::sign`] instead.
    pub async fn get_jsapi_choose_card_params(
        &self,
        choose_card: ChooseCardSignBuilder,
    ) -> Result<ChooseCardSign> {
        let app_id = self.appid().ok_or_else(|| {
            Error::invalid_argument(
                "appid",
                "cardSign signs the AppID; build the client with credentials",
            )
        })?;
        let ticket = self.get_jsapi_card_ticket().await?;
        Ok(choose_card.sign(ticket.expose(), app_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TICKET: &str =
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";

    #[test]
    fn signs_the_seven_documented_values() {
        // Expected values computed independently with Python's hashlib over the sorted values
        // ("10000011414587457GROUPONWm3WZYTPz0wzccnWpFAKE_CARD_1sM4A...wxFAKE0000000001").
        let sign = ChooseCardSign::builder()
            .location_id("1000001")
            .card_type("GROUPON")
            .card_id("pFAKE_CARD_1")
            .timestamp(1414587457)
            .nonce_str("Wm3WZYTPz0wzccnW")
            .sign(TICKET, "wxFAKE0000000001");
        assert_eq!(sign.card_sign(), "e535d67da2e2a1e6918101ed050a823de8d313eb");
        assert_eq!(
            sign.to_js_params(),
            json!({
                "shopId": "1000001", "cardType": "GROUPON", "cardId": "pFAKE_CARD_1",
                "timestamp": 1414587457, "nonceStr": "Wm3WZYTPz0wzccnW",
                "signType": "SHA1", "cardSign": "e535d67da2e2a1e6918101ed050a823de8d313eb"
            })
        );
    }

    #[test]
    fn unset_filters_are_left_out_of_both() {
        let sign = ChooseCardSign::builder()
            .card_type("")
            .timestamp(1414587457)
            .nonce_str("Wm3WZYTPz0wzccnW")
            .sign(TICKET, "wxFAKE0000000001");
        assert_eq!(sign.card_sign(), "ca4d32fe7ff6c2d8d17913f6a5ab6b35a6ef3217");
        assert_eq!(
            sign.to_js_params(),
            json!({
                "timestamp": 1414587457, "nonceStr": "Wm3WZYTPz0wzccnW",
                "signType": "SHA1", "cardSign": "ca4d32fe7ff6c2d8d17913f6a5ab6b35a6ef3217"
            })
        );
    }
}
