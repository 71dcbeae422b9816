//! Properties of the answer decoder and the request encoder, checked on generated inputs.
//!
//! - Any bytes, with any HTTP status, give `parse_lenient` / `decode_envelope` / `decode_response`
//!   a typed result and no panic; the status rules hold (`Ok` only on a 2xx, `Http` only
//!   otherwise, `Decode` only on a 2xx).
//! - A JSON object written the way WeChat writes user text (raw control characters inside
//!   strings, raw emoji, `\/`, invalid UTF-8 such as encoded surrogates) decodes to the same
//!   strings, with the invalid bytes replaced by U+FFFD exactly as `String::from_utf8_lossy` does.
//! - Any string survives `encode_json` → `parse_lenient`, and the encoded bytes carry every
//!   non-ASCII character as raw UTF-8 (a `\u` escape only ever stands for a control character).

use bytes::Bytes;
use card_core::codec::{decode_envelope, decode_response, encode_json, parse_lenient};
use card_core::Error;
use http::StatusCode;
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

// ---- generators -----------------------------------------------------------------------------

/// Characters WeChat answers are made of, weighted towards the awkward ones.
fn wechat_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'z'),
        3 => proptest::char::range('\u{0}', '\u{1f}'),
        1 => Just('"'),
        1 => Just('\\'),
        1 => Just('/'),
        2 => prop::sample::select(vec![
            '🍭', '🎁', '😀', '团', '购', '券', 'é', '\u{7f}', '\u{85}',
            '\u{2028}', '\u{feff}', '\u{fffd}', '\u{10ffff}',
        ]),
        2 => any::<char>(),
    ]
}

fn wechat_string() -> impl Strategy<Value = String> {
    vec(wechat_char(), 0..24).prop_map(String::from_iter)
}

/// Byte sequences that are not UTF-8, of the kinds a careless upstream produces: surrogates
/// encoded as UTF-8 (CESU-8 / WTF-8), an emoji cut in half, stray and overlong bytes.
const BAD_BYTES: &[&[u8]] = &[
    b"\xED\xA0\x80",             // U+D800, a lone leading surrogate
    b"\xED\xBF\xBF",             // U+DFFF, a lone trailing surrogate
    b"\xED\xA0\xBD\xED\xB8\x80", // 😀 as a CESU-8 surrogate pair
    b"\xF0\x9F",                 // the first half of an emoji
    b"\x80",                     // a stray continuation byte
    b"\xC0\xAF",                 // an overlong '/'
    b"\xFF",                     // never valid
    b"\xF4\x90\x80\x80",         // above U+10FFFF
];

/// One piece of a string on the wire: a character, or bytes that are not UTF-8.
#[derive(Debug, Clone)]
enum Piece {
    Char(char),
    Bad(&'static [u8]),
}

fn wire_string() -> impl Strategy<Value = Vec<Piece>> {
    vec(
        prop_oneof![
            6 => wechat_char().prop_map(Piece::Char),
            1 => prop::sample::select(BAD_BYTES).prop_map(Piece::Bad),
        ],
        0..24,
    )
}

/// A JSON tree as WeChat might put it on the wire.
#[derive(Debug, Clone)]
enum Wire {
    Lit(Value),
    Str(Vec<Piece>),
    Arr(Vec<Wire>),
    Obj(Vec<(String, Wire)>),
}

fn wire_tree() -> impl Strategy<Value = Wire> {
    let leaf = prop_oneof![
        Just(Wire::Lit(Value::Null)),
        any::<bool>().prop_map(|b| Wire::Lit(b.into())),
        any::<i64>().prop_map(|n| Wire::Lit(n.into())),
        any::<u64>().prop_map(|n| Wire::Lit(n.into())),
        wire_string().prop_map(Wire::Str),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Wire::Arr),
            vec((wechat_string(), inner), 0..6).prop_map(Wire::Obj),
        ]
    })
}

fn wire_object() -> impl Strategy<Value = Vec<(String, Wire)>> {
    vec((wechat_string(), wire_tree()), 0..8)
}

/// Write a string the way WeChat does: only `"` and `\` escaped, `/` as `\/`, control
/// characters and everything else raw.
fn write_wire_str(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'/' => out.extend_from_slice(b"\\/"),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

fn piece_bytes(pieces: &[Piece]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Char(c) => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            Piece::Bad(b) => bytes.extend_from_slice(b),
        }
    }
    bytes
}

fn write_wire(tree: &Wire, out: &mut Vec<u8>) {
    match tree {
        Wire::Lit(v) => out.extend_from_slice(v.to_string().as_bytes()),
        Wire::Str(pieces) => write_wire_str(&piece_bytes(pieces), out),
        Wire::Arr(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_wire(item, out);
            }
            out.push(b']');
        }
        Wire::Obj(fields) => write_wire_object(fields, out),
    }
}

fn write_wire_object(fields: &[(String, Wire)], out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_wire_str(key.as_bytes(), out);
        out.push(b':');
        write_wire(value, out);
    }
    out.push(b'}');
}

/// What the wire tree must decode to: invalid UTF-8 replaced as `from_utf8_lossy` does, and
/// a repeated key keeping its last value (as `serde_json::Value` does).
fn expected(tree: &Wire) -> Value {
    match tree {
        Wire::Lit(v) => v.clone(),
        Wire::Str(pieces) => Value::String(String::from_utf8_lossy(&piece_bytes(pieces)).into()),
        Wire::Arr(items) => Value::Array(items.iter().map(expected).collect()),
        Wire::Obj(fields) => Value::Object(expected_object(fields)),
    }
}

fn expected_object(fields: &[(String, Wire)]) -> Map<String, Value> {
    let mut map = Map::new();
    for (key, value) in fields {
        map.insert(key.clone(), expected(value));
    }
    map
}

fn any_status() -> impl Strategy<Value = StatusCode> {
    (100u16..1000).prop_map(|s| StatusCode::from_u16(s).unwrap())
}

/// A mostly-JSON body: an encoded wire object with some bytes replaced, inserted or removed.
fn mangled_body() -> impl Strategy<Value = Vec<u8>> {
    (
        wire_object(),
        vec((any::<usize>(), any::<u8>(), 0u8..3), 0..6),
    )
        .prop_map(|(fields, edits)| {
            let mut body = Vec::new();
            write_wire_object(&fields, &mut body);
            for (at, byte, op) in edits {
                let at = at % (body.len() + 1);
                match op {
                    0 if at < body.len() => body[at] = byte,
                    1 => body.insert(at, byte),
                    _ if at < body.len() => {
                        body.remove(at);
                    }
                    _ => {}
                }
            }
            body
        })
}

// ---- checks -----------------------------------------------------------------------------------

/// The status rules every envelope result obeys.
fn check_status_rules<T>(status: StatusCode, result: &Result<T, Error>) -> Result<(), String> {
    match result {
        Ok(_) if !status.is_success() => Err(format!("Ok for HTTP {status}")),
        Err(Error::Http { status: got, .. }) if *got != status || status.is_success() => {
            Err(format!("Http {{ {got} }} for HTTP {status}"))
        }
        Err(Error::Decode { source, .. }) if !status.is_success() => {
            Err(format!("Decode ({source}) for HTTP {status}"))
        }
        Err(Error::Api(api)) if api.code == 0 => Err("Api error with errcode 0".into()),
        Err(Error::Transport(_) | Error::InvalidArgument { .. }) => {
            Err("a decoder returned a non-decoder error".into())
        }
        _ => Ok(()),
    }
}

/// Decode `body` as each of several response types; none may panic and each obeys the rules.
fn decode_as_every_type(status: StatusCode, body: &[u8]) -> Result<(), String> {
    macro_rules! each {
        ($($t:ty),+) => {$(
            check_status_rules(status, &decode_response::<$t>(status, body))
                .map_err(|e| format!("{}: {e}", stringify!($t)))?;
        )+};
    }
    each!(
        card_core::Ack,
        card_core::CreatedCard,
        card_core::CardDocument,
        card_core::CardIdPage,
        card_core::DepositCount,
        card_core::CheckedCodes,
        card_core::CodeInfo,
        card_core::ConsumedCode,
        card_core::DecryptedCode,
        card_core::QrCode,
        card_core::UpdatedCard,
        Value
    );
    Ok(())
}

/// Every `\u` escape in `text` stands for a control character.
fn escapes_only_controls(text: &str) -> bool {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            continue;
        }
        if chars.next() == Some('u') {
            let hex: String = chars.by_ref().take(4).collect();
            match u32::from_str_radix(&hex, 16) {
                Ok(n) if n < 0x20 => {}
                _ => return false,
            }
        }
    }
    true
}

fn non_ascii(text: &str) -> String {
    text.chars().filter(|c| !c.is_ascii()).collect()
}

// ---- properties -------------------------------------------------------------------------------

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(body in vec(any::<u8>(), 0..512), status in any_status()) {
        let _ = parse_lenient(&body);
        let envelope = decode_envelope(status, &body);
        prop_assert!(check_status_rules(status, &envelope).is_ok(), "{:?}", envelope);
        prop_assert_eq!(decode_as_every_type(status, &body), Ok(()));
    }

    #[test]
    fn mangled_json_never_panics(body in mangled_body(), status in any_status()) {
        let _ = parse_lenient(&body);
        let envelope = decode_envelope(status, &body);
        prop_assert!(check_status_rules(status, &envelope).is_ok(), "{:?}", envelope);
        prop_assert_eq!(decode_as_every_type(status, &body), Ok(()));
    }

    #[test]
    fn wechat_style_strings_decode_to_the_same_strings(fields in wire_object()) {
        let mut body = Vec::new();
        write_wire_object(&fields, &mut body);
        let want = Value::Object(expected_object(&fields));
        prop_assert_eq!(parse_lenient(&body).map_err(|e| e.to_string()), Ok(want.clone()));

        // The same object inside a success envelope: the envelope keys go, the rest stays.
        let mut enveloped = br#"{"errcode":0,"errmsg":"ok","#.to_vec();
        enveloped.extend_from_slice(&body[1..]);
        if fields.is_empty() {
            enveloped = br#"{"errcode":0,"errmsg":"ok"}"#.to_vec();
        }
        let mut want = want.as_object().cloned().unwrap_or_default();
        want.shift_remove("errcode");
        want.shift_remove("errmsg");
        let got = decode_envelope(StatusCode::OK, &enveloped);
        // A generated key equal to "errcode" or "errmsg" would overwrite the envelope's.
        let overwrites = fields.iter().any(|(k, _)| k == "errcode" || k == "errmsg");
        if !overwrites {
            prop_assert_eq!(got.map_err(|e| e.to_string()), Ok(want));
        }
        prop_assert_eq!(decode_as_every_type(StatusCode::OK, &body), Ok(()));
    }

    #[test]
    fn any_string_round_trips_as_raw_utf8(s in vec(prop_oneof![
        3 => any::<char>(),
        1 => wechat_char(),
    ], 0..64).prop_map(String::from_iter)) {
        let body: Bytes = encode_json(&json!({ "s": s })).unwrap();
        let text = std::str::from_utf8(&body).unwrap();
        // Every non-ASCII character is on the wire as itself, in order, none escaped ...
        prop_assert_eq!(non_ascii(text), non_ascii(&s));
        for c in s.chars().filter(|c| !c.is_ascii()) {
            let utf8 = c.encode_utf8(&mut [0; 4]).as_bytes().to_vec();
            prop_assert!(body.windows(utf8.len()).any(|w| w == utf8.as_slice()));
        }
        // ... and `\u` escapes stand only for control characters.
        prop_assert!(escapes_only_controls(text), "{}", text);
        // The decoder gives the string back.
        let value = parse_lenient(&body).map_err(|e| e.to_string());
        prop_assert_eq!(value, Ok(json!({ "s": s })));
    }
}
