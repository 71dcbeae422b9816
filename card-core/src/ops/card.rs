//! Card definitions: create, read, update, delete, list, and stock.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::card::{Card, CardUpdate};
use crate::client::CardClient;
use crate::error::{Error, Result};
use crate::model::{is_none_or_empty, Ack, CardStatus};
use crate::operation::{operation, Operation};

/// `card/create` with a typed [`Card`]: sends `{"card": <card>}` after
/// [`Card::validate`] accepts it.
#[derive(Debug, Clone, Serialize)]
pub struct CreateCardRequest<'a> {
    /// The card document.
    pub card: &'a Card,
}

impl Operation for CreateCardRequest<'_> {
    type Response = CreatedCard;
    const NAME: &'static str = "create";
    const PATH: &'static str = "/card/create";
    const IDEMPOTENT: bool = false;

    fn validate(&self) -> Result<()> {
        self.card.validate()
    }
}

/// `card/create` with a raw document, sent verbatim and unchecked (the whole body, envelope
/// included: `{"card": {"card_type": .., ..}}`). The escape hatch for documents
/// [`Card`] cannot express; send it with [`CardClient::execute`].
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

/// `card/update` with a raw document, sent verbatim and unchecked
/// (`{"card_id": .., "<type>": {..}}`). The escape hatch next to the typed [`CardUpdate`]; send
/// it with [`CardClient::execute`].
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

// The typed update: validated, then sent as `{"card_id": .., "<type>": {..}}`.
operation!(CardUpdate => UpdatedCard, "update", "/card/update", idempotent = true, validate = CardUpdate::validate);

/// `card/get`: one card's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetCard {
    /// The card.
    pub card_id: String,
}

/// Answer of `card/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardDocument {
    /// The card document, every field WeChat sent included.
    pub card: Card,
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

// Not repeated after an ambiguous failure: a repeat of a delete that went through answers with
// an error, which would hide the success.
operation!(DeleteCard => Ack, "delete", "/card/delete", idempotent = false);

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

/// The largest stock change (WeChat's `sku.quantity` ceiling).
pub const STOCK_MAX: u64 = 100_000_000;

impl ModifyStock {
    fn check(&self) -> Result<()> {
        crate::ops::require("card_id", &self.card_id)?;
        for (field, value) in [
            ("increase_stock_value", self.increase_stock_value),
            ("reduce_stock_value", self.reduce_stock_value),
        ] {
            if value.is_some_and(|v| v > STOCK_MAX) {
                return Err(Error::invalid_argument(
                    field,
                    format!("cannot exceed {STOCK_MAX}"),
                ));
            }
        }
        Ok(())
    }
}

operation!(ModifyStock => Ack, "modify_stock", "/card/modifystock", idempotent = false, validate = ModifyStock::check);

impl CardClient {
    /// Create a card (`card/create`); returns its `card_id`.
    ///
    /// The card is checked with [`Card::validate`] first: a missing required field, a text over
    /// its documented length, a date range that ends before it begins and similar mistakes
    /// return [`Error::InvalidArgument`] naming the field, and nothing is sent. The body is
    /// `{"card": <card>}` in raw UTF-8.
    ///
    /// wechatpy's `create(card_data)` posts whatever dict it is given; to send a document the
    /// types cannot express, use `execute(&CreateCard(json))`.
    pub async fn create(&self, card: &Card) -> Result<String> {
        Ok(self.execute(&CreateCardRequest { card }).await?.card_id)
    }

    /// Read a card's document (`card/get`).
    ///
    /// wechatpy's `get(card_id)` returns the `card` dict; here it is a typed [`Card`] that keeps
    /// every field WeChat sent, known or not (unknown keys in the `extra` maps, unknown enum
    /// values in `Other`, bodies the types cannot reproduce exactly in
    /// [`CardBody::Raw`](crate::CardBody::Raw)), so it encodes back to the same JSON.
    pub async fn get(&self, card_id: &str) -> Result<Card> {
        Ok(self
            .execute(&GetCard {
                card_id: card_id.to_owned(),
            })
            .await?
            .card)
    }

    /// Change a card (`card/update`): sends `{"card_id": .., "<type>": {..}}` with only the
    /// fields set in `update`, after [`CardUpdate::validate`] accepts it.
    ///
    /// wechatpy's `update(card_data)` posts a dict verbatim; for a document the types cannot
    /// express, use `execute(&UpdateCard(json))`.
    pub async fn update(&self, update: &CardUpdate) -> Result<UpdatedCard> {
        self.execute(update).await
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
