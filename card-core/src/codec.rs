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
    let map = decode_envelope(status, body)?;
    T::deserialize(Value::Object(map)).map_err(|e| Error::Decode {
        source: DecodeError::Shape(e),
        body: BodySnippet::new(body),
    })
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
