//! The test whitelist: users who may receive cards still under review.

use serde::Serialize;

use crate::client::CardClient;
use crate::error::Result;
use crate::model::Ack;
use crate::operation::operation;

/// `card/testwhitelist/set`: the users who may receive unapproved cards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SetTestWhitelist {
    /// Users by openid; sent under the singular key `openid`, and sent even when empty, as
    /// wechatpy does.
    #[serde(rename = "openid")]
    pub openids: Vec<String>,
    /// Users by WeChat id (微信号); sent under the singular key `username`, even when empty.
    #[serde(rename = "username")]
    pub usernames: Vec<String>,
}

operation!(SetTestWhitelist => Ack, "set_test_whitelist", "/card/testwhitelist/set", idempotent = true);

impl CardClient {
    /// Set the test whitelist (`card/testwhitelist/set`). Both lists are always sent (`[]`
    /// when empty), under the keys `openid` and `username`, as wechatpy does.
    pub async fn set_test_whitelist(
        &self,
        openids: Vec<String>,
        usernames: Vec<String>,
    ) -> Result<Ack> {
        self.execute(&SetTestWhitelist { openids, usernames }).await
    }
}
