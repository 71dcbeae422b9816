//! `base_info`: the fields every card type shares.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::date_info::DateInfo;
use super::validate::{
    at_most, invalid, join, max_chinese, required, required_text, BRAND_NAME_MAX_CHINESE,
    CUSTOM_URL_SUB_TITLE_MAX_CHINESE, DESCRIPTION_MAX_CHINESE, MAX_SKU_QUANTITY,
    NOTICE_MAX_CHINESE, SUB_TITLE_MAX_CHINESE, TITLE_MAX_CHINESE,
};
use crate::error::Result;
use crate::model::CardStatus;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// How the code is shown to the cashier (`code_type`).
    pub enum CodeType {
        /// Text only.
        Text = "CODE_TYPE_TEXT",
        /// A barcode with its text.
        Barcode = "CODE_TYPE_BARCODE",
        /// A QR code with its text.
        QrCode = "CODE_TYPE_QRCODE",
        /// A QR code without text.
        OnlyQrCode = "CODE_TYPE_ONLY_QRCODE",
        /// A barcode without text.
        OnlyBarcode = "CODE_TYPE_ONLY_BARCODE",
        /// No code at all.
        None = "CODE_TYPE_NONE",
    }
}

wire_enum! {
    /// A card colour (`color`). Cards are created with a colour *name*; `card/get` answers with
    /// the hex value (`#10AD61`), which is kept in [`Color::Other`].
    pub enum Color {
        /// `#63b359`.
        Color010 = "Color010",
        /// `#2c9f67`.
        Color020 = "Color020",
        /// `#509fc9`.
        Color030 = "Color030",
        /// `#5885cf`.
        Color040 = "Color040",
        /// `#9062c0`.
        Color050 = "Color050",
        /// `#d09a45`.
        Color060 = "Color060",
        /// `#e4b138`.
        Color070 = "Color070",
        /// `#ee903c`.
        Color080 = "Color080",
        /// `#f08500`.
        Color081 = "Color081",
        /// `#a9d92d`.
        Color082 = "Color082",
        /// `#dd6549`.
        Color090 = "Color090",
        /// `#cc463d`.
        Color100 = "Color100",
        /// `#cf3e36`.
        Color101 = "Color101",
        /// `#5E6671`.
        Color102 = "Color102",
    }
}

impl Color {
    /// The colour's hex value, as `card/getcolors` lists it (`None` for unknown names and for
    /// hex values read back from `card/get`).
    pub fn hex(&self) -> Option<&'static str> {
        Some(match self {
            Self::Color010 => "#63b359",
            Self::Color020 => "#2c9f67",
            Self::Color030 => "#509fc9",
            Self::Color040 => "#5885cf",
            Self::Color050 => "#9062c0",
            Self::Color060 => "#d09a45",
            Self::Color070 => "#e4b138",
            Self::Color080 => "#ee903c",
            Self::Color081 => "#f08500",
            Self::Color082 => "#a9d92d",
            Self::Color090 => "#dd6549",
            Self::Color100 => "#cc463d",
            Self::Color101 => "#cf3e36",
            Self::Color102 => "#5E6671",
            Self::Other(_) => return None,
        })
    }

    /// Refuse what cannot be sent: a hex value (what `card/get` returns) instead of a name.
    pub(crate) fn check(&self, path: &str) -> Result<()> {
        let name = self.as_str();
        let is_name = name.len() == 8
            && name.starts_with("Color")
            && name[5..].bytes().all(|b| b.is_ascii_digit());
        if is_name {
            Ok(())
        } else {
            Err(invalid(
                path,
                format!(
                    "`{name}` is not a colour name: WeChat takes Color010..Color102 \
                     (card/get answers with hex values, which card/create refuses)"
                ),
            ))
        }
    }
}

wire_enum! {
    /// How custom codes reach WeChat (`get_custom_code_mode`).
    pub enum GetCustomCodeMode {
        /// Codes are imported beforehand with `card/code/deposit`; `sku.quantity` must be 0 and
        /// is raised after the import.
        Deposit = "GET_CUSTOM_CODE_MODE_DEPOSIT",
    }
}

/// Stock (`sku`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sku {
    /// Copies left to hand out (at most [`MAX_SKU_QUANTITY`] when creating).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u64>,
    /// All copies ever stocked (read only: `card/get`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_quantity: Option<u64>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Sku {
    /// A stock of `quantity` copies.
    pub fn quantity(quantity: u64) -> Self {
        Self {
            quantity: Some(quantity),
            ..Self::default()
        }
    }
}

/// Payment settings of a member card (`pay_info`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayInfo {
    /// Quick payment by swiping the card (`swipe_card`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swipe_card: Option<SwipeCard>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `pay_info.swipe_card`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwipeCard {
    /// Open the payment code from the card (`is_swipe_card`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_swipe_card: Option<bool>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Gift-card settings of a `GENERAL_CARD` (`giftcard_info`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftCardInfo {
    /// Price in fen (`price`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<u64>,
    /// Other keys, kept as WeChat sent them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The fields every card type shares (`base_info`).
///
/// Every field is optional so that any document WeChat returns decodes and encodes back
/// unchanged; [`BaseInfo::builder`] makes sure the fields `card/create` requires are there, and
/// [`BaseInfo::validate`] refuses what WeChat documents as invalid. Fields marked *read only*
/// appear in `card/get` answers and are not sent when creating.
///
/// ```
/// use card_core::{BaseInfo, CodeType, Color, DateInfo};
///
/// let base = BaseInfo::builder()
///     .logo_url("http://mmbiz.qpic.cn/mmbiz/logo/0")
///     .brand_name("微信餐厅")
///     .code_type(CodeType::Text)
///     .title("132元双人火锅套餐")
///     .color(Color::Color010)
///     .notice("使用时向服务员出示此券")
///     .description("不可与其他优惠同享")
///     .quantity(500_000)
///     .date_info(DateInfo::fix_time_range(1_397_577_600, 1_472_724_261))
///     .get_limit(3)
///     .build()
///     .unwrap();
/// assert_eq!(base.title.as_deref(), Some("132元双人火锅套餐"));
///
/// let err = BaseInfo::builder().title("标题").build().unwrap_err();
/// assert!(matches!(err, card_core::Error::InvalidArgument { field, .. } if field == "base_info.logo_url"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BaseInfo {
    /// The card id (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Merchant logo, uploaded through `media/uploadimg` (about 300×300 px). Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// How the code is shown. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_type: Option<CodeType>,
    /// Merchant name, at most 12 Chinese characters. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_name: Option<String>,
    /// Card name, at most 9 Chinese characters. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Subtitle, at most 18 Chinese characters (older documentation only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_title: Option<String>,
    /// Colour name (`Color010`..); `card/get` answers with a hex value. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<Color>,
    /// Reminder shown on use, at most 16 Chinese characters. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Terms of use, at most 1024 Chinese characters. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Stock. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<Sku>,
    /// Validity. Required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_info: Option<DateInfo>,
    /// Customer service phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_phone: Option<String>,
    /// Store (POI) ids where the card is valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id_list: Option<Vec<u64>>,
    /// Valid in every store; excludes `location_id_list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_all_locations: Option<bool>,
    /// The merchant supplies the codes (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_custom_code: Option<bool>,
    /// How custom codes are supplied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub get_custom_code_mode: Option<GetCustomCodeMode>,
    /// Only given openids may take the card (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind_openid: Option<bool>,
    /// Copies one user may take (WeChat's default is 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub get_limit: Option<u64>,
    /// Copies one user may redeem (WeChat's default is 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_limit: Option<u64>,
    /// The claim page may be shared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_share: Option<bool>,
    /// The card may be given to a friend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_give_friend: Option<bool>,
    /// Title of the centre button, shown while the card is usable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_title: Option<String>,
    /// Hint below the centre button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_sub_title: Option<String>,
    /// Link of the centre button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_url: Option<String>,
    /// Mini program (`gh_…@app`) the centre button opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_app_brand_user_name: Option<String>,
    /// Mini program page the centre button opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_app_brand_pass: Option<String>,
    /// Name of the custom entry cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_url_name: Option<String>,
    /// Link of the custom entry cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_url: Option<String>,
    /// Hint right of the custom entry cell, at most 6 Chinese characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_url_sub_title: Option<String>,
    /// Mini program the custom entry cell opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_app_brand_user_name: Option<String>,
    /// Mini program page the custom entry cell opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_app_brand_pass: Option<String>,
    /// Name of the promotion cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_url_name: Option<String>,
    /// Link of the promotion cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_url: Option<String>,
    /// Hint right of the promotion cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_url_sub_title: Option<String>,
    /// Mini program the promotion cell opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_app_brand_user_name: Option<String>,
    /// Mini program page the promotion cell opens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promotion_app_brand_pass: Option<String>,
    /// Third-party source name ("大众点评").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Push a `user_view_card` event when a member opens the card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_push_on_view: Option<bool>,
    /// Member card payment settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_info: Option<PayInfo>,
    /// Member card: show the payment code and the QR code together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_pay_and_qrcode: Option<bool>,
    /// Gift card settings (`GENERAL_CARD` with `sub_card_type` `GIFT_CARD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub giftcard_info: Option<GiftCardInfo>,
    /// Gift card: how many times a copy may be passed on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_give_friend_times: Option<u64>,
    /// Review status (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<CardStatus>,
    /// Creation time, Unix seconds (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_time: Option<i64>,
    /// Last change, Unix seconds (read only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_time: Option<i64>,
    /// Other keys (`area_code_list`, fields added later), kept as WeChat sent them. Do not put
    /// keys here that have a field above.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl BaseInfo {
    /// Start building a `base_info` for `card/create`.
    pub fn builder() -> BaseInfoBuilder {
        BaseInfoBuilder::default()
    }

    /// Refuse what `card/create` documents as invalid (rules that do not depend on the card
    /// type). Field paths start with `base_info.`.
    pub fn validate(&self) -> Result<()> {
        self.check("base_info")
    }

    pub(crate) fn check(&self, path: &str) -> Result<()> {
        let field = |name: &str| join(path, name);
        required_text(&field("logo_url"), &self.logo_url)?;
        required(&field("code_type"), &self.code_type)?;
        required_text(&field("brand_name"), &self.brand_name)?;
        max_chinese(
            &field("brand_name"),
            &self.brand_name,
            BRAND_NAME_MAX_CHINESE,
        )?;
        required_text(&field("title"), &self.title)?;
        max_chinese(&field("title"), &self.title, TITLE_MAX_CHINESE)?;
        max_chinese(&field("sub_title"), &self.sub_title, SUB_TITLE_MAX_CHINESE)?;
        required(&field("color"), &self.color)?.check(&field("color"))?;
        required_text(&field("notice"), &self.notice)?;
        max_chinese(&field("notice"), &self.notice, NOTICE_MAX_CHINESE)?;
        required_text(&field("description"), &self.description)?;
        max_chinese(
            &field("description"),
            &self.description,
            DESCRIPTION_MAX_CHINESE,
        )?;
        let sku = required(&field("sku"), &self.sku)?;
        let quantity = *required(&field("sku.quantity"), &sku.quantity)?;
        at_most(
            &field("sku.quantity"),
            quantity,
            MAX_SKU_QUANTITY,
            "WeChat's stock limit (上限为100000000)",
        )?;
        if self.get_custom_code_mode == Some(GetCustomCodeMode::Deposit) && quantity != 0 {
            return Err(invalid(
                field("sku.quantity"),
                "must be 0 with GET_CUSTOM_CODE_MODE_DEPOSIT (stock is added after the codes \
                 are imported)",
            ));
        }
        required(&field("date_info"), &self.date_info)?.check(&field("date_info"))?;
        max_chinese(
            &field("custom_url_sub_title"),
            &self.custom_url_sub_title,
            CUSTOM_URL_SUB_TITLE_MAX_CHINESE,
        )?;
        check_locations(path, self.use_all_locations, &self.location_id_list)?;
        Ok(())
    }
}

/// `use_all_locations` "与location_id_list互斥" (创建卡券).
pub(crate) fn check_locations(
    path: &str,
    use_all: Option<bool>,
    list: &Option<Vec<u64>>,
) -> Result<()> {
    if use_all == Some(true) && list.as_ref().is_some_and(|l| !l.is_empty()) {
        return Err(invalid(
            join(path, "use_all_locations"),
            "cannot be true together with a location_id_list (WeChat: mutually exclusive)",
        ));
    }
    Ok(())
}

macro_rules! text_setters {
    ($( $(#[$meta:meta])* $name:ident ),* $(,)?) => {
        $(
            $(#[$meta])*
            pub fn $name(mut self, value: impl Into<String>) -> Self {
                self.inner.$name = Some(value.into());
                self
            }
        )*
    };
}

macro_rules! value_setters {
    ($( $(#[$meta:meta])* $name:ident: $ty:ty ),* $(,)?) => {
        $(
            $(#[$meta])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.inner.$name = Some(value);
                self
            }
        )*
    };
}

/// Builds a [`BaseInfo`] for `card/create`; [`BaseInfoBuilder::build`] refuses a document that
/// lacks a required field or breaks a documented limit.
#[derive(Debug, Clone, Default)]
pub struct BaseInfoBuilder {
    inner: BaseInfo,
}

impl BaseInfoBuilder {
    text_setters! {
        /// Merchant logo URL (required).
        logo_url,
        /// Merchant name (required, at most 12 Chinese characters).
        brand_name,
        /// Card name (required, at most 9 Chinese characters).
        title,
        /// Subtitle (at most 18 Chinese characters).
        sub_title,
        /// Reminder shown on use (required, at most 16 Chinese characters).
        notice,
        /// Terms of use (required, at most 1024 Chinese characters).
        description,
        /// Customer service phone.
        service_phone,
        /// Centre button title.
        center_title,
        /// Hint below the centre button.
        center_sub_title,
        /// Centre button link.
        center_url,
        /// Custom cell name.
        custom_url_name,
        /// Custom cell link.
        custom_url,
        /// Hint right of the custom cell (at most 6 Chinese characters).
        custom_url_sub_title,
        /// Promotion cell name.
        promotion_url_name,
        /// Promotion cell link.
        promotion_url,
        /// Hint right of the promotion cell.
        promotion_url_sub_title,
        /// Third-party source name.
        source,
    }

    value_setters! {
        /// How the code is shown (required).
        code_type: CodeType,
        /// Colour name (required).
        color: Color,
        /// Stock (required; see also [`BaseInfoBuilder::quantity`]).
        sku: Sku,
        /// Validity (required).
        date_info: DateInfo,
        /// Valid in every store.
        use_all_locations: bool,
        /// The merchant supplies the codes.
        use_custom_code: bool,
        /// How custom codes are supplied.
        get_custom_code_mode: GetCustomCodeMode,
        /// Only given openids may take the card.
        bind_openid: bool,
        /// Copies one user may take.
        get_limit: u64,
        /// Copies one user may redeem.
        use_limit: u64,
        /// The claim page may be shared.
        can_share: bool,
        /// The card may be given to a friend.
        can_give_friend: bool,
        /// Push an event when a member opens the card.
        need_push_on_view: bool,
        /// Member card payment settings.
        pay_info: PayInfo,
        /// Member card: payment code and QR code together.
        is_pay_and_qrcode: bool,
        /// Gift card settings.
        giftcard_info: GiftCardInfo,
        /// Gift card: how many times a copy may be passed on.
        max_give_friend_times: u64,
    }

    /// Stock of `quantity` copies (at most 100 000 000).
    pub fn quantity(mut self, quantity: u64) -> Self {
        self.inner.sku = Some(Sku::quantity(quantity));
        self
    }

    /// Stores (POI ids) where the card is valid.
    pub fn location_ids(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.inner.location_id_list = Some(ids.into_iter().collect());
        self
    }

    /// The mini program page the centre button opens.
    pub fn center_app_brand(
        mut self,
        user_name: impl Into<String>,
        pass: impl Into<String>,
    ) -> Self {
        self.inner.center_app_brand_user_name = Some(user_name.into());
        self.inner.center_app_brand_pass = Some(pass.into());
        self
    }

    /// The mini program page the custom cell opens.
    pub fn custom_app_brand(
        mut self,
        user_name: impl Into<String>,
        pass: impl Into<String>,
    ) -> Self {
        self.inner.custom_app_brand_user_name = Some(user_name.into());
        self.inner.custom_app_brand_pass = Some(pass.into());
        self
    }

    /// The mini program page the promotion cell opens.
    pub fn promotion_app_brand(
        mut self,
        user_name: impl Into<String>,
        pass: impl Into<String>,
    ) -> Self {
        self.inner.promotion_app_brand_user_name = Some(user_name.into());
        self.inner.promotion_app_brand_pass = Some(pass.into());
        self
    }

    /// A field this version has no setter for, sent as given. [`BaseInfoBuilder::build`]
    /// refuses a key that repeats a field which is also set.
    pub fn extra(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.inner.extra.insert(key.into(), value.into());
        self
    }

    /// The document, when it has every field `card/create` requires and keeps WeChat's limits.
    pub fn build(self) -> Result<BaseInfo> {
        self.inner.check("base_info")?;
        check_extra_keys("base_info", &self.inner)?;
        Ok(self.inner)
    }
}

/// Refuse `extra` keys that repeat a typed field which is set (the key would be sent twice).
fn check_extra_keys(path: &str, base: &BaseInfo) -> Result<()> {
    if base.extra.is_empty() {
        return Ok(());
    }
    let typed = BaseInfo {
        extra: Map::new(),
        ..base.clone()
    };
    if let Ok(Value::Object(set)) = serde_json::to_value(&typed) {
        if let Some(key) = base.extra.keys().find(|key| set.contains_key(*key)) {
            return Err(invalid(
                join(path, key),
                "is set both as a field and in `extra`; set the field only",
            ));
        }
    }
    Ok(())
}
