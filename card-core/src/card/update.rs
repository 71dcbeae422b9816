//! `card/update`: change some fields of an existing card.

use serde::ser::{Error as _, SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

use super::base_info::check_locations;
use super::kinds::check_times;
use super::member_card::check_member_fields;
use super::validate::{
    invalid, join, max_chinese, required_text, upper_snake, CUSTOM_URL_SUB_TITLE_MAX_CHINESE,
    DESCRIPTION_MAX_CHINESE, NOTICE_MAX_CHINESE,
};
use super::{BonusRule, CardType, CodeType, Color, CustomCell, CustomField, DateInfo};
use crate::error::Result;

/// The `base_info` fields `card/update` can change (更改卡券信息接口). Fields left `None` are not
/// sent and stay as they are; fields WeChat does not let you change (title, brand, stock, ...)
/// have no place here.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BaseInfoUpdate {
    /// Merchant logo (sends the card back to review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// Reminder shown on use, at most 16 Chinese characters (review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Terms of use, at most 1024 Chinese characters (review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Customer service phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_phone: Option<String>,
    /// Colour name (review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Stores where the card is valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id_list: Option<Vec<u64>>,
    /// Valid in every store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_all_locations: Option<bool>,
    /// Centre button title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_title: Option<String>,
    /// Hint below the centre button.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_sub_title: Option<String>,
    /// Centre button link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_url: Option<String>,
    /// Mini program the centre button opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_app_brand_user_name: Option<String>,
    /// Mini program page the centre button opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center_app_brand_pass: Option<String>,
    /// Custom cell name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_url_name: Option<String>,
    /// Custom cell link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_url: Option<String>,
    /// Hint right of the custom cell, at most 6 Chinese characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_url_sub_title: Option<String>,
    /// Mini program the custom cell opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_app_brand_user_name: Option<String>,
    /// Mini program page the custom cell opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_app_brand_pass: Option<String>,
    /// Promotion cell name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_url_name: Option<String>,
    /// Promotion cell link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_url: Option<String>,
    /// Hint right of the promotion cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_url_sub_title: Option<String>,
    /// Mini program the promotion cell opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_app_brand_user_name: Option<String>,
    /// Mini program page the promotion cell opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promotion_app_brand_pass: Option<String>,
    /// How the code is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_type: Option<CodeType>,
    /// Copies one user may take.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub get_limit: Option<u64>,
    /// The claim page may be shared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_share: Option<bool>,
    /// The card may be given to a friend.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_give_friend: Option<bool>,
    /// New validity: only [`DateInfo::FixTimeRange`], and WeChat only lets the range grow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_info: Option<DateInfo>,
    /// Fields this version has no place for, sent as given.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl BaseInfoUpdate {
    fn check(&self, path: &str) -> Result<()> {
        let field = |name: &str| join(path, name);
        max_chinese(&field("notice"), &self.notice, NOTICE_MAX_CHINESE)?;
        max_chinese(
            &field("description"),
            &self.description,
            DESCRIPTION_MAX_CHINESE,
        )?;
        if let Some(color) = &self.color {
            color.check(&field("color"))?;
        }
        max_chinese(
            &field("custom_url_sub_title"),
            &self.custom_url_sub_title,
            CUSTOM_URL_SUB_TITLE_MAX_CHINESE,
        )?;
        check_locations(path, self.use_all_locations, &self.location_id_list)?;
        match &self.date_info {
            None => Ok(()),
            Some(date @ DateInfo::FixTimeRange { .. }) => date.check(&field("date_info")),
            // 更改卡券信息接口: "仅支持更改type为DATE_TYPE_FIX_TIME_RANGE 的时间戳，不支持填入
            // DATE_TYPE_FIX_TERM".
            Some(_) => Err(invalid(
                field("date_info"),
                "card/update only accepts DATE_TYPE_FIX_TIME_RANGE",
            )),
        }
    }
}

/// The member-card fields `card/update` can change. `None` fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MemberCardUpdate {
    /// Custom card face.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_pic_url: Option<String>,
    /// Member privileges, at most 1024 Chinese characters (review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prerogative: Option<String>,
    /// Activate on receipt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_activate: Option<bool>,
    /// One-tap activation; not together with `activate_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wx_activate: Option<bool>,
    /// One-tap activation that continues to the merchant's page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wx_activate_after_submit: Option<bool>,
    /// The page one-tap activation continues to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wx_activate_after_submit_url: Option<String>,
    /// Show points (cannot be turned off once on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supply_bonus: Option<bool>,
    /// Link to the points details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bonus_url: Option<String>,
    /// Show a stored balance (cannot be turned off once on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supply_balance: Option<bool>,
    /// Link to the balance details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_url: Option<String>,
    /// First member-information field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field1: Option<CustomField>,
    /// Second member-information field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field2: Option<CustomField>,
    /// Third member-information field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field3: Option<CustomField>,
    /// When points expire (review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bonus_cleared: Option<String>,
    /// How points are earned, as text (review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bonus_rules: Option<String>,
    /// Balance terms (review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance_rules: Option<String>,
    /// The merchant's activation page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activate_url: Option<String>,
    /// Mini program of the activation page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activate_app_brand_user_name: Option<String>,
    /// Mini program page of the activation page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activate_app_brand_pass: Option<String>,
    /// An entry cell shown once active.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_cell1: Option<CustomCell>,
    /// How points are earned and spent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bonus_rule: Option<BonusRule>,
    /// Member discount, percent off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount: Option<u64>,
}

/// The scenic-ticket fields `card/update` can change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScenicTicketUpdate {
    /// Guide map URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guide_url: Option<String>,
}

/// The cinema-ticket fields `card/update` can change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MovieTicketUpdate {
    /// Film, show time and seat details (review).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The boarding-pass fields `card/update` can change (WeChat suggests updating gate and
/// boarding time as soon as they change).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BoardingPassUpdate {
    /// Departure time, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departure_time: Option<i64>,
    /// Landing time, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub landing_time: Option<i64>,
    /// Gate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    /// Boarding time, Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boarding_time: Option<i64>,
}

/// The meeting-ticket fields `card/update` can change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MeetingTicketUpdate {
    /// Venue map URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub map_url: Option<String>,
}

/// The type-specific part of a [`CardUpdate`]; it also decides the card type.
// Built once per request; boxing the member-card fields would only make construction noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum UpdateFields {
    /// Only `base_info` (and `extra`) change, on a card of this type.
    BaseOnly(CardType),
    /// Member-card fields.
    MemberCard(MemberCardUpdate),
    /// Scenic-ticket fields.
    ScenicTicket(ScenicTicketUpdate),
    /// Cinema-ticket fields.
    MovieTicket(MovieTicketUpdate),
    /// Boarding-pass fields.
    BoardingPass(BoardingPassUpdate),
    /// Meeting-ticket fields.
    MeetingTicket(MeetingTicketUpdate),
}

impl UpdateFields {
    /// The card type the update is for.
    pub fn card_type(&self) -> CardType {
        match self {
            Self::BaseOnly(card_type) => card_type.clone(),
            Self::MemberCard(_) => CardType::MemberCard,
            Self::ScenicTicket(_) => CardType::ScenicTicket,
            Self::MovieTicket(_) => CardType::MovieTicket,
            Self::BoardingPass(_) => CardType::BoardingPass,
            Self::MeetingTicket(_) => CardType::MeetingTicket,
        }
    }

    fn to_map(&self) -> serde_json::Result<Map<String, Value>> {
        let value = match self {
            Self::BaseOnly(_) => return Ok(Map::new()),
            Self::MemberCard(fields) => serde_json::to_value(fields),
            Self::ScenicTicket(fields) => serde_json::to_value(fields),
            Self::MovieTicket(fields) => serde_json::to_value(fields),
            Self::BoardingPass(fields) => serde_json::to_value(fields),
            Self::MeetingTicket(fields) => serde_json::to_value(fields),
        }?;
        Ok(match value {
            Value::Object(map) => map,
            _ => Map::new(),
        })
    }
}

/// A `card/update` request: `{"card_id": .., "<type>": {"base_info": {..}, ..}}` with only the
/// fields that are set.
///
/// ```
/// use card_core::{BaseInfoUpdate, CardUpdate, MemberCardUpdate};
///
/// let update = CardUpdate::member_card(
///     "pFAKE",
///     MemberCardUpdate { prerogative: Some("全场八折".into()), ..Default::default() },
/// )
/// .with_base_info(BaseInfoUpdate { notice: Some("出示会员卡".into()), ..Default::default() });
/// update.validate()?;
/// assert_eq!(
///     serde_json::to_value(&update).unwrap(),
///     serde_json::json!({
///         "card_id": "pFAKE",
///         "member_card": {"base_info": {"notice": "出示会员卡"}, "prerogative": "全场八折"}
///     })
/// );
/// # Ok::<(), card_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CardUpdate {
    /// The card to change.
    pub card_id: String,
    /// Shared fields to change.
    pub base_info: Option<BaseInfoUpdate>,
    /// Type-specific fields to change; decides the card type.
    pub fields: UpdateFields,
    /// Other keys of the type body, sent as given.
    pub extra: Map<String, Value>,
}

impl CardUpdate {
    /// An update of `base_info` only, on a card of `card_type`.
    pub fn new(card_id: impl Into<String>, card_type: CardType) -> Self {
        Self::with_fields(card_id, UpdateFields::BaseOnly(card_type))
    }

    /// An update of a member card.
    pub fn member_card(card_id: impl Into<String>, fields: MemberCardUpdate) -> Self {
        Self::with_fields(card_id, UpdateFields::MemberCard(fields))
    }

    /// An update of a scenic-spot ticket.
    pub fn scenic_ticket(card_id: impl Into<String>, fields: ScenicTicketUpdate) -> Self {
        Self::with_fields(card_id, UpdateFields::ScenicTicket(fields))
    }

    /// An update of a cinema ticket.
    pub fn movie_ticket(card_id: impl Into<String>, fields: MovieTicketUpdate) -> Self {
        Self::with_fields(card_id, UpdateFields::MovieTicket(fields))
    }

    /// An update of a boarding pass.
    pub fn boarding_pass(card_id: impl Into<String>, fields: BoardingPassUpdate) -> Self {
        Self::with_fields(card_id, UpdateFields::BoardingPass(fields))
    }

    /// An update of a meeting ticket.
    pub fn meeting_ticket(card_id: impl Into<String>, fields: MeetingTicketUpdate) -> Self {
        Self::with_fields(card_id, UpdateFields::MeetingTicket(fields))
    }

    fn with_fields(card_id: impl Into<String>, fields: UpdateFields) -> Self {
        Self {
            card_id: card_id.into(),
            base_info: None,
            fields,
            extra: Map::new(),
        }
    }

    /// Also change these shared fields.
    pub fn with_base_info(mut self, base_info: BaseInfoUpdate) -> Self {
        self.base_info = Some(base_info);
        self
    }

    /// The card type the update is for.
    pub fn card_type(&self) -> CardType {
        self.fields.card_type()
    }

    /// Refuse what `card/update` documents as invalid: a missing card id, a lower-case card
    /// type, a `date_info` other than a fixed range, and the length and range limits the
    /// fields have when creating.
    pub fn validate(&self) -> Result<()> {
        super::validate::no_duplicate_keys(self)?;
        required_text("card_id", &Some(self.card_id.clone()))?;
        upper_snake("card_type", self.card_type().as_str())?;
        if let Some(base) = &self.base_info {
            base.check("base_info")?;
        }
        match &self.fields {
            UpdateFields::MemberCard(m) => check_member_fields(
                "",
                &m.prerogative,
                m.wx_activate,
                &m.activate_url,
                [&m.custom_field1, &m.custom_field2, &m.custom_field3],
                &m.custom_cell1,
                m.discount,
            ),
            UpdateFields::BoardingPass(b) => {
                check_times(b.departure_time, b.landing_time, b.boarding_time)
            }
            _ => Ok(()),
        }
    }
}

impl Serialize for CardUpdate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut body = Map::new();
        if let Some(base) = &self.base_info {
            body.insert(
                "base_info".to_owned(),
                serde_json::to_value(base).map_err(S::Error::custom)?,
            );
        }
        body.extend(self.fields.to_map().map_err(S::Error::custom)?);
        body.extend(self.extra.clone());
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("card_id", &self.card_id)?;
        map.serialize_entry(self.card_type().body_key().as_ref(), &body)?;
        map.end()
    }
}
