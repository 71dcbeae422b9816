//! A user's cards.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::CardClient;
use crate::error::Result;
use crate::operation::operation;

/// `card/user/getcardlist`: the cards a user holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetCardList {
    /// The user.
    pub openid: String,
    /// Only codes of this card; left out of the body when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
}

/// One card a user holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserCard {
    /// The user's code.
    pub code: String,
    /// The card.
    pub card_id: String,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Answer of `card/user/getcardlist`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserCardList {
    /// The user's codes.
    #[serde(default)]
    pub card_list: Vec<UserCard>,
    /// Whether the user holds a shared (朋友的券) card; older answers leave it out.
    #[serde(default)]
    pub has_share_card: Option<bool>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(GetCardList => UserCardList, "get_card_list", "/card/user/getcardlist", idempotent = true);

impl CardClient {
    /// The cards a user holds (`card/user/getcardlist`), optionally only those of one card.
    pub async fn get_card_list(&self, openid: &str, card_id: Option<&str>) -> Result<UserCardList> {
        self.execute(&GetCardList {
            openid: openid.to_owned(),
            card_id: card_id.map(str::to_owned),
        })
        .await
    }
}
