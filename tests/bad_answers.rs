//! Answers that never panic: a corpus of malformed and surprising WeChat answers, each run with
//! HTTP statuses 200, 404, 500 and 502 through `card_core::codec::decode_response::<T>` for every
//! public response type of card-core.
//!
//! Every call must come back as a typed result (`Ok`, or one of the `Error` variants a decoder
//! can produce) and must not panic. Each call runs inside `catch_unwind`, so a failure names the
//! entry, the status and the type. Most entries also say which judgement they expect; the order
//! of judgement is the one `codec` documents: the body must parse as a JSON object, then a
//! non-zero `errcode` is an API error whatever the status, then a non-2xx status is an HTTP
//! error, then the typed result.
//!
//! Decisions this file pins down:
//! - **A UTF-8 byte-order mark is refused** with a typed error (`Decode { Syntax }` on a 2xx,
//!   `Http` otherwise), never accepted and never a panic. WeChat does not send one; a body that
//!   starts with one came through something that rewrote it, and the decoder does not guess.
//!   Accepting it would be a change to `codec::parse_lenient`; flip [`bom_prefixed_json`] then.
//! - **`errcode` must be an integer, or a string holding one** (trimmed). Floats are refused with
//!   `Decode { BadErrcode }`, `0.0` and `-0` included, and so are numbers beyond `i64`.
//!   `"errcode": null` counts as absent (success).
//! - **Duplicate keys: the last one wins**, as in `serde_json::Value`; `errcode` included.

use std::panic::{catch_unwind, AssertUnwindSafe};

use card_core::codec::decode_response;
use card_core::error::BODY_SNIPPET_LIMIT;
use card_core::{DecodeError, Error};
use http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

/// Every public type a card-core answer decodes into, in one place: adding a response type is
/// one line here. `$m` is called with the whole list.
macro_rules! for_each_response_type {
    ($m:ident) => {
        $m! {
            card_core::Ack,
            card_core::CreatedCard,
            card_core::UpdatedCard,
            card_core::CardDocument,
            card_core::CardIdPage,
            card_core::DepositCount,
            card_core::CheckedCodes,
            card_core::CodeInfo,
            card_core::CodeCard,
            card_core::ConsumedCode,
            card_core::CardRef,
            card_core::DecryptedCode,
            card_core::QrCode,
            card_core::UserCardStatus,
            card_core::CardStatus,
            serde_json::Value,
            serde_json::Map<String, serde_json::Value>,
        }
    };
}

/// A decoder for one type, type-erased so the types can sit in one table.
type Judge = fn(StatusCode, &[u8]) -> Result<Outcome, String>;

macro_rules! judges {
    ($($t:ty),+ $(,)?) => {
        vec![$((stringify!($t).replace(' ', ""), judge::<$t> as Judge)),+]
    };
}

fn all_types() -> Vec<(String, Judge)> {
    for_each_response_type!(judges)
}

/// What a decode came to, without the value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    Api(i64),
    Http(u16),
    Decode(Fault),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Empty,
    Syntax,
    NotAnObject,
    BadErrcode,
    Shape,
}

/// Decode `body` as `T` and check what every result must satisfy, whatever the input.
/// `Err(..)` describes a broken invariant.
fn judge<T: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<Outcome, String> {
    let result = decode_response::<T>(status, body);
    let err = match result {
        Ok(_) if status.is_success() => return Ok(Outcome::Ok),
        Ok(_) => return Err(format!("Ok for HTTP {status}")),
        Err(err) => err,
    };
    // Rendering an error must not panic either.
    let shown = format!("{err} / {err:?}");
    if shown.is_empty() {
        return Err("an error that displays as nothing".into());
    }
    match err {
        Error::Api(api) if api.code != 0 => Ok(Outcome::Api(api.code)),
        Error::Api(api) => Err(format!("an API error with errcode 0: {api:?}")),
        Error::Http {
            status: got,
            body: snippet,
        } => {
            check_snippet(body, snippet.as_str(), snippet.is_truncated())?;
            if got != status {
                Err(format!("Http {{ status: {got} }} for HTTP {status}"))
            } else if status.is_success() {
                Err(format!("Http error for a {status}"))
            } else {
                Ok(Outcome::Http(status.as_u16()))
            }
        }
        Error::Decode {
            source,
            body: snippet,
        } => {
            check_snippet(body, snippet.as_str(), snippet.is_truncated())?;
            if !status.is_success() {
                return Err(format!("Decode error for HTTP {status}: {source:?}"));
            }
            let fault = match source {
                DecodeError::Empty => Fault::Empty,
                DecodeError::Syntax(_) => Fault::Syntax,
                DecodeError::NotAnObject(_) => Fault::NotAnObject,
                DecodeError::BadErrcode => Fault::BadErrcode,
                DecodeError::Shape(_) => Fault::Shape,
                other => return Err(format!("a decoder cannot produce {other:?}")),
            };
            Ok(Outcome::Decode(fault))
        }
        other => Err(format!("a decoder cannot produce {other:?}")),
    }
}

/// True when `snippet` is `text` with some values replaced by `[redacted]` (credential values
/// are masked in snippets): the pieces between the masks appear in `text` in order, the first
/// at its start.
fn masks_credentials_of(text: &str, snippet: &str) -> bool {
    let mut pieces = snippet.split("[redacted]");
    let Some(first) = pieces.next() else {
        return false;
    };
    if !text.starts_with(first) || !snippet.contains("[redacted]") {
        return false;
    }
    let mut rest = &text[first.len()..];
    for piece in pieces {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// `BodySnippet`'s documented contract: the first `BODY_SNIPPET_LIMIT` bytes of the body,
/// lossily decoded, less the U+FFFD of a character the cut split, with credential values
/// (after `access_token`, `secret`, `ticket`) masked. The text itself can be longer
/// than the limit (see [`a_snippet_keeps_512_body_bytes_not_512_text_bytes`]).
fn check_snippet(body: &[u8], snippet: &str, truncated: bool) -> Result<(), String> {
    let cut = body.len().min(BODY_SNIPPET_LIMIT);
    let lossy = String::from_utf8_lossy(&body[..cut]);
    let cut_char = truncated && lossy.strip_suffix('\u{FFFD}') == Some(snippet);
    if snippet != lossy && !cut_char && !masks_credentials_of(&lossy, snippet) {
        return Err(format!("snippet {snippet:?} is not the start of the body"));
    }
    if truncated != (body.len() > BODY_SNIPPET_LIMIT) {
        return Err(format!(
            "snippet truncated = {truncated} for a body of {} bytes",
            body.len()
        ));
    }
    Ok(())
}

/// What an entry should come to.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// Any typed result will do (the entry is here to prove it does not panic).
    Typed,
    /// The envelope says success (no `errcode`, or 0): `Ok` or `Decode { Shape }` on a 2xx,
    /// depending on the type; `Http { status }` otherwise.
    Success,
    /// The envelope refuses the body: `Decode { fault }` on a 2xx, `Http { status }` otherwise.
    Refused(Fault),
    /// WeChat's error `code`, whatever the HTTP status.
    Api(i64),
}

impl Want {
    fn admits(self, status: StatusCode, outcome: &Outcome) -> bool {
        let ok = status.is_success();
        match self {
            Want::Typed => true,
            Want::Api(code) => *outcome == Outcome::Api(code),
            Want::Success if ok => {
                matches!(outcome, Outcome::Ok | Outcome::Decode(Fault::Shape))
            }
            Want::Refused(fault) if ok => *outcome == Outcome::Decode(fault),
            Want::Success | Want::Refused(_) => *outcome == Outcome::Http(status.as_u16()),
        }
    }
}

struct Entry {
    name: String,
    body: Vec<u8>,
    want: Want,
}

fn entry(name: impl Into<String>, body: impl AsRef<[u8]>, want: Want) -> Entry {
    Entry {
        name: name.into(),
        body: body.as_ref().to_vec(),
        want,
    }
}

const STATUSES: [u16; 4] = [200, 404, 500, 502];

/// F02: user-entered text with raw BEL, BS and LF inside strings, an emoji, and `\/` escapes.
const F02: &[u8] = b"{\"errcode\":0,\"errmsg\":\"ok\",\"openid\":\"oFAKE1\",\"nickname\":\"A\x07B\xF0\x9F\x8D\xAD\x0A\",\"city\":\"\x08\",\"headimgurl\":\"http:\\/\\/wx.qlogo.cn\\/mmopen\\/X\\/0\"}";

/// F03: `card/code/get` with `check_consume: false` for a deleted code.
const F03: &str = r#"{"errcode":0,"errmsg":"ok","card":{"card_id":"pFAKE1","begin_time":0,"end_time":1700000000},"openid":"oFAKE1","can_consume":false,"user_card_status":"DELETE"}"#;

/// F17: a gateway's error page.
const HTML_502: &str = "<html>Bad Gateway</html>";

/// F17: a 200 whose body was cut off.
const F17_TRUNCATED: &str = r#"{"errcode":0,"card_id":"p"#;

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn nested(open: &str, close: &str, depth: usize, inner: &str) -> String {
    let mut s = String::with_capacity(depth * (open.len() + close.len()) + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The hand-written entries.
fn named_entries() -> Vec<Entry> {
    use Fault::*;
    use Want::*;
    let five_mb = format!(
        r#"{{"errcode":0,"errmsg":"ok","card_id":"p{}"}}"#,
        "A".repeat(5 * 1024 * 1024)
    );
    vec![
        // The field reports.
        entry("F02 raw control characters, emoji, \\/", F02, Success),
        entry(
            "F02 as reported (no LF)",
            b"{\"errcode\":0,\"errmsg\":\"ok\",\"openid\":\"oFAKE1\",\"nickname\":\"A\x07B\xF0\x9F\x8D\xAD\",\"city\":\"\x08\",\"headimgurl\":\"http:\\/\\/wx.qlogo.cn\\/mmopen\\/X\\/0\"}",
            Success,
        ),
        entry("F03 check_consume false", F03, Success),
        entry(
            "F12 45009",
            r#"{"errcode":45009,"errmsg":"reach max api daily quota limit"}"#,
            Api(45009),
        ),
        entry(
            "F12 45011",
            r#"{"errcode":45011,"errmsg":"api minute-quota reach limit"}"#,
            Api(45011),
        ),
        entry(
            "F13 -1 with rid",
            r#"{"errcode":-1,"errmsg":"system error rid: 60891646-03eed615"}"#,
            Api(-1),
        ),
        entry(
            "F16 40164",
            r#"{"errcode":40164,"errmsg":"invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist"}"#,
            Api(40164),
        ),
        entry("F17 HTML 502 page", HTML_502, Refused(Syntax)),
        entry("F17 truncated card_id", F17_TRUNCATED, Refused(Syntax)),
        entry(
            "F07 40001 not latest",
            r#"{"errcode":40001,"errmsg":"invalid credential, access_token is invalid or not latest"}"#,
            Api(40001),
        ),
        entry(
            "F15 47001",
            r#"{"errcode":47001,"errmsg":"data format error"}"#,
            Api(47001),
        ),
        // Not an object at all.
        entry("empty body", b"", Refused(Empty)),
        entry("whitespace only", " \t\r\n  \n", Refused(Empty)),
        entry("null", "null", Refused(NotAnObject)),
        entry("empty array", "[]", Refused(NotAnObject)),
        entry(
            "array of envelopes",
            r#"[{"errcode":0,"errmsg":"ok"}]"#,
            Refused(NotAnObject),
        ),
        entry("a string", r#""string""#, Refused(NotAnObject)),
        entry("a number", "123", Refused(NotAnObject)),
        entry("true", "true", Refused(NotAnObject)),
        entry("empty object", "{}", Success),
        entry("object after blank lines", "\r\n\r\n {\"errcode\":0}\r\n", Success),
        // Truncated at various points (every prefix of F03 is generated below, too).
        entry("truncated: {", "{", Refused(Syntax)),
        entry("truncated: key", r#"{"errc"#, Refused(Syntax)),
        entry("truncated: after colon", r#"{"errcode":"#, Refused(Syntax)),
        entry("truncated: after value", r#"{"errcode":0"#, Refused(Syntax)),
        entry("truncated: after comma", r#"{"errcode":0,"#, Refused(Syntax)),
        entry(
            "truncated: inside nested object",
            r#"{"errcode":0,"errmsg":"ok","card":{"card_id":"p1""#,
            Refused(Syntax),
        ),
        entry(
            "truncated: inside a UTF-8 character",
            b"{\"errcode\":0,\"title\":\"\xE5\x9B",
            Refused(Syntax),
        ),
        entry(
            "truncated: after a backslash",
            r#"{"errcode":0,"a":"\"#,
            Refused(Syntax),
        ),
        entry(
            "truncated: inside \\u escape",
            r#"{"errcode":0,"a":"\u00"#,
            Refused(Syntax),
        ),
        entry(
            "truncated: inside a string with a raw control character",
            b"{\"errcode\":0,\"a\":\"x\x07y",
            Refused(Syntax),
        ),
        entry(
            "truncated 40099: errcode seen, body cut",
            r#"{"errcode":40099,"errmsg":"code has"#,
            Refused(Syntax),
        ),
        // Other formats.
        entry(
            "HTML page with 200",
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>微信公众平台</title></head><body><p>系统繁忙</p></body></html>",
            Refused(Syntax),
        ),
        entry(
            "nginx 503 page",
            "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
            Refused(Syntax),
        ),
        entry(
            "XML answer",
            "<xml><errcode>0</errcode><errmsg><![CDATA[ok]]></errmsg></xml>",
            Refused(Syntax),
        ),
        entry(
            "XML declaration",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><error><code>-1</code></error>",
            Refused(Syntax),
        ),
        entry("plain text", "Bad Gateway", Refused(Syntax)),
        entry("JSONP", r#"callback({"errcode":0,"errmsg":"ok"});"#, Refused(Syntax)),
        entry(
            "gzip-looking bytes",
            b"\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\x03\xABV*J-.\xC8\xCFO\xB5\x32\xD0Q\x02\x00\x85\x1B\x0A\x8E\x11\x00\x00\x00",
            Refused(Syntax),
        ),
        entry(
            "UTF-16LE JSON",
            b"{\x00\"\x00e\x00r\x00r\x00c\x00o\x00d\x00e\x00\"\x00:\x000\x00}\x00",
            Refused(Syntax),
        ),
        // The byte-order mark: refused, see the module docs.
        entry(
            "BOM + success",
            cat(&[BOM, br#"{"errcode":0,"errmsg":"ok"}"#]),
            Refused(Syntax),
        ),
        entry(
            "BOM + 40099",
            cat(&[BOM, br#"{"errcode":40099,"errmsg":"code has consumed"}"#]),
            Refused(Syntax),
        ),
        entry("BOM alone", BOM, Refused(Syntax)),
        // Not quite JSON.
        entry("two objects", r#"{"errcode":0}{"errcode":1}"#, Refused(Syntax)),
        entry("trailing comma", r#"{"errcode":0,}"#, Refused(Syntax)),
        entry("single quotes", "{'errcode':0}", Refused(Syntax)),
        entry("NaN", r#"{"errcode":NaN}"#, Refused(Syntax)),
        entry("comment", "{/* ok */\"errcode\":0}", Refused(Syntax)),
        entry("unquoted key", "{errcode:0}", Refused(Syntax)),
        // Invalid UTF-8, NUL, surrogates.
        entry(
            "invalid UTF-8 in a value",
            b"{\"errcode\":0,\"openid\":\"o\xFFb\xC3\",\"nickname\":\"\xC0\xAF\xED\xA0\x80\"}",
            Success,
        ),
        entry(
            "invalid UTF-8 in a key",
            b"{\"errcode\":0,\"\xFE\xFFkey\":\"v\",\"card_id\":\"p1\"}",
            Success,
        ),
        entry(
            "invalid UTF-8 outside strings",
            b"{\"errcode\":0}\xFF",
            Refused(Syntax),
        ),
        entry(
            "invalid UTF-8 in an errmsg",
            b"{\"errcode\":40056,\"errmsg\":\"invalid code \xFF\xFE\"}",
            Api(40056),
        ),
        // A lone surrogate escape is not valid JSON text for serde_json: any typed result.
        entry(
            "lone leading surrogate",
            r#"{"errcode":0,"nickname":"\ud800"}"#,
            Typed,
        ),
        entry(
            "lone trailing surrogate",
            r#"{"errcode":0,"nickname":"\udc00x"}"#,
            Typed,
        ),
        entry(
            "leading surrogate then a letter",
            r#"{"errcode":0,"nickname":"\ud83c\u0041"}"#,
            Typed,
        ),
        entry(
            "surrogate pair escape",
            r#"{"errcode":0,"nickname":"\ud83c\udf6d"}"#,
            Success,
        ),
        entry("raw NUL in a string", b"{\"errcode\":0,\"a\":\"x\x00y\"}", Success),
        entry("escaped NUL", r#"{"errcode":0,"a":"x\u0000y"}"#, Success),
        entry("raw NUL after the object", b"{\"errcode\":0}\x00", Refused(Syntax)),
        entry("NUL bytes only", b"\x00\x00\x00", Refused(Syntax)),
        entry(
            "raw control characters in a key",
            b"{\"errcode\":0,\"nick\x01name\":\"\x1F\x7F\"}",
            Success,
        ),
        entry(
            "raw control character after a backslash",
            b"{\"errcode\":0,\"a\":\"x\\\x07\"}",
            Refused(Syntax),
        ),
        entry(
            "escaped backslash before a raw control character",
            b"{\"errcode\":0,\"a\":\"x\\\\\",\"b\":\"\x07\\\"\x0A\"}",
            Success,
        ),
        entry(
            "raw CR LF and TAB everywhere",
            b"{\r\n\t\"errcode\":\t0,\r\n\"errmsg\":\"line1\r\nline2\t\"\r\n}",
            Success,
        ),
        // Depth.
        entry(
            "10 000 [",
            "[".repeat(10_000),
            Refused(Syntax),
        ),
        entry(
            "10 000 [ closed",
            nested("[", "]", 10_000, ""),
            Refused(Syntax),
        ),
        entry(
            "10 000 objects inside card",
            format!(
                r#"{{"errcode":0,"card":{}}}"#,
                nested(r#"{"a":"#, "}", 10_000, "1")
            ),
            Refused(Syntax),
        ),
        entry(
            "100 nested arrays inside card",
            format!(r#"{{"errcode":0,"card":{}}}"#, nested("[", "]", 100, "")),
            Success,
        ),
        // Numbers.
        entry(
            "errcode u64::MAX + 1",
            r#"{"errcode":18446744073709551616}"#,
            Refused(BadErrcode),
        ),
        entry(
            "errcode i64::MAX + 1",
            r#"{"errcode":9223372036854775808}"#,
            Refused(BadErrcode),
        ),
        entry(
            "errcode i64::MIN",
            r#"{"errcode":-9223372036854775808}"#,
            Api(i64::MIN),
        ),
        entry("errcode 1e400", r#"{"errcode":1e400}"#, Refused(Syntax)),
        entry("errcode -0", r#"{"errcode":-0}"#, Refused(BadErrcode)),
        entry("errcode 0.0", r#"{"errcode":0.0}"#, Refused(BadErrcode)),
        entry("errcode 1.5", r#"{"errcode":1.5}"#, Refused(BadErrcode)),
        entry("errcode 4e4", r#"{"errcode":4e4}"#, Refused(BadErrcode)),
        entry(
            "count u64::MAX + 1",
            r#"{"errcode":0,"count":18446744073709551616,"total_num":18446744073709551616}"#,
            Success,
        ),
        entry("count 1e400", r#"{"errcode":0,"count":1e400}"#, Refused(Syntax)),
        entry("count -0", r#"{"errcode":0,"count":-0,"total_num":-0}"#, Success),
        entry(
            "count 1.5 where an integer is expected",
            r#"{"errcode":0,"count":1.5,"total_num":1.5,"expire_seconds":1.5}"#,
            Success,
        ),
        entry(
            "negative where unsigned is expected",
            r#"{"errcode":0,"count":-3,"total_num":-1,"ticket":"t","expire_seconds":-60}"#,
            Success,
        ),
        // errcode of every kind.
        entry("errcode \"40099\"", r#"{"errcode":"40099","errmsg":"code has consumed"}"#, Api(40099)),
        entry("errcode \" 0 \"", r#"{"errcode":" 0 ","errmsg":"ok"}"#, Success),
        entry("errcode \"abc\"", r#"{"errcode":"abc","errmsg":"ok"}"#, Refused(BadErrcode)),
        entry("errcode \"\"", r#"{"errcode":""}"#, Refused(BadErrcode)),
        entry("errcode \"+40099\"", r#"{"errcode":"+40099"}"#, Api(40099)),
        entry("errcode \"0x9c63\"", r#"{"errcode":"0x9c63"}"#, Refused(BadErrcode)),
        entry(
            "errcode in full-width digits",
            r#"{"errcode":"４００９９"}"#,
            Refused(BadErrcode),
        ),
        entry("errcode null", r#"{"errcode":null,"errmsg":"ok"}"#, Success),
        entry("errcode object", r#"{"errcode":{"code":40099}}"#, Refused(BadErrcode)),
        entry("errcode array", r#"{"errcode":[40099]}"#, Refused(BadErrcode)),
        entry("errcode true", r#"{"errcode":true}"#, Refused(BadErrcode)),
        entry("errcode nested only", r#"{"data":{"errcode":40099}}"#, Success),
        // errmsg of every kind.
        entry("errmsg missing", r#"{"errcode":40099}"#, Api(40099)),
        entry("errmsg null", r#"{"errcode":40099,"errmsg":null}"#, Api(40099)),
        entry("errmsg number", r#"{"errcode":40099,"errmsg":404}"#, Api(40099)),
        entry("errmsg object", r#"{"errcode":40099,"errmsg":{"zh":"已核销"}}"#, Api(40099)),
        entry("errmsg only", r#"{"errmsg":"ok"}"#, Success),
        entry(
            "errmsg with emoji, CJK and a raw LF",
            "{\"errcode\":40127,\"errmsg\":\"卡券已删除🎁\nrid: 6645cea6-305a79e0\"}",
            Api(40127),
        ),
        // Duplicate keys: the last one wins.
        entry(
            "duplicate errcode, error first",
            r#"{"errcode":40099,"errcode":0,"card_id":"p1"}"#,
            Success,
        ),
        entry(
            "duplicate errcode, error last",
            r#"{"errcode":0,"errcode":40099}"#,
            Api(40099),
        ),
        entry(
            "duplicate card_id",
            r#"{"errcode":0,"card_id":"p1","card_id":"p2"}"#,
            Success,
        ),
        // Unknown fields everywhere, and known fields of the wrong type.
        entry(
            "unknown fields everywhere",
            r#"{"errcode":0,"errmsg":"ok","x_new":{"deep":[1,{"y":null}]},"card":{"card_id":"pFAKE1","x_card":true,"begin_time":0},"openid":"o1","can_consume":true,"user_card_status":"SOMETHING_NEW","exist_code":[],"not_exist_code":[],"card_id_list":[],"code":"1","ticket":"t","card_id":"p1","count":0,"total_num":0}"#,
            Success,
        ),
        entry("card_id as number", r#"{"errcode":0,"card_id":12345}"#, Success),
        entry("card_id null", r#"{"errcode":0,"card_id":null}"#, Success),
        entry("card as string", r#"{"errcode":0,"card":"pFAKE1"}"#, Success),
        entry(
            "can_consume as \"true\"",
            r#"{"errcode":0,"card":{"card_id":"p1"},"can_consume":"true"}"#,
            Success,
        ),
        entry(
            "user_card_status as number",
            r#"{"errcode":0,"card":{"card_id":"p1"},"user_card_status":1}"#,
            Success,
        ),
        entry(
            "begin_time as string",
            r#"{"errcode":0,"card":{"card_id":"p1","begin_time":"1457452800"}}"#,
            Success,
        ),
        entry(
            "card_id_list as string",
            r#"{"errcode":0,"card_id_list":"p1,p2","total_num":"2"}"#,
            Success,
        ),
        entry(
            "exist_code as object",
            r#"{"errcode":0,"exist_code":{"0":"1"},"not_exist_code":null}"#,
            Success,
        ),
        entry("count as string", r#"{"errcode":"0","count":"3"}"#, Success),
        entry(
            "send_check as 1",
            r#"{"errcode":0,"send_check":1}"#,
            Success,
        ),
        // Found by the `envelope` fuzz target (see `a_snippet_keeps_512_body_bytes_...`).
        entry("fuzz: 171 invalid bytes", [0xFF; 171], Refused(Syntax)),
        entry(
            "fuzz: 45004 with a run of invalid bytes",
            cat(&[
                br#"{"errcode":45004,"#,
                &[0xFF; 200],
                br#""errmsg":"reach max api daily quota limit rid: 6645cea6"}"#,
            ]),
            Refused(Syntax),
        ),
        // Size.
        entry("5 MB card_id", five_mb, Success),
        entry(
            "600-byte HTML page (snippet is cut)",
            format!("<html><body>{}</body></html>", "错".repeat(200)),
            Refused(Syntax),
        ),
    ]
}

/// Every prefix of a compact answer: a body cut off at each byte.
fn truncations(name: &str, full: &[u8]) -> Vec<Entry> {
    (1..full.len())
        .map(|cut| {
            entry(
                format!("{name} cut at byte {cut}"),
                &full[..cut],
                Want::Refused(Fault::Syntax),
            )
        })
        .collect()
}

/// The answers that ship with card-mock: real shapes, any typed result.
fn recorded_entries() -> Vec<Entry> {
    card_mock::recorded::all()
        .filter(|(name, _)| !name.contains(".request."))
        .map(|(name, body)| entry(format!("recorded {name}"), body, Want::Typed))
        .collect()
}

fn corpus() -> Vec<Entry> {
    let mut all = named_entries();
    all.extend(truncations("F03", F03.as_bytes()));
    all.extend(truncations("F02", F02));
    all.extend(recorded_entries());
    all
}

#[test]
fn every_answer_decodes_to_a_typed_result_for_every_type_and_status() {
    let types = all_types();
    assert!(types.len() >= 17, "{} types", types.len());
    let named = named_entries().len();
    assert!(named >= 100, "{named} hand-written entries");

    let corpus = corpus();
    eprintln!(
        "{} answers ({named} hand-written) x {} statuses x {} types",
        corpus.len(),
        STATUSES.len(),
        types.len()
    );
    let mut failures = Vec::new();
    let mut calls = 0;
    for entry in corpus {
        for status in STATUSES {
            let status = StatusCode::from_u16(status).unwrap();
            for (type_name, judge) in &types {
                calls += 1;
                let at = format!(
                    "`{}` at HTTP {} as {type_name}",
                    entry.name,
                    status.as_u16()
                );
                match catch_unwind(AssertUnwindSafe(|| judge(status, &entry.body))) {
                    Err(panic) => failures.push(format!("{at}: PANICKED: {}", panic_text(&panic))),
                    Ok(Err(broken)) => failures.push(format!("{at}: {broken}")),
                    Ok(Ok(outcome)) if !entry.want.admits(status, &outcome) => {
                        failures.push(format!("{at}: got {outcome:?}, want {:?}", entry.want))
                    }
                    Ok(Ok(_)) => {}
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} decodes failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(not a string)".into())
}

fn decode<T: DeserializeOwned>(status: u16, body: impl AsRef<[u8]>) -> Result<T, Error> {
    decode_response::<T>(StatusCode::from_u16(status).unwrap(), body.as_ref())
}

fn decode_fault(err: &Error) -> Option<Fault> {
    match err {
        Error::Decode { source, .. } => Some(match source {
            DecodeError::Empty => Fault::Empty,
            DecodeError::Syntax(_) => Fault::Syntax,
            DecodeError::NotAnObject(_) => Fault::NotAnObject,
            DecodeError::BadErrcode => Fault::BadErrcode,
            DecodeError::Shape(_) => Fault::Shape,
            _ => return None,
        }),
        _ => None,
    }
}

#[test]
fn the_important_entries_give_the_named_error() {
    let fault = |body: &[u8]| decode_fault(&decode::<Value>(200, body).unwrap_err());
    assert_eq!(fault(b""), Some(Fault::Empty));
    assert_eq!(fault(F17_TRUNCATED.as_bytes()), Some(Fault::Syntax));
    assert_eq!(fault(b"[]"), Some(Fault::NotAnObject));
    assert_eq!(fault(br#"{"errcode":"abc"}"#), Some(Fault::BadErrcode));

    match decode::<card_core::CreatedCard>(502, HTML_502).unwrap_err() {
        Error::Http { status, body } => {
            assert_eq!(status, StatusCode::BAD_GATEWAY);
            assert_eq!(body.as_str(), HTML_502);
        }
        other => panic!("{other:?}"),
    }

    let consumed = decode::<card_core::ConsumedCode>(200, r#"{"errcode":"40099","errmsg":"x"}"#);
    assert!(consumed.unwrap_err().is_already_consumed());
}

#[test]
fn f02_control_characters_are_kept_and_emoji_decoded() {
    let map: Map<String, Value> = decode(200, F02).unwrap();
    assert_eq!(map["nickname"], "A\u{7}B🍭\n");
    assert_eq!(map["city"], "\u{8}");
    assert_eq!(map["headimgurl"], "http://wx.qlogo.cn/mmopen/X/0");
    assert_eq!(map["openid"], "oFAKE1");
    assert!(!map.contains_key("errcode") && !map.contains_key("errmsg"));

    // The same answer as a typed result keeps them in `extra`.
    let ack: card_core::Ack = decode(200, F02).unwrap();
    assert_eq!(ack.extra["nickname"], "A\u{7}B🍭\n");
}

#[test]
fn f03_check_consume_false_is_a_typed_state() {
    let info: card_core::CodeInfo = decode(200, F03).unwrap();
    assert_eq!(info.card.card_id, "pFAKE1");
    assert_eq!(info.card.begin_time, Some(0));
    assert_eq!(info.card.end_time, Some(1_700_000_000));
    assert_eq!(info.can_consume, Some(false));
    assert_eq!(
        info.user_card_status,
        Some(card_core::UserCardStatus::Delete)
    );
}

#[test]
fn field_report_errors_are_named_and_keep_their_message() {
    let quota = decode::<card_core::Ack>(
        200,
        r#"{"errcode":45011,"errmsg":"api minute-quota reach limit"}"#,
    )
    .unwrap_err();
    assert!(quota.is_quota());

    let busy = decode::<card_core::CodeInfo>(
        200,
        r#"{"errcode":-1,"errmsg":"system error rid: 60891646-03eed615"}"#,
    )
    .unwrap_err();
    assert!(busy.is_system_busy());
    assert_eq!(busy.api().unwrap().rid(), Some("60891646-03eed615"));

    let ip = decode::<card_core::Ack>(
        502,
        r#"{"errcode":40164,"errmsg":"invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist"}"#,
    )
    .unwrap_err();
    assert!(ip.is_ip_not_whitelisted());
    assert!(ip.api().unwrap().message.contains("203.0.113.7"));
}

#[test]
fn bom_prefixed_json() {
    // Refused with a typed error rather than guessed at: see the module docs.
    let body = cat(&[BOM, br#"{"errcode":0,"errmsg":"ok","card_id":"p1"}"#]);
    let err = decode::<card_core::CreatedCard>(200, &body).unwrap_err();
    assert_eq!(decode_fault(&err), Some(Fault::Syntax), "{err:?}");
    let err = decode::<card_core::CreatedCard>(500, &body).unwrap_err();
    assert!(matches!(err, Error::Http { .. }), "{err:?}");
}

#[test]
fn invalid_utf8_and_nul_are_kept_lossily() {
    let map: Map<String, Value> = decode(
        200,
        b"{\"errcode\":0,\"openid\":\"o\xFFb\",\"\xFEk\":\"x\x00y\"}",
    )
    .unwrap();
    assert_eq!(map["openid"], "o\u{FFFD}b");
    assert_eq!(map["\u{FFFD}k"], "x\u{0}y");
}

#[test]
fn deep_nesting_is_a_typed_error_not_a_stack_overflow() {
    for body in [
        "[".repeat(10_000),
        nested("[", "]", 100_000, ""),
        nested(r#"{"a":"#, "}", 10_000, "0"),
    ] {
        let err = decode::<Value>(200, &body).unwrap_err();
        assert_eq!(decode_fault(&err), Some(Fault::Syntax), "{err}");
    }
}

#[test]
fn a_five_megabyte_answer_decodes() {
    let id = format!("p{}", "A".repeat(5 * 1024 * 1024));
    let body = json!({"errcode": 0, "errmsg": "ok", "card_id": id}).to_string();
    let created: card_core::CreatedCard = decode(200, &body).unwrap();
    assert_eq!(created.card_id, id);
    match decode::<card_core::CreatedCard>(502, &body).unwrap_err() {
        Error::Http { body, .. } => assert!(body.is_truncated() && body.as_str().len() <= 512),
        other => panic!("{other:?}"),
    }
}

#[test]
fn wrong_types_are_shape_errors_for_the_type_that_cares() {
    let body = r#"{"errcode":0,"card":{"card_id":"p1"},"can_consume":"true"}"#;
    let err = decode::<card_core::CodeInfo>(200, body).unwrap_err();
    assert_eq!(decode_fault(&err), Some(Fault::Shape), "{err}");
    // A type that does not read the field keeps it as sent.
    let ack: card_core::Ack = decode(200, body).unwrap();
    assert_eq!(ack.extra["can_consume"], "true");

    let err = decode::<card_core::CreatedCard>(200, r#"{"errcode":0,"card_id":12345}"#);
    assert_eq!(decode_fault(&err.unwrap_err()), Some(Fault::Shape));
    // `card` of `card/get` is a typed card document: a string where the object belongs is a
    // shape error, not a panic and not a silently empty card.
    let err = decode::<card_core::CardDocument>(200, r#"{"errcode":0,"card":"pFAKE1"}"#);
    assert_eq!(decode_fault(&err.unwrap_err()), Some(Fault::Shape));
}

#[test]
fn a_snippet_keeps_512_body_bytes_not_512_text_bytes() {
    // Found by the `envelope` fuzz target, whose first version asserted that a snippet's text is
    // at most BODY_SNIPPET_LIMIT bytes. It is not: the snippet is the first LIMIT bytes *of the
    // body*, decoded lossily, and each invalid byte becomes U+FFFD, three bytes of text. That is
    // what `BodySnippet` documents, so this pins it; the text is still bounded, at 3 x LIMIT.
    let err = decode::<Value>(200, [0xFF; 171]).unwrap_err();
    let Error::Decode { body: snippet, .. } = err else {
        panic!("{err:?}")
    };
    assert!(!snippet.is_truncated());
    assert_eq!(snippet.as_str(), "\u{FFFD}".repeat(171));
    assert_eq!(snippet.as_str().len(), 513);

    let err = decode::<Value>(502, [0xFF; 4096]).unwrap_err();
    let Error::Http { body: snippet, .. } = err else {
        panic!("{err:?}")
    };
    assert!(snippet.is_truncated());
    assert!(snippet.as_str().len() > BODY_SNIPPET_LIMIT);
    assert!(snippet.as_str().len() <= 3 * BODY_SNIPPET_LIMIT);
}
