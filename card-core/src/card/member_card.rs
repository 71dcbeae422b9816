//! The member card body (`MEMBER_CARD`, 会员卡) and its parts.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::validate::{
    at_most, invalid, join, max_chinese, required, required_text, CELL_TIPS_MAX_CHINESE,
    PREROGATIVE_MAX_CHINESE,
};
use super::{BaseInfo, CardType};
use crate::error::Result;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// A predefined member-information field name (`custom_field1.name_type`). Changing such a
    /// field's value can notify the member; a free `name` cannot.
    pub enum FieldNameType {
        /// 等级, level.
        Level = "FIELD_NAME_TYPE_LEVEL",
        /// 优惠券, coupons.
        Coupon = "FIELD_NAME_TYPE_COUPON",
        /// 印花, stamps.
        Stamp = "FIELD_NAME_TYPE_STAMP",
        /// 折扣, discount.
        Discount = "FIELD_NAME_TYPE_DISCOUNT",
        /// 成就, achievements (WeChat spells it without the final T).
        Achievement = "FIELD_NAME_TYPE_ACHIEVEMEN",
        /// 里程, mileage.
        Mileage = "FIELD_NAME_TYPE_MILEAGE",
        /// 集点, collected points.
        SetPoints = "FIELD_NAME_TYPE_SET_POINTS",
        /// 次数, times (WeChat spells it `TIMS`).
        Times = "FIELD_NAME_TYPE_TIMS",
    }
}

/// A member-information field shown once the card is active (`custom_field1`..`3`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomField {
    /// A predefined name (this or `name` is required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_type: Option<FieldNameType>,
    /// A free name (this or `name_type` is required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Link opened when the field is tapped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CustomField {
    /// A field with a predefined name.
    pub fn typed(name_type: FieldNameType) -> Self {
        Self {
            name_type: Some(name_type),
            ..Self::default()
        }
    }

    /// A field with a free name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            ..Self::default()
        }
    }

    /// Open `url` when tapped.
    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    fn check(&self, path: &str) -> Result<()> {
        // 创建会员卡: "自定义会员信息类目…包含name_type(name)和url字段".
        if self.name_type.is_none() && self.name.as_deref().is_none_or(str::is_empty) {
            return Err(invalid(
                join(path, "name_type"),
                "a custom field needs a name_type or a name",
            ));
        }
        Ok(())
    }
}

/// An entry cell shown once the card is active (`custom_cell1`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomCell {
    /// Entry name (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Hint right of the entry, at most 6 Chinese characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tips: Option<String>,
    /// Link (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CustomCell {
    /// An entry named `name` with hint `tips`, opening `url`.
    pub fn new(name: impl Into<String>, tips: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            name: Some(name.into()),
            tips: Some(tips.into()),
            url: Some(url.into()),
            extra: Map::new(),
        }
    }

    pub(crate) fn check(&self, path: &str) -> Result<()> {
        required_text(&join(path, "name"), &self.name)?;
        max_chinese(&join(path, "tips"), &self.tips, CELL_TIPS_MAX_CHINESE)?;
        required_text(&join(path, "url"), &self.url)?;
        Ok(())
    }
}

/// How points are earned and spent (`bonus_rule`). Money is in fen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BonusRule {
    /// Spend (fen) that earns `increase_bonus` points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_money_unit: Option<u64>,
    /// Points earned per `cost_money_unit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increase_bonus: Option<u64>,
    /// Most points earned in one purchase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_increase_bonus: Option<u64>,
    /// Points given on activation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_increase_bonus: Option<u64>,
    /// Points that buy `reduce_money`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_bonus_unit: Option<u64>,
    /// Fen taken off per `cost_bonus_unit` points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduce_money: Option<u64>,
    /// Minimum spend (fen) before points can be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub least_money_to_use_bonus: Option<u64>,
    /// Most points used in one purchase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_reduce_bonus: Option<u64>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

card_body! {
    /// A member card (`MEMBER_CARD`, 会员卡).
    ///
    /// ```
    /// use card_core::{BaseInfo, Card, CodeType, Color, CustomField, DateInfo, FieldNameType, MemberCard};
    ///
    /// let base = BaseInfo::builder()
    ///     .logo_url("http://mmbiz.qpic.cn/mmbiz/logo/0")
    ///     .brand_name("海底捞")
    ///     .code_type(CodeType::Text)
    ///     .title("海底捞会员卡")
    ///     .color(Color::Color010)
    ///     .notice("使用时向服务员出示此券")
    ///     .description("不可与其他优惠同享")
    ///     .quantity(50_000_000)
    ///     .date_info(DateInfo::permanent())
    ///     .build()?;
    /// let card = Card::from(MemberCard {
    ///     auto_activate: Some(true),
    ///     custom_field1: Some(CustomField::typed(FieldNameType::Level)),
    ///     ..MemberCard::new(base, "会员享全场九折", true, false)
    /// });
    /// card.validate()?;
    /// # Ok::<(), card_core::Error>(())
    /// ```
    MemberCard {
        /// Custom card face, uploaded through `media/uploadimg` (at most 1000×600 px).
        background_pic_url: String,
        /// Member privileges (`prerogative`, required, at most 1024 Chinese characters).
        prerogative: String,
        /// Activate on receipt, without the activation API.
        auto_activate: bool,
        /// One-tap activation with WeChat's form; not together with `activate_url`.
        wx_activate: bool,
        /// One-tap activation that continues to the merchant's page.
        wx_activate_after_submit: bool,
        /// The page one-tap activation continues to.
        wx_activate_after_submit_url: String,
        /// Show points (`supply_bonus`, required; cannot be turned off later).
        supply_bonus: bool,
        /// Link to the points details, when points are not synchronised by the API.
        bonus_url: String,
        /// Show a stored balance (`supply_balance`, required; needs the balance permission).
        supply_balance: bool,
        /// Link to the balance details, when balances are not synchronised by the API.
        balance_url: String,
        /// First member-information field.
        custom_field1: CustomField,
        /// Second member-information field.
        custom_field2: CustomField,
        /// Third member-information field.
        custom_field3: CustomField,
        /// When points expire.
        bonus_cleared: String,
        /// How points are earned, as text.
        bonus_rules: String,
        /// Balance terms.
        balance_rules: String,
        /// The merchant's activation page (activation through the API).
        activate_url: String,
        /// Mini program of the activation page.
        activate_app_brand_user_name: String,
        /// Mini program page of the activation page.
        activate_app_brand_pass: String,
        /// An entry cell shown once active.
        custom_cell1: CustomCell,
        /// How points are earned and spent.
        bonus_rule: BonusRule,
        /// Member discount, percent off (10 means 九折).
        discount: u64,
    }
}

impl MemberCard {
    /// A member card with its required fields; set the others with struct update syntax.
    pub fn new(
        base_info: BaseInfo,
        prerogative: impl Into<String>,
        supply_bonus: bool,
        supply_balance: bool,
    ) -> Self {
        Self {
            base_info: Some(base_info),
            prerogative: Some(prerogative.into()),
            supply_bonus: Some(supply_bonus),
            supply_balance: Some(supply_balance),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::MemberCard)?;
        required_text("prerogative", &self.prerogative)?;
        required("supply_bonus", &self.supply_bonus)?;
        required("supply_balance", &self.supply_balance)?;
        check_member_fields(
            "",
            &self.prerogative,
            self.wx_activate,
            &self.activate_url,
            [
                &self.custom_field1,
                &self.custom_field2,
                &self.custom_field3,
            ],
            &self.custom_cell1,
            self.discount,
        )
    }
}

/// The member-card rules shared by `card/create` and `card/update`.
pub(crate) fn check_member_fields(
    path: &str,
    prerogative: &Option<String>,
    wx_activate: Option<bool>,
    activate_url: &Option<String>,
    custom_fields: [&Option<CustomField>; 3],
    custom_cell1: &Option<CustomCell>,
    discount: Option<u64>,
) -> Result<()> {
    max_chinese(
        &join(path, "prerogative"),
        prerogative,
        PREROGATIVE_MAX_CHINESE,
    )?;
    // 创建会员卡: wx_activate "不允许同时传入activate_url字段，否则设置wx_activate失效".
    if wx_activate == Some(true) && activate_url.is_some() {
        return Err(invalid(
            join(path, "activate_url"),
            "cannot be sent with wx_activate = true (WeChat then ignores wx_activate)",
        ));
    }
    for (i, field) in custom_fields.into_iter().enumerate() {
        if let Some(field) = field {
            field.check(&join(path, &format!("custom_field{}", i + 1)))?;
        }
    }
    if let Some(cell) = custom_cell1 {
        cell.check(&join(path, "custom_cell1"))?;
    }
    if let Some(discount) = discount {
        at_most(
            &join(path, "discount"),
            discount,
            99,
            "a percentage off must leave something to pay",
        )?;
    }
    Ok(())
}
