//! Typed card documents: what `card/create` sends and `card/get` returns, for every card type.
//!
//! A [`Card`] is a [`CardBody`] (one variant per [`CardType`]) plus the document's unknown keys.
//! The body decides both the upper-case `card_type` value and the lower-case key that holds it,
//! so `{"card_type": "GROUPON", "groupon": {..}}` is the only shape a GROUPON can take (field
//! report F15).
//!
//! Building: [`BaseInfo::builder`] and one constructor per body ([`Groupon::new`],
//! [`MemberCard::new`], ...). [`Card::validate`] refuses, before anything is sent, what WeChat
//! documents as invalid, with an [`Error::InvalidArgument`](crate::Error::InvalidArgument) that
//! names the field (`base_info.title`, `advanced_info.time_limit[0].end_hour`); see
//! [`validate`] for the rules and their sources.
//!
//! Reading is lossless: every struct keeps keys it does not know in `extra`, every enumeration
//! keeps values it does not know in `Other`, and a body that cannot be represented exactly by
//! its typed form is kept whole in [`CardBody::Raw`]. A card decoded from WeChat's JSON encodes
//! back to the same JSON value.
//!
//! ```
//! use card_core::{AdvancedInfo, BaseInfo, Card, CodeType, Color, DateInfo, Groupon, TimeLimit, TimeLimitType};
//!
//! let base = BaseInfo::builder()
//!     .logo_url("http://mmbiz.qpic.cn/mmbiz/logo/0")
//!     .brand_name("微信餐厅")
//!     .code_type(CodeType::Text)
//!     .title("132元双人火锅套餐")
//!     .color(Color::Color010)
//!     .notice("使用时向服务员出示此券")
//!     .description("不可与其他优惠同享")
//!     .quantity(500_000)
//!     .date_info(DateInfo::fix_time_range(1_397_577_600, 1_472_724_261))
//!     .build()?;
//! let card = Card::from(Groupon {
//!     advanced_info: Some(AdvancedInfo {
//!         time_limit: Some(vec![TimeLimit::day(TimeLimitType::Holiday)]),
//!         ..AdvancedInfo::default()
//!     }),
//!     ..Groupon::new(base, "双人火锅套餐一份")
//! });
//! card.validate()?;
//! let json = serde_json::to_value(&card).unwrap();
//! assert_eq!(json["card_type"], "GROUPON");
//! assert_eq!(json["groupon"]["advanced_info"]["time_limit"][0]["type"], "HOLIDAY");
//! assert_eq!(serde_json::from_value::<Card>(json).unwrap(), card);
//! # Ok::<(), card_core::Error>(())
//! ```

use std::borrow::Cow;

use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::Result;
use crate::wire_enum::wire_enum;

/// Define a card body: `base_info`, `advanced_info`, the type's own fields (all optional, so
/// any document round-trips) and an `extra` map for keys this version does not know.
macro_rules! card_body {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $name {
            /// The fields every card type shares (required when creating).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub base_info: Option<$crate::card::BaseInfo>,
            /// Conditions of use, cover, pictures, opening hours and services.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub advanced_info: Option<$crate::card::AdvancedInfo>,
            $(
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Other keys, kept as WeChat sent them. Do not put keys here that have a field.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl $name {
            /// Add `advanced_info`.
            pub fn with_advanced_info(mut self, advanced_info: $crate::card::AdvancedInfo) -> Self {
                self.advanced_info = Some(advanced_info);
                self
            }

            fn check_common(&self, card_type: &$crate::card::CardType) -> $crate::error::Result<()> {
                $crate::card::check_common(&self.base_info, &self.advanced_info, card_type)
            }
        }
    };
}

mod advanced_info;
mod base_info;
mod date_info;
mod kinds;
mod member_card;
mod update;
pub mod validate;

pub use advanced_info::{
    Abstract, AdvancedInfo, BizService, BusinessServices, TextImage, TimeLimit, TimeLimitType,
    UseCondition,
};
pub use base_info::{
    BaseInfo, BaseInfoBuilder, CodeType, Color, GetCustomCodeMode, GiftCardInfo, PayInfo, Sku,
    SwipeCard,
};
pub use date_info::DateInfo;
pub use kinds::{
    BoardingPass, BusTicket, Cash, Discount, GeneralCard, GeneralCoupon, Gift, Groupon,
    MeetingTicket, MovieTicket, ScenicTicket, SubCardType,
};
pub use member_card::{BonusRule, CustomCell, CustomField, FieldNameType, MemberCard};
pub use update::{
    BaseInfoUpdate, BoardingPassUpdate, CardUpdate, MeetingTicketUpdate, MemberCardUpdate,
    MovieTicketUpdate, ScenicTicketUpdate, UpdateFields,
};

use validate::{invalid, required, upper_snake};

wire_enum! {
    /// The kind of card (`card_type`). It also names the key that holds the body: the same
    /// word in lower case (`GROUPON` → `groupon`).
    pub enum CardType {
        /// 团购券, group-buying voucher.
        Groupon = "GROUPON",
        /// 代金券, cash voucher.
        Cash = "CASH",
        /// 折扣券, discount voucher.
        Discount = "DISCOUNT",
        /// 兑换券, gift voucher.
        Gift = "GIFT",
        /// 优惠券, general coupon.
        GeneralCoupon = "GENERAL_COUPON",
        /// 会员卡, member card.
        MemberCard = "MEMBER_CARD",
        /// 景点门票, scenic-spot ticket.
        ScenicTicket = "SCENIC_TICKET",
        /// 电影票, cinema ticket.
        MovieTicket = "MOVIE_TICKET",
        /// 飞机票, boarding pass.
        BoardingPass = "BOARDING_PASS",
        /// 会议门票, meeting ticket.
        MeetingTicket = "MEETING_TICKET",
        /// 汽车票, bus ticket.
        BusTicket = "BUS_TICKET",
        /// 通用卡, general card (gift cards).
        GeneralCard = "GENERAL_CARD",
    }
}

impl CardType {
    /// The key of the body in a card document: the type in lower case (`member_card`).
    pub fn body_key(&self) -> Cow<'static, str> {
        Cow::Owned(self.as_str().to_ascii_lowercase())
    }
}

/// The body of a card: one variant per card type, so the type and its key cannot disagree.
// A card is built once per request and moved a few times; boxing the bodies would only make
// matching and construction noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum CardBody {
    /// `GROUPON`.
    Groupon(Groupon),
    /// `CASH`.
    Cash(Cash),
    /// `DISCOUNT`.
    Discount(Discount),
    /// `GIFT`.
    Gift(Gift),
    /// `GENERAL_COUPON`.
    GeneralCoupon(GeneralCoupon),
    /// `MEMBER_CARD`.
    MemberCard(MemberCard),
    /// `SCENIC_TICKET`.
    ScenicTicket(ScenicTicket),
    /// `MOVIE_TICKET`.
    MovieTicket(MovieTicket),
    /// `BOARDING_PASS`.
    BoardingPass(BoardingPass),
    /// `MEETING_TICKET`.
    MeetingTicket(MeetingTicket),
    /// `BUS_TICKET`.
    BusTicket(BusTicket),
    /// `GENERAL_CARD`.
    GeneralCard(GeneralCard),
    /// A body kept as raw JSON: a card type this version does not know, or a known type whose
    /// body the typed form cannot reproduce exactly (a `null` where a value belongs, a number
    /// sent as a string).
    Raw(RawCardBody),
}

/// A card body kept as WeChat sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawCardBody {
    /// The card type; the body sits under its lower-case key.
    pub card_type: CardType,
    /// The body.
    pub body: Value,
}

impl RawCardBody {
    /// Decode the body into its typed form, tolerating what the typed form cannot reproduce
    /// (a `null` field reads as absent). `None` for unknown card types and unusable bodies.
    pub fn try_typed(&self) -> Option<CardBody> {
        CardBody::decode(&self.card_type, &self.body, false)
    }
}

macro_rules! bodies {
    ($($variant:ident),* $(,)?) => {
        impl CardBody {
            /// The card type this body is for.
            pub fn card_type(&self) -> CardType {
                match self {
                    $(Self::$variant(_) => CardType::$variant,)*
                    Self::Raw(raw) => raw.card_type.clone(),
                }
            }

            /// The body's `base_info` (`None` for raw bodies).
            pub fn base_info(&self) -> Option<&BaseInfo> {
                match self {
                    $(Self::$variant(body) => body.base_info.as_ref(),)*
                    Self::Raw(_) => None,
                }
            }

            /// The body's `base_info`, mutably (`None` for raw bodies).
            pub fn base_info_mut(&mut self) -> Option<&mut BaseInfo> {
                match self {
                    $(Self::$variant(body) => body.base_info.as_mut(),)*
                    Self::Raw(_) => None,
                }
            }

            /// The body's `advanced_info` (`None` for raw bodies).
            pub fn advanced_info(&self) -> Option<&AdvancedInfo> {
                match self {
                    $(Self::$variant(body) => body.advanced_info.as_ref(),)*
                    Self::Raw(_) => None,
                }
            }

            fn check(&self) -> Result<()> {
                match self {
                    $(Self::$variant(body) => body.check(),)*
                    Self::Raw(raw) => {
                        upper_snake("card_type", raw.card_type.as_str())?;
                        if !raw.body.is_object() {
                            return Err(invalid(
                                raw.card_type.body_key().into_owned(),
                                "a card body must be a JSON object",
                            ));
                        }
                        Ok(())
                    }
                }
            }

            fn decode(card_type: &CardType, body: &Value, exact: bool) -> Option<Self> {
                match card_type {
                    $(CardType::$variant => decode_as(body, exact).map(Self::$variant),)*
                    _ => None,
                }
            }

            fn serialize_body<S: SerializeMap>(&self, key: &str, map: &mut S) -> Result<(), S::Error> {
                match self {
                    $(Self::$variant(body) => map.serialize_entry(key, body),)*
                    Self::Raw(raw) => map.serialize_entry(key, &raw.body),
                }
            }
        }

        $(
            impl From<$variant> for CardBody {
                fn from(body: $variant) -> Self {
                    Self::$variant(body)
                }
            }

            impl From<$variant> for Card {
                fn from(body: $variant) -> Self {
                    Card::new(CardBody::$variant(body))
                }
            }
        )*
    };
}

bodies!(
    Groupon,
    Cash,
    Discount,
    Gift,
    GeneralCoupon,
    MemberCard,
    ScenicTicket,
    MovieTicket,
    BoardingPass,
    MeetingTicket,
    BusTicket,
    GeneralCard,
);

/// Decode `body` as `T`; with `exact`, only when `T` encodes back to the same value.
fn decode_as<T: DeserializeOwned + Serialize>(body: &Value, exact: bool) -> Option<T> {
    let typed = T::deserialize(body).ok()?;
    if exact && serde_json::to_value(&typed).ok()? != *body {
        return None;
    }
    Some(typed)
}

/// The checks every typed body shares: `base_info` present and valid, `DATE_TYPE_PERMANENT` on
/// member cards only, `advanced_info` valid.
pub(crate) fn check_common(
    base_info: &Option<BaseInfo>,
    advanced_info: &Option<AdvancedInfo>,
    card_type: &CardType,
) -> Result<()> {
    let base = required("base_info", base_info)?;
    base.check("base_info")?;
    // 创建卡券: "DATE_TYPE_PERMANENT 表示永久有效（会员卡类型专用）".
    if matches!(base.date_info, Some(DateInfo::Permanent { .. }))
        && *card_type != CardType::MemberCard
    {
        return Err(invalid(
            "base_info.date_info",
            format!("DATE_TYPE_PERMANENT is for member cards only, not {card_type}"),
        ));
    }
    if let Some(advanced) = advanced_info {
        advanced.check("advanced_info")?;
    }
    Ok(())
}

/// A card document: `{"card_type": "GROUPON", "groupon": {..}}`.
///
/// `card/create` sends it as `{"card": <Card>}`; `card/get` answers with one. Build it from a
/// body (`Card::from(Groupon::new(..))`, [`Card::groupon`], ...) and check it with
/// [`Card::validate`]; [`CardClient::create`](crate::CardClient::create) does that before
/// sending.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    /// The body, which also decides `card_type`.
    pub body: CardBody,
    /// Keys of the document other than `card_type` and the body's, kept as WeChat sent them.
    pub extra: Map<String, Value>,
}

impl Card {
    /// A card with this body.
    pub fn new(body: impl Into<CardBody>) -> Self {
        Self {
            body: body.into(),
            extra: Map::new(),
        }
    }

    /// A `GROUPON` card.
    pub fn groupon(base_info: BaseInfo, deal_detail: impl Into<String>) -> Self {
        Groupon::new(base_info, deal_detail).into()
    }

    /// A `CASH` card taking `reduce_cost` fen off a spend of at least `least_cost` fen.
    pub fn cash(base_info: BaseInfo, least_cost: u64, reduce_cost: u64) -> Self {
        Cash::new(base_info, reduce_cost)
            .with_least_cost(least_cost)
            .into()
    }

    /// A `DISCOUNT` card taking `discount` percent off.
    pub fn discount(base_info: BaseInfo, discount: u64) -> Self {
        Discount::new(base_info, discount).into()
    }

    /// A `GIFT` card for `gift`.
    pub fn gift(base_info: BaseInfo, gift: impl Into<String>) -> Self {
        Gift::new(base_info, gift).into()
    }

    /// A `GENERAL_COUPON` card offering `default_detail`.
    pub fn general_coupon(base_info: BaseInfo, default_detail: impl Into<String>) -> Self {
        GeneralCoupon::new(base_info, default_detail).into()
    }

    /// The card type (`card_type`).
    pub fn card_type(&self) -> CardType {
        self.body.card_type()
    }

    /// The key that holds the body (`groupon`).
    pub fn body_key(&self) -> Cow<'static, str> {
        self.card_type().body_key()
    }

    /// The card id, in documents read from `card/get` (`base_info.id`).
    pub fn id(&self) -> Option<&str> {
        self.base_info()?.id.as_deref()
    }

    /// The shared fields (`None` for raw bodies).
    pub fn base_info(&self) -> Option<&BaseInfo> {
        self.body.base_info()
    }

    /// The shared fields, mutably (`None` for raw bodies).
    pub fn base_info_mut(&mut self) -> Option<&mut BaseInfo> {
        self.body.base_info_mut()
    }

    /// The advanced fields (`None` when absent and for raw bodies).
    pub fn advanced_info(&self) -> Option<&AdvancedInfo> {
        self.body.advanced_info()
    }

    /// Refuse what `card/create` documents as invalid: required fields missing, documented
    /// length and range limits, `begin_timestamp` after `end_timestamp`, stock above
    /// 100 000 000, and the shapes behind 47001 / 40071 (see [`validate`]). Raw bodies are
    /// only checked for an upper-case `card_type` and an object body.
    pub fn validate(&self) -> Result<()> {
        self.body.check()?;
        validate::no_duplicate_keys(self)
    }
}

impl Serialize for Card {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let card_type = self.card_type();
        let key = card_type.body_key();
        let mut map = serializer.serialize_map(Some(2 + self.extra.len()))?;
        map.serialize_entry("card_type", card_type.as_str())?;
        self.body.serialize_body(&key, &mut map)?;
        for (k, v) in &self.extra {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Card {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        let card_type = match map.remove("card_type") {
            Some(Value::String(s)) => CardType::from_wire(&s),
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "card_type is not a string: {other}"
                )))
            }
            None => return Err(D::Error::missing_field("card_type")),
        };
        let key = card_type.body_key();
        let Some(body) = map.remove(key.as_ref()) else {
            return Err(D::Error::custom(format!(
                "card document of type {card_type} has no `{key}` body"
            )));
        };
        let body = CardBody::decode(&card_type, &body, true)
            .unwrap_or(CardBody::Raw(RawCardBody { card_type, body }));
        Ok(Self { body, extra: map })
    }
}

#[cfg(test)]
mod tests;
