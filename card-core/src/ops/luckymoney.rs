//! Lucky-money cards (红包): a user's balance.

use serde::{Deserialize, Serialize};

use crate::client::CardClient;
use crate::error::Result;
use crate::model::Ack;
use crate::operation::operation;

/// `card/luckymoney/updateuserbalance`: set the balance of a user's lucky-money card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateLuckyMoneyBalance {
    /// The user's code.
    pub code: String,
    /// The new balance, in fen (absolute, not a delta).
    pub balance: i64,
    /// The card (required for custom-code cards); left out of the body when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
}

operation!(UpdateLuckyMoneyBalance => Ack, "update_luckymoney_balance", "/card/luckymoney/updateuserbalance", idempotent = true);

impl CardClient {
    /// Set the balance of a user's lucky-money card (`card/luckymoney/updateuserbalance`).
    #[deprecated(note = "deprecated upstream: wechatpy marks update_luckymoney_balance 已废弃")]
    pub async fn update_luckymoney_balance(
        &self,
        code: &str,
        balance: i64,
        card_id: Option<&str>,
    ) -> Result<Ack> {
        self.execute(&UpdateLuckyMoneyBalance {
            code: code.to_owned(),
            balance,
            card_id: card_id.map(str::to_owned),
        })
        .await
    }
}
