//! Cards given after a WeChat Pay payment (支付后投放卡券 / 支付即会员): the gift rules.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::CardClient;
use crate::error::Result;
use crate::model::Ack;
use crate::operation::operation;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// The kind of a pay-gift rule (`rule_info.type`).
    pub enum PayGiftRuleType {
        /// Paying gives a member card (支付即会员); its rule is under `member_rule`.
        PayMemberCard = "RULE_TYPE_PAY_MEMBER_CARD",
        /// Paying gives a card (单次消费送券); its rule is under `single_pay`.
        SinglePay = "RULE_TYPE_SINGLE_PAY",
    }
}

/// A rule's id. WeChat's ids are integers; a string is sent as given (wechatpy sends
/// whatever it is passed), and either decodes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RuleId {
    /// An integer id, as WeChat issues them.
    Number(i64),
    /// An id given as a string.
    Text(String),
}

impl From<i64> for RuleId {
    fn from(id: i64) -> Self {
        Self::Number(id)
    }
}

impl From<&str> for RuleId {
    fn from(id: &str) -> Self {
        Self::Text(id.to_owned())
    }
}

impl From<String> for RuleId {
    fn from(id: String) -> Self {
        Self::Text(id)
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Text(s) => f.write_str(s),
        }
    }
}

/// The common part of a rule (`base_info`, wechatpy's `base_info` dict).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PayGiftBaseInfo {
    /// The WeChat Pay merchant ids the rule applies to.
    #[serde(default)]
    pub mchid_list: Vec<String>,
    /// Start of the rule (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_time: Option<i64>,
    /// End of the rule (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    /// Other fields (`create_time`, `update_time` in answers), kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The gift of a rule (`member_rule` or `single_pay`, wechatpy's `extra_info` dict).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GiftCardRule {
    /// The card given.
    pub card_id: String,
    /// Smallest payment that earns it, in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub least_cost: Option<i64>,
    /// Largest payment that earns it, in fen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cost: Option<i64>,
    /// A page of the merchant's where the user takes the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jump_url: Option<String>,
    /// A mini program where the user takes the card (its AppID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_brand_id: Option<String>,
    /// The mini program's page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_brand_pass: Option<String>,
    /// Other fields, sent and kept as given.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A pay-gift rule (`rule_info`, and each entry of `rule_list`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayGiftRule {
    /// The rule's id (in answers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<RuleId>,
    /// Which kind of rule, and so which of `member_rule` / `single_pay` holds the gift.
    #[serde(rename = "type")]
    pub rule_type: PayGiftRuleType,
    /// Merchants and validity.
    pub base_info: PayGiftBaseInfo,
    /// The gift of a [`PayGiftRuleType::PayMemberCard`] rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_rule: Option<GiftCardRule>,
    /// The gift of a [`PayGiftRuleType::SinglePay`] rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_pay: Option<GiftCardRule>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl PayGiftRule {
    /// The rule wechatpy's `add_pay_giftcard` builds: `is_membercard` chooses
    /// `RULE_TYPE_PAY_MEMBER_CARD` with the gift under `member_rule`, otherwise
    /// `RULE_TYPE_SINGLE_PAY` with the gift under `single_pay`.
    pub fn new(base_info: PayGiftBaseInfo, extra_info: GiftCardRule, is_membercard: bool) -> Self {
        let (rule_type, member_rule, single_pay) = if is_membercard {
            (PayGiftRuleType::PayMemberCard, Some(extra_info), None)
        } else {
            (PayGiftRuleType::SinglePay, None, Some(extra_info))
        };
        Self {
            rule_id: None,
            rule_type,
            base_info,
            member_rule,
            single_pay,
            extra: Map::new(),
        }
    }

    /// The gift, wherever the rule's type puts it.
    pub fn gift(&self) -> Option<&GiftCardRule> {
        self.member_rule.as_ref().or(self.single_pay.as_ref())
    }
}

/// `card/paygiftcard/add`: create a pay-gift rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddPayGiftCard {
    /// The rule.
    pub rule_info: PayGiftRule,
}

/// A merchant id a rule could not be set for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailedMchid {
    /// The merchant id.
    pub mchid: String,
    /// Why, as an error code.
    #[serde(default)]
    pub errcode: Option<i64>,
    /// Why, in words.
    #[serde(default)]
    pub errmsg: Option<String>,
    /// The rule already holding this merchant.
    #[serde(default)]
    pub occupy_rule_id: Option<RuleId>,
    /// The app owning that rule.
    #[serde(default)]
    pub occupy_appid: Option<String>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Answer of `card/paygiftcard/add`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayGiftCardAdded {
    /// The new rule's id.
    #[serde(default)]
    pub rule_id: Option<RuleId>,
    /// Merchants the rule could not be set for (each already held by another rule, say).
    #[serde(default)]
    pub fail_mchid_list: Vec<FailedMchid>,
    /// Merchants the rule was set for.
    #[serde(default)]
    pub succ_mchid_list: Vec<String>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(AddPayGiftCard => PayGiftCardAdded, "add_pay_giftcard", "/card/paygiftcard/add", idempotent = false);

/// `card/paygiftcard/delete`: delete a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelPayGiftCard {
    /// The rule.
    pub rule_id: RuleId,
}

// A repeat of a delete that went through answers with an error, hiding the success.
operation!(DelPayGiftCard => Ack, "del_pay_giftcard", "/card/paygiftcard/delete", idempotent = false);

/// `card/paygiftcard/getbyid`: one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetPayGiftCard {
    /// The rule.
    pub rule_id: RuleId,
}

/// Answer of `card/paygiftcard/getbyid`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayGiftRuleInfo {
    /// The rule.
    pub rule_info: PayGiftRule,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(GetPayGiftCard => PayGiftRuleInfo, "get_pay_giftcard", "/card/paygiftcard/getbyid", idempotent = true);

/// `card/paygiftcard/batchget`: a page of the rules of one type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchGetPayGiftCard {
    /// Which rules (wechatpy always sends `RULE_TYPE_PAY_MEMBER_CARD`).
    #[serde(rename = "type")]
    pub rule_type: PayGiftRuleType,
    /// Only rules in force.
    pub effective: bool,
    /// Index of the first rule.
    pub offset: u32,
    /// How many (wechatpy's default: 10).
    pub count: u32,
}

/// Answer of `card/paygiftcard/batchget`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PayGiftRulePage {
    /// The rules of this page.
    #[serde(default)]
    pub rule_list: Vec<PayGiftRule>,
    /// How many rules match in all.
    #[serde(default)]
    pub total_count: u64,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(BatchGetPayGiftCard => PayGiftRulePage, "batch_get_pay_giftcard", "/card/paygiftcard/batchget", idempotent = true);

impl CardClient {
    /// Create a pay-gift rule (`card/paygiftcard/add`): `is_membercard` gives a
    /// `RULE_TYPE_PAY_MEMBER_CARD` rule with `extra_info` under `member_rule`, otherwise a
    /// `RULE_TYPE_SINGLE_PAY` rule with it under `single_pay`, as in wechatpy. Not idempotent.
    pub async fn add_pay_giftcard(
        &self,
        base_info: PayGiftBaseInfo,
        extra_info: GiftCardRule,
        is_membercard: bool,
    ) -> Result<PayGiftCardAdded> {
        self.execute(&AddPayGiftCard {
            rule_info: PayGiftRule::new(base_info, extra_info, is_membercard),
        })
        .await
    }

    /// Delete a pay-gift rule (`card/paygiftcard/delete`).
    pub async fn del_pay_giftcard(&self, rule_id: impl Into<RuleId>) -> Result<Ack> {
        self.execute(&DelPayGiftCard {
            rule_id: rule_id.into(),
        })
        .await
    }

    /// One pay-gift rule (`card/paygiftcard/getbyid`); returns the `rule_info`, as wechatpy
    /// does.
    pub async fn get_pay_giftcard(&self, rule_id: impl Into<RuleId>) -> Result<PayGiftRule> {
        Ok(self
            .execute(&GetPayGiftCard {
                rule_id: rule_id.into(),
            })
            .await?
            .rule_info)
    }

    /// A page of pay-gift rules of one type (`card/paygiftcard/batchget`). wechatpy's
    /// defaults are `effective = true`, `offset = 0`, `count = 10`.
    ///
    /// Differs from wechatpy, which hard-codes `RULE_TYPE_PAY_MEMBER_CARD` and so can never
    /// list the `RULE_TYPE_SINGLE_PAY` rules its own `add_pay_giftcard` creates: the type is a
    /// parameter here.
    pub async fn batch_get_pay_giftcard(
        &self,
        rule_type: PayGiftRuleType,
        effective: bool,
        offset: u32,
        count: u32,
    ) -> Result<PayGiftRulePage> {
        self.execute(&BatchGetPayGiftCard {
            rule_type,
            effective,
            offset,
            count,
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rule_ids_keep_their_json_type() {
        assert_eq!(
            serde_json::to_value(RuleId::from(1231243)).unwrap(),
            json!(1231243)
        );
        assert_eq!(
            serde_json::to_value(RuleId::from("R1")).unwrap(),
            json!("R1")
        );
        let id: RuleId = serde_json::from_value(json!("429058107")).unwrap();
        assert_eq!(id.to_string(), "429058107");
    }

    #[test]
    fn the_gift_sits_under_the_key_of_its_type() {
        let base = PayGiftBaseInfo {
            mchid_list: vec!["1".into()],
            ..PayGiftBaseInfo::default()
        };
        let gift = GiftCardRule {
            card_id: "C".into(),
            ..GiftCardRule::default()
        };
        let member = PayGiftRule::new(base.clone(), gift.clone(), true);
        assert_eq!(
            serde_json::to_value(&member).unwrap(),
            json!({"type": "RULE_TYPE_PAY_MEMBER_CARD", "base_info": {"mchid_list": ["1"]}, "member_rule": {"card_id": "C"}})
        );
        let single = PayGiftRule::new(base, gift, false);
        assert_eq!(single.gift().unwrap().card_id, "C");
        assert_eq!(
            serde_json::to_value(&single).unwrap(),
            json!({"type": "RULE_TYPE_SINGLE_PAY", "base_info": {"mchid_list": ["1"]}, "single_pay": {"card_id": "C"}})
        );
    }
}
