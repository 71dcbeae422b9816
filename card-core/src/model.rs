//! Values shared by several operations' answers.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::wire_enum::wire_enum;

/// A plain acknowledgement: `{"errcode":0,"errmsg":"ok"}` plus whatever else WeChat sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    /// Fields beyond `errcode`/`errmsg`, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

wire_enum! {
    /// A card's review status (`status_list` of `card/batchget`, `base_info.status` of `card/get`).
    pub enum CardStatus {
        /// Awaiting review.
        NotVerify = "CARD_STATUS_NOT_VERIFY",
        /// Review failed.
        VerifyFail = "CARD_STATUS_VERIFY_FAIL",
        /// Approved.
        VerifyOk = "CARD_STATUS_VERIFY_OK",
        /// Deleted by the merchant.
        Delete = "CARD_STATUS_DELETE",
        /// Placed on a shelf (dispatched).
        Dispatch = "CARD_STATUS_DISPATCH",
    }
}

wire_enum! {
    /// The state of one user's card code (`user_card_status`).
    pub enum UserCardStatus {
        /// Usable.
        Normal = "NORMAL",
        /// Already redeemed.
        Consumed = "CONSUMED",
        /// Expired.
        Expire = "EXPIRE",
        /// Being gifted to a friend.
        Gifting = "GIFTING",
        /// The gift was not accepted in time.
        GiftTimeout = "GIFT_TIMEOUT",
        /// Deleted by the user.
        Delete = "DELETE",
        /// Made unavailable by the merchant.
        Unavailable = "UNAVAILABLE",
    }
}

/// Serde helper: leave a flag out of the body when it is true (WeChat's default).
pub(crate) fn is_true(value: &bool) -> bool {
    *value
}

/// Serde helper: leave a list out of the body when it is absent or empty.
pub(crate) fn is_none_or_empty<T>(value: &Option<Vec<T>>) -> bool {
    value.as_ref().is_none_or(Vec::is_empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_keep_unknown_values() {
        let s: UserCardStatus = serde_json::from_str(r#""SOMETHING_NEW""#).unwrap();
        assert_eq!(s, UserCardStatus::Other("SOMETHING_NEW".into()));
        assert_eq!(serde_json::to_string(&s).unwrap(), r#""SOMETHING_NEW""#);
        let s: UserCardStatus = serde_json::from_str(r#""GIFT_TIMEOUT""#).unwrap();
        assert_eq!(s, UserCardStatus::GiftTimeout);
        assert_eq!(CardStatus::VerifyOk.to_string(), "CARD_STATUS_VERIFY_OK");
    }
}
