//! The checks behind [`Card::validate`](crate::Card::validate) and the builders: what WeChat's
//! documentation calls invalid, refused before anything is sent.
//!
//! Every refusal is an [`Error::InvalidArgument`] whose `field` is the path of the offending
//! value inside the card body, for example `base_info.title` or
//! `advanced_info.time_limit[1].end_hour`.
//!
//! # How lengths are measured
//!
//! WeChat states text limits twice: as a count of Chinese characters in the description
//! ("卡券名，字数上限为9个汉字") and as a size in the type column (`string(27)`), three bytes of UTF-8
//! per character. Its own samples show the size is what counts: the official GROUPON sample's
//! title `132元双人火锅套餐` is ten characters (24 bytes) under a nine-character limit, and its
//! `custom_url_sub_title` `6个汉字tips` is eight characters under a six-character limit. So a
//! limit of *n* Chinese characters is enforced here as at most `3 × n` bytes of UTF-8: exactly
//! *n* Chinese characters, or up to `3 × n` ASCII ones. Only fields whose documentation gives a
//! character count are checked; sizes given only in the type column are not enforced, because the
//! official samples exceed some of them (the sample `abstract` is 57 bytes in a `string(24)`).

use crate::error::{Error, Result};

/// The most stock a card may have: "卡券库存的数量，上限为100000000" (`sku.quantity`, 创建卡券).
pub const MAX_SKU_QUANTITY: u64 = 100_000_000;

/// `base_info.title`: "卡券名，字数上限为9个汉字" (`string(27)`).
pub const TITLE_MAX_CHINESE: usize = 9;
/// `base_info.sub_title`: "卡券副标题，字数上限为18个汉字" (`string(54)`).
pub const SUB_TITLE_MAX_CHINESE: usize = 18;
/// `base_info.brand_name`: "商户名字,字数上限为12个汉字" (`string(36)`).
pub const BRAND_NAME_MAX_CHINESE: usize = 12;
/// `base_info.notice`: "卡券使用提醒，字数上限为16个汉字" (`string(48)`).
pub const NOTICE_MAX_CHINESE: usize = 16;
/// `base_info.description`: "卡券使用说明，字数上限为1024个汉字" (`string(3072)`).
pub const DESCRIPTION_MAX_CHINESE: usize = 1024;
/// `base_info.custom_url_sub_title`: "显示在入口右侧的tips，长度限制在6个汉字内" (`string(18)`).
pub const CUSTOM_URL_SUB_TITLE_MAX_CHINESE: usize = 6;
/// `prerogative` of a member card: "会员卡特权说明,限制1024汉字" (`string(3072)`).
pub const PREROGATIVE_MAX_CHINESE: usize = 1024;
/// `custom_cell1.tips` of a member card: "入口右侧提示语，6个汉字内".
pub const CELL_TIPS_MAX_CHINESE: usize = 6;
/// `from` / `to` of a boarding pass: "飞机票的起点/终点，上限为18个汉字" (`string(54)`).
pub const BOARDING_PLACE_MAX_CHINESE: usize = 18;

/// Timestamps are "unsigned int" seconds in WeChat's tables: larger values are milliseconds or
/// garbage (field report F14).
pub const MAX_UNIX_SECONDS: i64 = u32::MAX as i64;

/// A refusal for `field`.
pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::invalid_argument(field, reason)
}

/// Join a prefix and a field name into a path (`base_info` + `title` → `base_info.title`).
pub(crate) fn join(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

/// The value of a required field, or a refusal naming it.
pub(crate) fn required<'a, T>(path: &str, value: &'a Option<T>) -> Result<&'a T> {
    value
        .as_ref()
        .ok_or_else(|| invalid(path, "is required by WeChat and missing"))
}

/// A required, non-empty text field.
pub(crate) fn required_text<'a>(path: &str, value: &'a Option<String>) -> Result<&'a str> {
    let text = required(path, value)?;
    if text.is_empty() {
        return Err(invalid(path, "is required by WeChat and empty"));
    }
    Ok(text)
}

/// Refuse text longer than `chinese` Chinese characters, measured as WeChat does (see the module
/// documentation): at most `3 × chinese` bytes of UTF-8.
pub(crate) fn max_chinese(path: &str, value: &Option<String>, chinese: usize) -> Result<()> {
    if let Some(text) = value {
        let limit = chinese * 3;
        if text.len() > limit {
            return Err(invalid(
                path,
                format!(
                    "is {} bytes of UTF-8; WeChat allows at most {chinese} Chinese characters \
                     ({limit} bytes)",
                    text.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Refuse a timestamp that is not Unix seconds in WeChat's unsigned 32-bit range.
pub(crate) fn unix_seconds(path: &str, value: i64) -> Result<()> {
    if value < 0 {
        return Err(invalid(path, "must be Unix seconds (not negative)"));
    }
    if value > MAX_UNIX_SECONDS {
        return Err(invalid(
            path,
            format!(
                "{value} is beyond WeChat's unsigned 32-bit seconds; milliseconds are not accepted"
            ),
        ));
    }
    Ok(())
}

/// Refuse an integer above `max`.
pub(crate) fn at_most(path: &str, value: u64, max: u64, why: &str) -> Result<()> {
    if value > max {
        return Err(invalid(path, format!("{value} is above {max}: {why}")));
    }
    Ok(())
}

/// Refuse a wire string that is not in WeChat's upper-case form (`GROUPON`, not `groupon`).
pub(crate) fn upper_snake(path: &str, value: &str) -> Result<()> {
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            path,
            format!("`{value}` is not an upper-case WeChat value (WeChat answers 40071/47001)"),
        ))
    }
}

/// Refuse a document that would go out with the same key twice in one object, which happens
/// when an `extra` map repeats a field the type already has (`extra["title"]` beside `title`).
/// WeChat would silently take one of the two.
pub(crate) fn no_duplicate_keys<T: serde::Serialize>(document: &T) -> Result<()> {
    let json = serde_json::to_vec(document)
        .map_err(|e| Error::invalid_argument("card", format!("cannot be encoded: {e}")))?;
    let mut deserializer = serde_json::Deserializer::from_slice(&json);
    let found = serde::de::DeserializeSeed::deserialize(KeyWalk { path: "" }, &mut deserializer)
        .map_err(|e| Error::invalid_argument("card", format!("cannot be encoded: {e}")))?;
    match found {
        Some(path) => Err(Error::invalid_argument(
            path,
            "is set twice (an `extra` entry repeats a typed field)",
        )),
        None => Ok(()),
    }
}

/// Walks a JSON document, answering the path of the first key repeated within one object.
struct KeyWalk<'p> {
    path: &'p str,
}

impl<'de> serde::de::DeserializeSeed<'de> for KeyWalk<'_> {
    type Value = Option<String>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> std::result::Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for KeyWalk<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut seen = std::collections::HashSet::new();
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if !seen.insert(key) && found.is_none() {
                found = Some(path.clone());
            }
            let inner = map.next_value_seed(KeyWalk { path: &path })?;
            found = found.or(inner);
        }
        Ok(found)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(inner) = seq.next_element_seed(KeyWalk { path: self.path })? {
            found = found.or(inner);
        }
        Ok(found)
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }
}
