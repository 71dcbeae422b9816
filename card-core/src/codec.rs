//! Wire encoding and lenient answer decoding.
//!
//! Requests are compact JSON in raw UTF-8: `serde_json` never `\u`-escapes non-ASCII text, so
//! `团购` goes out as the bytes `E5 9B A2 E8 B4 AD`.
//!
//! Answers are decoded the way WeChat's own answers demand: the `Content-Type` header and charset
//! are ignored, invalid UTF-8 is replaced (lossily), raw control characters inside strings are
//! accepted, `errcode` may be an integer or a string holding one, `errmsg` may be missing, and
//! unknown fields are kept by the typed results. The order of judgement is: HTTP status, then
//! `errcode`/`errmsg`, then the typed result.

use std::borrow::Cow;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{ApiError, BodySnippet, DecodeError, Error, Result};

/// The `Content-Type` every JSON request carries.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Encode a request body as compact JSON in raw UTF-8.
pub fn encode_json<T: Serialize + ?Sized>(value: &T) -> Result<Bytes> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| Error::invalid_argument("body", format!("cannot encode as JSON: {e}")))
}

/// Parse a body as JSON, leniently: invalid UTF-8 is replaced, raw control characters inside
/// strings are escaped and unpaired surrogate escapes replaced before a second attempt. Well-formed answers take the fast path.
pub fn parse_lenient(body: &[u8]) -> std::result::Result<Value, DecodeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::Empty);
    }
    match serde_json::from_slice(body) {
        Ok(value) => Ok(value),
        Err(first) => {
            let text = String::from_utf8_lossy(body);
            let repaired = repair_strings(&text);
            if matches!((&text, &repaired), (Cow::Borrowed(_), Cow::Borrowed(_))) {
                return Err(DecodeError::Syntax(first));
            }
            serde_json::from_str(&repaired).map_err(DecodeError::Syntax)
        }
    }
}

/// Repair what WeChat's user-entered text puts inside JSON strings and strict parsers refuse:
/// raw control characters (U+0000..U+001F) become `\u00XX` escapes, and `\uD8xx`-style
/// escapes of unpaired UTF-16 surrogates (a nickname cut in the middle of an emoji) become
/// U+FFFD. Everything else is copied unchanged; text needing no repair is not copied at all.
fn repair_strings(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0; // bytes of `text` already accounted for in `out`
    let mut in_string = false;
    let mut i = 0;
    let replace =
        |out: &mut Option<String>, copied: &mut usize, start: usize, end: usize, with: &str| {
            let buf = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
            buf.push_str(&text[*copied..start]);
            buf.push_str(with);
            *copied = end;
        };
    while i < bytes.len() {
        let b = bytes[i];
        if !in_string {
            in_string = b == b'"';
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_string = false;
                i += 1;
            }
            b'\\' if bytes.get(i + 1) == Some(&b'u') => {
                let unit = |at: usize| {
                    text.get(at..at + 4)
                        .and_then(|h| u16::from_str_radix(h, 16).ok())
                };
                match unit(i + 2) {
                    Some(0xD800..=0xDBFF) => {
                        let paired = bytes.get(i + 6) == Some(&b'\\')
                            && bytes.get(i + 7) == Some(&b'u')
                            && matches!(unit(i + 8), Some(0xDC00..=0xDFFF));
                        if paired {
                            i += 12;
                        } else {
                            replace(&mut out, &mut copied, i, i + 6, "\\ufffd");
                            i += 6;
                        }
                    }
                    Some(0xDC00..=0xDFFF) => {
                        replace(&mut out, &mut copied, i, i + 6, "\\ufffd");
                        i += 6;
                    }
                    _ => i += 2,
                }
            }
            b'\\' => i += 2,
            0x00..=0x1F => {
                replace(&mut out, &mut copied, i, i + 1, &format!("\\u{b:04x}"));
                i += 1;
            }
            _ => i += 1,
        }
    }
    match out {
        Some(mut buf) => {
            buf.push_str(&text[copied.min(text.len())..]);
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(text),
    }
}

/// Read `errcode` as an integer from a number or a string holding one.
fn errcode_of(value: &Value) -> std::result::Result<i64, DecodeError> {
    match value {
        Value::Number(n) => n.as_i64().ok_or(DecodeError::BadErrcode),
        Value::String(s) => s.trim().parse().map_err(|_| DecodeError::BadErrcode),
        Value::Null => Ok(0),
        _ => Err(DecodeError::BadErrcode),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Judge an answer's envelope: the HTTP status, then `errcode`/`errmsg`. On success returns the
/// JSON object with `errcode` and `errmsg` removed.
pub fn decode_envelope(status: http::StatusCode, body: &[u8]) -> Result<Map<String, Value>> {
    let fail = |source: DecodeError| {
        if status.is_success() {
            Error::Decode {
                source,
                body: BodySnippet::new(body),
            }
        } else {
            Error::Http {
                status,
                body: BodySnippet::new(body),
            }
        }
    };
    let mut map = match parse_lenient(body).map_err(fail)? {
        Value::Object(map) => map,
        other => return Err(fail(DecodeError::NotAnObject(json_kind(&other)))),
    };
    let code = match map.shift_remove("errcode") {
        Some(code) => errcode_of(&code).map_err(fail)?,
        None => 0,
    };
    let message = map.shift_remove("errmsg");
    if code != 0 {
        let message = match message {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        return Err(ApiError::new(code, message).into());
    }
    if !status.is_success() {
        return Err(Error::Http {
            status,
            body: BodySnippet::new(body),
        });
    }
    Ok(map)
}

/// Decode a whole answer into `T`: the envelope first, then the typed result.
pub fn decode_response<T: DeserializeOwned>(status: http::StatusCode, body: &[u8]) -> Result<T> {
    if status.is_success() {
        if let Some(decoded) = direct::decode(body) {
            return decoded;
        }
    }
    decode_via_value(status, body)
}

/// The lenient path of [`decode_response`], and the reference for its fast path: the envelope
/// into a JSON object, then `T` from what is left.
fn decode_via_value<T: DeserializeOwned>(status: http::StatusCode, body: &[u8]) -> Result<T> {
    let map = decode_envelope(status, body)?;
    T::deserialize(Value::Object(map)).map_err(|e| Error::Decode {
        source: DecodeError::Shape(e),
        body: BodySnippet::new(body),
    })
}

/// The fast path of [`decode_response`]: one pass from the bytes into `T`, with `errcode` and
/// `errmsg` taken out of the top-level object on the way, instead of parsing into a
/// `serde_json::Value`, removing them, and deserializing `T` from that.
///
/// It answers only when that pass succeeds and the `errcode` is readable, which is every
/// well-formed answer. Anything else (invalid UTF-8, raw control characters, a non-object, an
/// unreadable `errcode`, an answer that is not a `T`) returns `None`, and the caller takes the
/// lenient path, whose results and errors are the reference; so this path changes how fast an
/// answer is decoded, never what it decodes to.
mod direct {
    use std::borrow::Cow;
    use std::fmt;

    use serde::de::value::{BorrowedStrDeserializer, StringDeserializer};
    use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, Visitor};
    use serde_json::Value;

    use super::errcode_of;
    use crate::error::{ApiError, Result};

    /// `T` from `body`, or the API error its `errcode` names; `None` to take the lenient path.
    pub(super) fn decode<T: DeserializeOwned>(body: &[u8]) -> Option<Result<T>> {
        let mut envelope = Envelope::default();
        let mut json = serde_json::Deserializer::from_slice(body);
        let value = T::deserialize(TopLevel {
            inner: &mut json,
            envelope: &mut envelope,
        })
        .ok()?;
        json.end().ok()?;
        let code = match &envelope.errcode {
            Some(code) => errcode_of(code).ok()?,
            None => 0,
        };
        if code == 0 {
            return Some(Ok(value));
        }
        let message = match envelope.errmsg {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        Some(Err(ApiError::new(code, message).into()))
    }

    /// `errcode` and `errmsg` as found in the top-level object (the last one, if repeated).
    #[derive(Default)]
    struct Envelope {
        errcode: Option<Value>,
        errmsg: Option<Value>,
    }

    /// The top-level JSON value, as an object whose `errcode` and `errmsg` go to the envelope.
    struct TopLevel<'a, D> {
        inner: D,
        envelope: &'a mut Envelope,
    }

    impl<'de, D: Deserializer<'de>> Deserializer<'de> for TopLevel<'_, D> {
        type Error = D::Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
            self.inner.deserialize_map(ObjectVisitor {
                visitor,
                envelope: self.envelope,
            })
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
            identifier ignored_any
        }
    }

    struct ObjectVisitor<'a, V> {
        visitor: V,
        envelope: &'a mut Envelope,
    }

    impl<'de, V: Visitor<'de>> Visitor<'de> for ObjectVisitor<'_, V> {
        type Value = V::Value;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.visitor.expecting(f)
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
            self.visitor.visit_map(Entries {
                inner: map,
                envelope: self.envelope,
            })
        }
    }

    /// The entries of the top-level object, less `errcode` and `errmsg`.
    struct Entries<'a, A> {
        inner: A,
        envelope: &'a mut Envelope,
    }

    impl<'de, A: MapAccess<'de>> MapAccess<'de> for Entries<'_, A> {
        type Error = A::Error;

        fn next_key_seed<K: DeserializeSeed<'de>>(
            &mut self,
            seed: K,
        ) -> Result<Option<K::Value>, A::Error> {
            loop {
                let Some(key) = self.inner.next_key::<Key<'de>>()? else {
                    return Ok(None);
                };
                match &*key.0 {
                    "errcode" => self.envelope.errcode = Some(self.inner.next_value()?),
                    "errmsg" => self.envelope.errmsg = Some(self.inner.next_value()?),
                    _ => {
                        return match key.0 {
                            Cow::Borrowed(key) => seed
                                .deserialize(BorrowedStrDeserializer::new(key))
                                .map(Some),
                            Cow::Owned(key) => {
                                seed.deserialize(StringDeserializer::new(key)).map(Some)
                            }
                        }
                    }
                }
            }
        }

        fn next_value_seed<S: DeserializeSeed<'de>>(
            &mut self,
            seed: S,
        ) -> Result<S::Value, A::Error> {
            self.inner.next_value_seed(seed)
        }

        fn size_hint(&self) -> Option<usize> {
            self.inner.size_hint()
        }
    }

    /// An object key, borrowed from the body unless it had escapes.
    struct Key<'de>(Cow<'de, str>);

    impl<'de> de::Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            struct KeyVisitor;

            impl<'de> Visitor<'de> for KeyVisitor {
                type Value = Key<'de>;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object key")
                }

                fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Borrowed(key)))
                }

                fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Owned(key.to_owned())))
                }

                fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
                    Ok(Key(Cow::Owned(key)))
                }
            }

            deserializer.deserialize_str(KeyVisitor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    const OK: StatusCode = StatusCode::OK;

    #[test]
    fn encodes_raw_utf8() {
        let body = encode_json(&serde_json::json!({"title": "团购券🎁"})).unwrap();
        let text = std::str::from_utf8(&body).unwrap();
        assert!(!text.contains("\\u"));
        assert!(body.windows(3).any(|w| w == [0xE5, 0x9B, 0xA2]));
        assert!(body.windows(4).any(|w| w == [0xF0, 0x9F, 0x8E, 0x81]));
    }

    #[test]
    fn accepts_raw_control_characters_inside_strings() {
        let body = b"{\"errcode\":0,\"errmsg\":\"ok\",\"nickname\":\"A\x07B\xF0\x9F\x8D\xAD\",\"city\":\"\x08\",\"url\":\"http:\\/\\/x\\\"y\"}";
        let map = decode_envelope(OK, body).unwrap();
        assert_eq!(map["nickname"], "A\u{7}B🍭");
        assert_eq!(map["city"], "\u{8}");
        assert_eq!(map["url"], "http://x\"y");
    }

    #[test]
    fn unpaired_surrogate_escapes_are_replaced() {
        let map = decode_envelope(
            OK,
            br#"{"errcode":0,"a":"x\ud800","b":"\udc00y","c":"\ud83c\udf6d","d":"\ud83c\u0041"}"#,
        )
        .unwrap();
        assert_eq!(map["a"], "x\u{FFFD}");
        assert_eq!(map["b"], "\u{FFFD}y");
        assert_eq!(map["c"], "🍭");
        assert_eq!(map["d"], "\u{FFFD}A");
    }

    #[test]
    fn unknown_fields_keep_their_order() {
        let map = decode_envelope(OK, br#"{"errcode":0,"errmsg":"ok","a":1,"b":2,"c":3}"#).unwrap();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let map = decode_envelope(OK, b"{\"errcode\":0,\"card_id\":\"a\xff\tb\"}").unwrap();
        assert_eq!(map["card_id"], "a\u{FFFD}\tb");
    }

    #[test]
    fn errcode_may_be_a_string_and_errmsg_missing() {
        let err = decode_envelope(OK, br#"{"errcode":"40099"}"#).unwrap_err();
        assert!(err.is_already_consumed());
        assert!(decode_envelope(OK, br#"{"errcode":"0","card_id":"Z"}"#).is_ok());
        assert!(decode_envelope(OK, br#"{"card_id":"Z"}"#).is_ok());
    }

    #[test]
    fn refusals_are_typed() {
        for (body, want) in [
            (&b""[..], "empty"),
            (b"   ", "empty"),
            (br#"{"errcode":0,"card_id":"p"#, "syntax"),
            (b"<html>Bad Gateway</html>", "syntax"),
            (b"[1,2]", "object"),
            (br#"{"errcode":"x"}"#, "errcode"),
        ] {
            match decode_envelope(OK, body) {
                Err(Error::Decode { source, .. }) => {
                    let ok = match want {
                        "empty" => matches!(source, DecodeError::Empty),
                        "syntax" => matches!(source, DecodeError::Syntax(_)),
                        "object" => matches!(source, DecodeError::NotAnObject(_)),
                        _ => matches!(source, DecodeError::BadErrcode),
                    };
                    assert!(ok, "{body:?}: {source:?}");
                }
                other => panic!("{body:?}: {other:?}"),
            }
        }
    }

    /// The fast path must decode every answer exactly as the lenient path does: same value,
    /// same error.
    fn same_both_ways<T>(body: &[u8])
    where
        T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
    {
        let fast = decode_response::<T>(OK, body);
        let reference = decode_via_value::<T>(OK, body);
        match (&fast, &reference) {
            (Ok(fast), Ok(reference)) => {
                assert_eq!(fast, reference, "{}", String::from_utf8_lossy(body));
                // And the same JSON, in case a type's `PartialEq` overlooks a field.
                let fast = serde_json::to_value(fast).unwrap();
                assert_eq!(fast, serde_json::to_value(reference).unwrap());
            }
            _ => assert_eq!(
                format!("{fast:?}"),
                format!("{reference:?}"),
                "{}",
                String::from_utf8_lossy(body)
            ),
        }
    }

    #[test]
    fn fast_path_decodes_as_the_lenient_path() {
        use crate::{Ack, CardDocument, CodeInfo, ConsumedCode};
        let bodies: &[&[u8]] = &[
            br#"{"errcode":0,"errmsg":"ok","card":{"card_id":"p1"},"openid":"o1"}"#,
            br#"{"card":{"card_id":"p1","x":[1,2]},"openid":"o1","errmsg":"ok","errcode":0,"z":1,"a":{"b":null}}"#,
            br#"{"errcode":"0","card":{"card_id":"p1"}}"#,
            br#"{"errcode":null,"errmsg":null,"card":{"card_id":"p1"}}"#,
            br#"{"errcode":40099,"errmsg":"code consumed. hint: [x]"}"#,
            br#"{"errcode":"40099","errmsg":7,"card":{"card_id":"p1"}}"#,
            br#"{"errcode":40001,"card":{"card_id":"p1"},"openid":"o1"}"#,
            br#"{"errcode":{"a":1},"card":{"card_id":"p1"}}"#,
            br#"{"errcode":0,"errcode":40099,"card":{"card_id":"p1"}}"#,
            br#"{"errcode":0,"openid":"o1","openid":"o2","card":{"card_id":"p1"}}"#,
            br#"{"errcode":40099,"card":{"card_id":"p1"},"openid":"o1"}"#,
            br#"{"errcode":0,"card":{"card_id":12},"openid":"o1"}"#,
            br#"{"errcode":0,"openid":"o1"}"#,
            br#"{"errcode":0,"card":{"card_id":"p1"}} trailing"#,
            b"{\"errcode\":0,\"card\":{\"card_id\":\"p\x07\"},\"openid\":\"\xff\"}",
            br#"[{"errcode":0}]"#,
            br#""ok""#,
            b"",
            br#"{"errcode":0,"big":18446744073709551615,"neg":-9223372036854775808,"f":1.5e300}"#,
        ];
        for body in bodies {
            same_both_ways::<ConsumedCode>(body);
            same_both_ways::<CodeInfo>(body);
            same_both_ways::<Ack>(body);
            same_both_ways::<Value>(body);
            same_both_ways::<Map<String, Value>>(body);
            same_both_ways::<CardDocument>(body);
        }
        for file in [
            r#"{"errcode":0,"errmsg":"ok","card":{"card_id":"pbLatjk4T4Hx-QFQGL4zGQy27_Qg","begin_time":1457452800,"end_time":1463155199},"openid":"oFAKE","can_consume":true,"outer_str":"12b","user_card_status":"NORMAL"}"#,
            r#"{"errcode":0,"errmsg":"ok","card":{"card_type":"DISCOUNT","discount":{"base_info":{"id":"p1","title":"团购券🎁","date_info":{"type":"DATE_TYPE_PERMANENT"},"sku":{"quantity":1}},"discount":30}}}"#,
        ] {
            same_both_ways::<CodeInfo>(file.as_bytes());
            same_both_ways::<CardDocument>(file.as_bytes());
            same_both_ways::<Value>(file.as_bytes());
        }
    }

    #[test]
    fn fast_path_keeps_the_order_of_unknown_fields() {
        let body = br#"{"errcode":0,"errmsg":"ok","card":{"card_id":"p"},"b":1,"a":2,"c":3}"#;
        let consumed: crate::ConsumedCode = decode_response(OK, body).unwrap();
        let keys: Vec<&str> = consumed.extra.keys().map(String::as_str).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        // Well-formed answers take the fast path; only the others fall back.
        assert!(direct::decode::<crate::ConsumedCode>(body).is_some());
        assert!(
            direct::decode::<crate::ConsumedCode>(b"{\"card\":{\"card_id\":\"\x01\"}}").is_none()
        );
    }

    #[test]
    fn non_2xx_without_errcode_is_http_error() {
        let err =
            decode_envelope(StatusCode::BAD_GATEWAY, b"<html>Bad Gateway</html>").unwrap_err();
        match err {
            Error::Http { status, body } => {
                assert_eq!(status, StatusCode::BAD_GATEWAY);
                assert_eq!(body.as_str(), "<html>Bad Gateway</html>");
            }
            other => panic!("{other:?}"),
        }
        let err = decode_envelope(
            StatusCode::SERVICE_UNAVAILABLE,
            br#"{"errcode":-1,"errmsg":"busy"}"#,
        );
        assert!(err.unwrap_err().is_system_busy());
    }
}
