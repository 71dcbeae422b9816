//! The pay cell (买单): a "pay" entry shown on a card that opens WeChat Pay.

use serde::Serialize;

use crate::client::CardClient;
use crate::error::Result;
use crate::model::Ack;
use crate::operation::operation;

/// `card/paycell/set`: switch a card's pay cell on or off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetPayCell {
    /// The card.
    pub card_id: String,
    /// Show the pay cell.
    pub is_open: bool,
}

operation!(SetPayCell => Ack, "set_paycell", "/card/paycell/set", idempotent = true);

impl CardClient {
    /// Switch a card's pay cell on or off (`card/paycell/set`).
    pub async fn set_paycell(&self, card_id: &str, is_open: bool) -> Result<Ack> {
        self.execute(&SetPayCell {
            card_id: card_id.to_owned(),
            is_open,
        })
        .await
    }
}
