//! `advanced_info`: conditions of use, cover, pictures, opening hours and services.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::validate::{at_most, invalid, join};
use crate::error::Result;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// A day a [`TimeLimit`] applies to (`time_limit[].type`).
    pub enum TimeLimitType {
        /// Monday.
        Monday = "MONDAY",
        /// Tuesday.
        Tuesday = "TUESDAY",
        /// Wednesday.
        Wednesday = "WEDNESDAY",
        /// Thursday.
        Thursday = "THURSDAY",
        /// Friday.
        Friday = "FRIDAY",
        /// Saturday.
        Saturday = "SATURDAY",
        /// Sunday.
        Sunday = "SUNDAY",
        /// Public holidays.
        Holiday = "HOLIDAY",
    }
}

wire_enum! {
    /// A service the merchant offers (`business_service`).
    pub enum BizService {
        /// Delivery.
        Deliver = "BIZ_SERVICE_DELIVER",
        /// Free parking.
        FreePark = "BIZ_SERVICE_FREE_PARK",
        /// Pets welcome.
        WithPet = "BIZ_SERVICE_WITH_PET",
        /// Free Wi-Fi.
        FreeWifi = "BIZ_SERVICE_FREE_WIFI",
    }
}

/// The merchant's services (`business_service`).
///
/// WeChat documents a list; some real documents carry one comma-joined string instead
/// (`"BIZ_SERVICE_FREE_PARK,BIZ_SERVICE_WITH_PET"`). Both decode and encode back unchanged;
/// only the list is sent ([`Card::validate`](crate::Card::validate) refuses the joined form).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BusinessServices {
    /// The documented form: a list.
    List(Vec<BizService>),
    /// One comma-joined string, as found in some documents.
    Joined(String),
}

impl BusinessServices {
    /// The services, whichever form they came in.
    pub fn services(&self) -> Vec<BizService> {
        match self {
            Self::List(list) => list.clone(),
            Self::Joined(joined) => joined
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(BizService::from_wire)
                .collect(),
        }
    }
}

impl From<Vec<BizService>> for BusinessServices {
    fn from(list: Vec<BizService>) -> Self {
        Self::List(list)
    }
}

impl<const N: usize> From<[BizService; N]> for BusinessServices {
    fn from(list: [BizService; N]) -> Self {
        Self::List(list.into())
    }
}

/// Conditions of use (`use_condition`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UseCondition {
    /// Goods the card applies to ("适用于xxx").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_category: Option<String>,
    /// Goods the card does not apply to ("不适用于xxx").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reject_category: Option<String>,
    /// Minimum spend in fen ("消费满xx元可用"), for cash and gift cards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub least_cost: Option<u64>,
    /// Purchase that unlocks a gift card ("购买xx可用").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_use_for: Option<String>,
    /// Whether other offers may be combined (WeChat's default is true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_use_with_other_discount: Option<bool>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Cover summary (`abstract`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Abstract {
    /// The summary text (`abstract`).
    #[serde(rename = "abstract", default, skip_serializing_if = "Option::is_none")]
    pub r#abstract: Option<String>,
    /// The cover picture; WeChat takes exactly one URL (about 850×350 px).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_url_list: Option<Vec<String>>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Abstract {
    /// A summary with one cover picture.
    pub fn new(text: impl Into<String>, icon_url: impl Into<String>) -> Self {
        Self {
            r#abstract: Some(text.into()),
            icon_url_list: Some(vec![icon_url.into()]),
            extra: Map::new(),
        }
    }
}

/// One picture with its text (`text_image_list[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextImage {
    /// Picture URL, uploaded through `media/uploadimg`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    /// Its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TextImage {
    /// A picture and its text.
    pub fn new(image_url: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            image_url: Some(image_url.into()),
            text: Some(text.into()),
            extra: Map::new(),
        }
    }
}

/// When the card can be used on a day (`time_limit[]`). WeChat uses it for display only.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimit {
    /// The day (`type`).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub r#type: Option<TimeLimitType>,
    /// Opening hour, 0..=23.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_hour: Option<u64>,
    /// Opening minute, 0..=59.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub begin_minute: Option<u64>,
    /// Closing hour, 0..=23.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_hour: Option<u64>,
    /// Closing minute, 0..=59.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_minute: Option<u64>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TimeLimit {
    /// The whole day.
    pub fn day(day: TimeLimitType) -> Self {
        Self {
            r#type: Some(day),
            ..Self::default()
        }
    }

    /// From `begin` to `end` on `day`, each as `(hour, minute)`.
    pub fn hours(day: TimeLimitType, begin: (u64, u64), end: (u64, u64)) -> Self {
        Self {
            r#type: Some(day),
            begin_hour: Some(begin.0),
            begin_minute: Some(begin.1),
            end_hour: Some(end.0),
            end_minute: Some(end.1),
            extra: Map::new(),
        }
    }

    fn check(&self, path: &str) -> Result<()> {
        for (name, value, max) in [
            ("begin_hour", self.begin_hour, 23),
            ("end_hour", self.end_hour, 23),
            ("begin_minute", self.begin_minute, 59),
            ("end_minute", self.end_minute, 59),
        ] {
            if let Some(value) = value {
                at_most(&join(path, name), value, max, "not a time of day")?;
            }
        }
        Ok(())
    }
}

/// Richer content of a card (`advanced_info`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvancedInfo {
    /// Conditions of use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_condition: Option<UseCondition>,
    /// Cover summary (`abstract`).
    #[serde(rename = "abstract", default, skip_serializing_if = "Option::is_none")]
    pub r#abstract: Option<Abstract>,
    /// Pictures with text, shown in the card's details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_image_list: Option<Vec<TextImage>>,
    /// Opening hours, a list (one object here is the F15 mistake WeChat answers 47001 to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit: Option<Vec<TimeLimit>>,
    /// The merchant's services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_service: Option<BusinessServices>,
    /// Other keys (`share_friends`, `consume_share_card_list`, ...), kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AdvancedInfo {
    /// Refuse what WeChat documents as invalid; field paths start with `advanced_info.`.
    pub fn validate(&self) -> Result<()> {
        self.check("advanced_info")
    }

    pub(crate) fn check(&self, path: &str) -> Result<()> {
        if let Some(icons) = self
            .r#abstract
            .as_ref()
            .and_then(|a| a.icon_url_list.as_ref())
        {
            // 创建卡券: "封面图片列表，仅支持填入一个封面图片链接".
            if icons.len() > 1 {
                return Err(invalid(
                    join(path, "abstract.icon_url_list"),
                    format!(
                        "has {} URLs; WeChat takes exactly one cover picture",
                        icons.len()
                    ),
                ));
            }
        }
        for (i, limit) in self.time_limit.iter().flatten().enumerate() {
            limit.check(&join(path, &format!("time_limit[{i}]")))?;
        }
        if let Some(BusinessServices::Joined(_)) = self.business_service {
            return Err(invalid(
                join(path, "business_service"),
                "must be a list (BusinessServices::List); the comma-joined string is only kept \
                 when read",
            ));
        }
        Ok(())
    }
}
