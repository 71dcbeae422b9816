//! `base_info.date_info`: when a card can be used.

use serde::de::{Deserialize, Deserializer};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::validate::{invalid, join, unix_seconds};
use crate::error::Result;

const FIX_TIME_RANGE: &str = "DATE_TYPE_FIX_TIME_RANGE";
const FIX_TERM: &str = "DATE_TYPE_FIX_TERM";
const PERMANENT: &str = "DATE_TYPE_PERMANENT";

/// The validity of a card (`date_info`), one variant per documented `type`.
///
/// Timestamps are Unix seconds (WeChat reads them as UTC+8 wall-clock times); they are integers
/// on the wire, never strings or milliseconds (field report F14). Build with
/// [`DateInfo::fix_time_range`], [`DateInfo::fix_term`] or [`DateInfo::permanent`].
///
/// Reading is lenient: each variant keeps keys it does not know in `extra`, and an object of
/// any other shape (a legacy numeric `type`, a string timestamp, a type this version does not
/// know) is kept whole in [`DateInfo::Other`], so a decoded `date_info` always encodes back to
/// what WeChat sent. [`Card::validate`](crate::Card::validate) refuses `Other` before sending.
///
/// ```
/// use card_core::DateInfo;
///
/// let range = DateInfo::fix_time_range(1_397_577_600, 1_472_724_261);
/// assert_eq!(
///     serde_json::to_value(&range).unwrap(),
///     serde_json::json!({
///         "type": "DATE_TYPE_FIX_TIME_RANGE",
///         "begin_timestamp": 1_397_577_600,
///         "end_timestamp": 1_472_724_261
///     })
/// );
/// let term: DateInfo = serde_json::from_str(
///     r#"{"type":"DATE_TYPE_FIX_TERM","fixed_term":30,"fixed_begin_term":0}"#,
/// ).unwrap();
/// assert!(matches!(term, DateInfo::FixTerm { fixed_term: 30, fixed_begin_term: 0, .. }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum DateInfo {
    /// `DATE_TYPE_FIX_TIME_RANGE`: usable between two instants.
    FixTimeRange {
        /// First usable second (Unix time).
        begin_timestamp: i64,
        /// Last usable second (Unix time); WeChat suggests 23:59:59 of the last day.
        end_timestamp: i64,
        /// Other keys, kept as WeChat sent them.
        extra: Map<String, Value>,
    },
    /// `DATE_TYPE_FIX_TERM`: usable for a number of days after the user takes the card.
    FixTerm {
        /// Days of validity; WeChat does not accept 0.
        fixed_term: u64,
        /// Days after taking the card before it becomes usable (0: the same day).
        fixed_begin_term: u64,
        /// A common expiry for every copy (Unix seconds), when set.
        end_timestamp: Option<i64>,
        /// Other keys, kept as WeChat sent them.
        extra: Map<String, Value>,
    },
    /// `DATE_TYPE_PERMANENT`: never expires (member cards only).
    Permanent {
        /// Other keys, kept as WeChat sent them.
        extra: Map<String, Value>,
    },
    /// A shape this version does not recognise, kept whole.
    Other(Value),
}

impl DateInfo {
    /// Usable from `begin_timestamp` to `end_timestamp` (Unix seconds, inclusive).
    pub fn fix_time_range(begin_timestamp: i64, end_timestamp: i64) -> Self {
        Self::FixTimeRange {
            begin_timestamp,
            end_timestamp,
            extra: Map::new(),
        }
    }

    /// Usable for `fixed_term` days, starting `fixed_begin_term` days after the user takes it.
    pub fn fix_term(fixed_term: u64, fixed_begin_term: u64) -> Self {
        Self::FixTerm {
            fixed_term,
            fixed_begin_term,
            end_timestamp: None,
            extra: Map::new(),
        }
    }

    /// Like [`DateInfo::fix_term`], but every copy also expires at `end_timestamp` at the latest.
    pub fn fix_term_until(fixed_term: u64, fixed_begin_term: u64, end_timestamp: i64) -> Self {
        Self::FixTerm {
            fixed_term,
            fixed_begin_term,
            end_timestamp: Some(end_timestamp),
            extra: Map::new(),
        }
    }

    /// Never expires (member cards only).
    pub fn permanent() -> Self {
        Self::Permanent { extra: Map::new() }
    }

    /// The wire `type`, when it is a string.
    pub fn type_str(&self) -> Option<&str> {
        match self {
            Self::FixTimeRange { .. } => Some(FIX_TIME_RANGE),
            Self::FixTerm { .. } => Some(FIX_TERM),
            Self::Permanent { .. } => Some(PERMANENT),
            Self::Other(value) => value.get("type").and_then(Value::as_str),
        }
    }

    /// Refuse what WeChat documents as invalid; `path` names this `date_info`.
    pub(crate) fn check(&self, path: &str) -> Result<()> {
        match self {
            Self::FixTimeRange {
                begin_timestamp,
                end_timestamp,
                ..
            } => {
                unix_seconds(&join(path, "begin_timestamp"), *begin_timestamp)?;
                unix_seconds(&join(path, "end_timestamp"), *end_timestamp)?;
                if begin_timestamp > end_timestamp {
                    return Err(invalid(
                        join(path, "end_timestamp"),
                        format!("{end_timestamp} is before begin_timestamp {begin_timestamp}"),
                    ));
                }
                Ok(())
            }
            Self::FixTerm {
                fixed_term,
                end_timestamp,
                ..
            } => {
                // 创建卡券: "fixed_term … 表示自领取后多少天内有效，不支持填写0".
                if *fixed_term == 0 {
                    return Err(invalid(
                        join(path, "fixed_term"),
                        "must be at least 1 day (WeChat does not accept 0)",
                    ));
                }
                if let Some(end) = end_timestamp {
                    unix_seconds(&join(path, "end_timestamp"), *end)?;
                }
                Ok(())
            }
            Self::Permanent { .. } => Ok(()),
            Self::Other(_) => Err(invalid(
                path,
                "is not a documented date_info; build it with DateInfo::fix_time_range, \
                 fix_term or permanent",
            )),
        }
    }

    fn from_value(value: Value) -> Self {
        let Value::Object(mut map) = value else {
            return Self::Other(value);
        };
        let kind = map.get("type").and_then(Value::as_str).map(str::to_owned);
        let int = |map: &Map<String, Value>, key: &str| map.get(key).and_then(Value::as_i64);
        let uint = |map: &Map<String, Value>, key: &str| map.get(key).and_then(Value::as_u64);
        match kind.as_deref() {
            Some(FIX_TIME_RANGE) => {
                if let (Some(begin), Some(end)) =
                    (int(&map, "begin_timestamp"), int(&map, "end_timestamp"))
                {
                    for key in ["type", "begin_timestamp", "end_timestamp"] {
                        map.remove(key);
                    }
                    return Self::FixTimeRange {
                        begin_timestamp: begin,
                        end_timestamp: end,
                        extra: map,
                    };
                }
            }
            Some(FIX_TERM) => {
                let end_ok = map.get("end_timestamp").is_none_or(Value::is_i64);
                if let (Some(term), Some(begin), true) = (
                    uint(&map, "fixed_term"),
                    uint(&map, "fixed_begin_term"),
                    end_ok,
                ) {
                    let end = int(&map, "end_timestamp");
                    for key in ["type", "fixed_term", "fixed_begin_term", "end_timestamp"] {
                        map.remove(key);
                    }
                    return Self::FixTerm {
                        fixed_term: term,
                        fixed_begin_term: begin,
                        end_timestamp: end,
                        extra: map,
                    };
                }
            }
            Some(PERMANENT) => {
                map.remove("type");
                return Self::Permanent { extra: map };
            }
            _ => {}
        }
        Self::Other(Value::Object(map))
    }
}

impl Serialize for DateInfo {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        fn extras<M: SerializeMap>(
            map: &mut M,
            extra: &Map<String, Value>,
        ) -> Result<(), M::Error> {
            extra
                .iter()
                .try_for_each(|(k, v)| map.serialize_entry(k, v))
        }
        match self {
            Self::FixTimeRange {
                begin_timestamp,
                end_timestamp,
                extra,
            } => {
                let mut map = serializer.serialize_map(Some(3 + extra.len()))?;
                map.serialize_entry("type", FIX_TIME_RANGE)?;
                map.serialize_entry("begin_timestamp", begin_timestamp)?;
                map.serialize_entry("end_timestamp", end_timestamp)?;
                extras(&mut map, extra)?;
                map.end()
            }
            Self::FixTerm {
                fixed_term,
                fixed_begin_term,
                end_timestamp,
                extra,
            } => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("type", FIX_TERM)?;
                map.serialize_entry("fixed_term", fixed_term)?;
                map.serialize_entry("fixed_begin_term", fixed_begin_term)?;
                if let Some(end) = end_timestamp {
                    map.serialize_entry("end_timestamp", end)?;
                }
                extras(&mut map, extra)?;
                map.end()
            }
            Self::Permanent { extra } => {
                let mut map = serializer.serialize_map(Some(1 + extra.len()))?;
                map.serialize_entry("type", PERMANENT)?;
                extras(&mut map, extra)?;
                map.end()
            }
            Self::Other(value) => value.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for DateInfo {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::from_value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(value: Value) -> DateInfo {
        let decoded: DateInfo = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&decoded).unwrap(), value);
        decoded
    }

    #[test]
    fn documented_shapes_decode_typed() {
        let range =
            round_trip(json!({"type": FIX_TIME_RANGE, "begin_timestamp": 1, "end_timestamp": 2}));
        assert_eq!(range, DateInfo::fix_time_range(1, 2));
        let term = round_trip(json!({"type": FIX_TERM, "fixed_term": 30, "fixed_begin_term": 0}));
        assert_eq!(term, DateInfo::fix_term(30, 0));
        let until = round_trip(
            json!({"type": FIX_TERM, "fixed_term": 3, "fixed_begin_term": 1, "end_timestamp": 9}),
        );
        assert_eq!(until, DateInfo::fix_term_until(3, 1, 9));
        assert_eq!(
            round_trip(json!({"type": PERMANENT})),
            DateInfo::permanent()
        );
    }

    #[test]
    fn extra_keys_stay_with_the_variant() {
        let decoded = round_trip(json!({
            "type": FIX_TIME_RANGE, "begin_timestamp": 1, "end_timestamp": 2,
            "fixed_term": 5, "fixed_begin_term": 0
        }));
        let DateInfo::FixTimeRange { extra, .. } = decoded else {
            panic!("not typed: {decoded:?}");
        };
        assert_eq!(extra.len(), 2);
    }

    #[test]
    fn other_shapes_are_kept_whole() {
        for value in [
            json!({"type": FIX_TIME_RANGE, "begin_timestamp": "2016-08-23 00:00:00", "end_timestamp": 2}),
            json!({"type": 1, "begin_timestamp": 1, "end_timestamp": 2}),
            json!({"type": FIX_TERM, "fixed_term": 30}),
            json!({"type": FIX_TERM, "fixed_term": -1, "fixed_begin_term": 0}),
            json!({"type": FIX_TERM, "fixed_term": 1, "fixed_begin_term": 0, "end_timestamp": 1.5}),
            json!({"type": "DATE_TYPE_SOMETHING_NEW"}),
            json!("DATE_TYPE_PERMANENT"),
        ] {
            assert!(matches!(round_trip(value), DateInfo::Other(_)));
        }
    }
}
