//! Card codes: import, check, query, redeem, decrypt and invalidate.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::CardClient;
use crate::error::Error;
use crate::error::Result;
use crate::model::{is_true, Ack, UserCardStatus};
use crate::operation::operation;
use crate::ops::require;

/// The most codes `card/code/deposit` imports in one call (WeChat's documented limit).
pub const DEPOSIT_MAX_CODES: usize = 100;

/// `card/code/deposit`: import custom codes for a card (at most 100 a call, per WeChat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepositCode {
    /// The card.
    pub card_id: String,
    /// The codes; sent under the singular key `code`, as WeChat expects.
    #[serde(rename = "code")]
    pub codes: Vec<String>,
}

impl DepositCode {
    fn check(&self) -> Result<()> {
        require("card_id", &self.card_id)?;
        if self.codes.is_empty() || self.codes.len() > DEPOSIT_MAX_CODES {
            return Err(Error::invalid_argument(
                "codes",
                format!("give 1 to {DEPOSIT_MAX_CODES} codes per call"),
            ));
        }
        self.codes
            .iter()
            .try_for_each(|code| require("codes", code))
    }
}

operation!(DepositCode => Ack, "deposit_code", "/card/code/deposit", idempotent = false, validate = DepositCode::check);

/// `card/code/getdepositcount`: how many imported codes a card has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetDepositCount {
    /// The card.
    pub card_id: String,
}

/// Answer of `card/code/getdepositcount`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepositCount {
    /// Imported codes.
    pub count: u64,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(GetDepositCount => DepositCount, "get_deposit_count", "/card/code/getdepositcount", idempotent = true);

/// `card/code/checkcode`: which of these codes were imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckCode {
    /// The card.
    pub card_id: String,
    /// The codes to check; sent under the singular key `code`.
    #[serde(rename = "code")]
    pub codes: Vec<String>,
}

/// Answer of `card/code/checkcode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckedCodes {
    /// Codes that were imported.
    #[serde(default)]
    pub exist_code: Vec<String>,
    /// Codes that were not.
    #[serde(default)]
    pub not_exist_code: Vec<String>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(CheckCode => CheckedCodes, "check_code", "/card/code/checkcode", idempotent = true);

/// `card/code/get`: a code's card, owner and state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetCode {
    /// The code.
    pub code: String,
    /// The card (required for custom-code cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
    /// With `true` (WeChat's default, so the key is left out) WeChat answers 40127 for a
    /// deleted, gifted or unavailable code; with `false` it answers normally with
    /// `can_consume: false` and the `user_card_status`.
    #[serde(skip_serializing_if = "is_true")]
    pub check_consume: bool,
}

/// The card part of a code answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeCard {
    /// The card.
    pub card_id: String,
    /// Start of validity (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_time: Option<i64>,
    /// End of validity (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Answer of `card/code/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeInfo {
    /// The code's card.
    pub card: CodeCard,
    /// The owner's openid.
    #[serde(default)]
    pub openid: Option<String>,
    /// Whether the code can be redeemed now.
    #[serde(default)]
    pub can_consume: Option<bool>,
    /// The channel tag given when the card was handed out.
    #[serde(default)]
    pub outer_str: Option<String>,
    /// The code's state.
    #[serde(default)]
    pub user_card_status: Option<UserCardStatus>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(GetCode => CodeInfo, "get_code", "/card/code/get", idempotent = true, validate = GetCode::check);

impl GetCode {
    fn check(&self) -> Result<()> {
        require("code", &self.code)
    }
}

/// `card/code/consume`: redeem a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConsumeCode {
    /// The code.
    pub code: String,
    /// The card (required for custom-code cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
}

/// The card reference in a redemption answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardRef {
    /// The card.
    pub card_id: String,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Answer of `card/code/consume`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsumedCode {
    /// The redeemed code's card.
    #[serde(default)]
    pub card: Option<CardRef>,
    /// The owner's openid.
    #[serde(default)]
    pub openid: Option<String>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(ConsumeCode => ConsumedCode, "consume_code", "/card/code/consume", idempotent = false, validate = ConsumeCode::check);

impl ConsumeCode {
    fn check(&self) -> Result<()> {
        require("code", &self.code)
    }
}

/// `card/code/decrypt`: turn the `encrypt_code` of a card page URL into the real code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecryptCode {
    /// The encrypted code, as received (often base64 with `+`, `/`, `=`).
    pub encrypt_code: String,
}

/// Answer of `card/code/decrypt`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecryptedCode {
    /// The real code.
    pub code: String,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(DecryptCode => DecryptedCode, "decrypt_code", "/card/code/decrypt", idempotent = true, validate = DecryptCode::check);

impl DecryptCode {
    fn check(&self) -> Result<()> {
        require("encrypt_code", &self.encrypt_code)
    }
}

/// `card/code/unavailable`: make a code unusable (wechatpy's `invalid_code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvalidCode {
    /// The code.
    pub code: String,
    /// The card (required for custom-code cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
    /// Why, shown to the user (current WeChat docs; wechatpy never sends it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

// Not repeated after an ambiguous failure: a repeat on a code already made unavailable
// answers with an error, which would hide the success.
operation!(InvalidCode => Ack, "invalid_code", "/card/code/unavailable", idempotent = false, validate = InvalidCode::check);

impl InvalidCode {
    fn check(&self) -> Result<()> {
        require("code", &self.code)
    }
}

impl CardClient {
    /// Import custom codes (`card/code/deposit`; the list goes under the key `code`).
    /// Not idempotent.
    pub async fn deposit_code(&self, card_id: &str, codes: Vec<String>) -> Result<Ack> {
        self.execute(&DepositCode {
            card_id: card_id.to_owned(),
            codes,
        })
        .await
    }

    /// How many codes were imported for a card (`card/code/getdepositcount`).
    pub async fn get_deposit_count(&self, card_id: &str) -> Result<DepositCount> {
        self.execute(&GetDepositCount {
            card_id: card_id.to_owned(),
        })
        .await
    }

    /// Which codes were imported (`card/code/checkcode`).
    pub async fn check_code(&self, card_id: &str, codes: Vec<String>) -> Result<CheckedCodes> {
        self.execute(&CheckCode {
            card_id: card_id.to_owned(),
            codes,
        })
        .await
    }

    /// Query a code (`card/code/get`). With `check_consume == true` (wechatpy's default) the key
    /// is left out and WeChat answers 40127 ([`Error::is_card_status`](crate::Error::is_card_status))
    /// for a code that cannot be redeemed; with `false` it answers with the
    /// [`CodeInfo::user_card_status`] instead.
    pub async fn get_code(
        &self,
        code: &str,
        card_id: Option<&str>,
        check_consume: bool,
    ) -> Result<CodeInfo> {
        self.execute(&GetCode {
            code: code.to_owned(),
            card_id: card_id.map(str::to_owned),
            check_consume,
        })
        .await
    }

    /// Redeem a code (`card/code/consume`). Not idempotent: a second redemption answers 40099
    /// ([`Error::is_already_consumed`](crate::Error::is_already_consumed)).
    pub async fn consume_code(&self, code: &str, card_id: Option<&str>) -> Result<ConsumedCode> {
        self.execute(&ConsumeCode {
            code: code.to_owned(),
            card_id: card_id.map(str::to_owned),
        })
        .await
    }

    /// Decrypt an `encrypt_code` (`card/code/decrypt`); returns the real code.
    pub async fn decrypt_code(&self, encrypt_code: &str) -> Result<String> {
        Ok(self
            .execute(&DecryptCode {
                encrypt_code: encrypt_code.to_owned(),
            })
            .await?
            .code)
    }

    /// Make a code unusable (`card/code/unavailable`). To give the user a reason, execute
    /// [`InvalidCode`] with `reason` set.
    pub async fn invalid_code(&self, code: &str, card_id: Option<&str>) -> Result<Ack> {
        self.execute(&InvalidCode {
            code: code.to_owned(),
            card_id: card_id.map(str::to_owned),
            reason: None,
        })
        .await
    }
}

/// `card/code/update`: give a user's code a new value (custom-code cards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateCode {
    /// The card. wechatpy always sends it (`null` when `None`); here `None` is left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
    /// The current code (wechatpy's `old_code`, sent under the key `code`).
    pub code: String,
    /// The code it becomes.
    pub new_code: String,
}

// Not idempotent: once applied, a repeat answers "invalid code" for the old value, which would
// hide the success.
operation!(UpdateCode => Ack, "update_code", "/card/code/update", idempotent = false);

impl CardClient {
    /// Change a code's value (`card/code/update`); `old_code` goes under the key `code`.
    pub async fn update_code(&self, card_id: &str, old_code: &str, new_code: &str) -> Result<Ack> {
        self.execute(&UpdateCode {
            card_id: Some(card_id.to_owned()),
            code: old_code.to_owned(),
            new_code: new_code.to_owned(),
        })
        .await
    }
}
