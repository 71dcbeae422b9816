//! Card definitions: create, read, update, delete, list, and stock.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::CardClient;
use crate::error::{Error, Result};
use crate::model::{is_none_or_empty, Ack, CardStatus};
use crate::operation::{operation, Operation};

/// `card/create`: the caller's card document, sent verbatim (`{"card": {"card_type": .., ..}}`).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct CreateCard<T>(pub T);

/// Answer of `card/create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedCard {
    /// The new card's id.
    pub card_id: String,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<T: Serialize + Send + Sync> Operation for CreateCard<T> {
    type Response = CreatedCard;
    const NAME: &'static str = "create";
    const PATH: &'static str = "/card/create";
    const IDEMPOTENT: bool = false;
}

/// `card/update`: the caller's update document, sent verbatim (`{"card_id": .., "<type>": {..}}`).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct UpdateCard<T>(pub T);

/// Answer of `card/update`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdatedCard {
    /// True when the change sends the card back to review.
    #[serde(default)]
    pub send_check: Option<bool>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<T: Serialize + Send + Sync> Operation for UpdateCard<T> {
    type Response = UpdatedCard;
    const NAME: &'static str = "update";
    const PATH: &'static str = "/card/update";
    // Setting fields to given values: repeating it leaves the same card.
    const IDEMPOTENT: bool = true;
}

/// `card/get`: one card's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetCard {
    /// The card.
    pub card_id: String,
}

/// Answer of `card/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardDocument {
    /// The card document (`{"card_type": .., "<type>": {..}}`).
    pub card: Value,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(GetCard => CardDocument, "get", "/card/get", idempotent = true);

/// `card/delete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeleteCard {
    /// The card.
    pub card_id: String,
}

operation!(DeleteCard => Ack, "delete", "/card/delete", idempotent = true);

/// The most cards `card/batchget` lists in one call.
pub const BATCH_GET_MAX: u32 = 50;

/// `card/batchget`: the account's card ids, a page at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchGetCards {
    /// Index of the first card.
    pub offset: u32,
    /// How many (at most [`BATCH_GET_MAX`]).
    pub count: u32,
    /// Only cards in these states; left out of the body when absent or empty.
    #[serde(skip_serializing_if = "is_none_or_empty")]
    pub status_list: Option<Vec<CardStatus>>,
}

/// Answer of `card/batchget`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardIdPage {
    /// The card ids of this page.
    #[serde(default)]
    pub card_id_list: Vec<String>,
    /// How many cards match in all.
    #[serde(default)]
    pub total_num: u64,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl BatchGetCards {
    fn check(&self) -> Result<()> {
        if self.count > BATCH_GET_MAX {
            return Err(Error::invalid_argument(
                "count",
                format!("cannot be greater than {BATCH_GET_MAX}"),
            ));
        }
        Ok(())
    }
}

operation!(BatchGetCards => CardIdPage, "batch_get", "/card/batchget", idempotent = true, validate = BatchGetCards::check);

/// `card/modifystock`: raise or lower a card's stock by a delta.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ModifyStock {
    /// The card.
    pub card_id: String,
    /// Add this many.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub increase_stock_value: Option<u64>,
    /// Remove this many (a positive number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reduce_stock_value: Option<u64>,
}

impl ModifyStock {
    /// The request for a signed change: `n > 0` increases, `n < 0` reduces by `-n`, and `0`
    /// gives `None` (there is nothing to send).
    pub fn by(card_id: impl Into<String>, n: i64) -> Option<Self> {
        let card_id = card_id.into();
        let magnitude = n.unsigned_abs();
        match n.signum() {
            1 => Some(Self {
                card_id,
                increase_stock_value: Some(magnitude),
                reduce_stock_value: None,
            }),
            -1 => Some(Self {
                card_id,
                increase_stock_value: None,
                reduce_stock_value: Some(magnitude),
            }),
            _ => None,
        }
    }
}

operation!(ModifyStock => Ack, "modify_stock", "/card/modifystock", idempotent = false);

impl CardClient {
    /// Create a card (`card/create`) from a card document, sent verbatim; returns its `card_id`.
    ///
    /// `card_data` is the whole body, envelope included: `{"card": {"card_type": "GROUPON",
    /// "groupon": {..}}}`. Any `Serialize` value works (a `serde_json::Value`, your own struct).
    pub async fn create<T: Serialize + Send + Sync>(&self, card_data: &T) -> Result<String> {
        Ok(self.execute(&CreateCard(card_data)).await?.card_id)
    }

    /// Read a card's document (`card/get`); returns the `card` object.
    pub async fn get(&self, card_id: &str) -> Result<Value> {
        Ok(self
            .execute(&GetCard {
                card_id: card_id.to_owned(),
            })
            .await?
            .card)
    }

    /// Change a card (`card/update`); `card_data` is sent verbatim
    /// (`{"card_id": .., "member_card": {"base_info": {..}}}`).
    pub async fn update<T: Serialize + Send + Sync>(&self, card_data: &T) -> Result<UpdatedCard> {
        self.execute(&UpdateCard(card_data)).await
    }

    /// Delete a card (`card/delete`).
    pub async fn delete(&self, card_id: &str) -> Result<Ack> {
        self.execute(&DeleteCard {
            card_id: card_id.to_owned(),
        })
        .await
    }

    /// List card ids (`card/batchget`). `count` above 50 is refused before anything is sent, as
    /// wechatpy does; an empty `status_list` is left out of the body.
    pub async fn batch_get(
        &self,
        offset: u32,
        count: u32,
        status_list: Option<Vec<CardStatus>>,
    ) -> Result<CardIdPage> {
        self.execute(&BatchGetCards {
            offset,
            count,
            status_list,
        })
        .await
    }

    /// Change a card's stock by `n` (`card/modifystock`): `n > 0` adds, `n < 0` removes `-n`.
    /// With `n == 0` nothing is sent and `Ok(None)` is returned, as in wechatpy.
    ///
    /// Not idempotent: a repeated call changes the stock again.
    pub async fn modify_stock(&self, card_id: &str, n: i64) -> Result<Option<Ack>> {
        match ModifyStock::by(card_id, n) {
            Some(request) => self.execute(&request).await.map(Some),
            None => Ok(None),
        }
    }
}
