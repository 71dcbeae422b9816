//! `decode_envelope` on any body with any of a spread of HTTP statuses. The first byte picks the
//! status (mostly 200, where the most code runs); the rest is the body.
#![no_main]

use card_core::codec::decode_envelope;
use card_core::error::BODY_SNIPPET_LIMIT;
use card_core::{BodySnippet, Error};
use http::StatusCode;
use libfuzzer_sys::fuzz_target;

const OTHER_STATUSES: [u16; 16] = [
    100, 201, 204, 301, 304, 400, 401, 403, 404, 429, 500, 502, 503, 504, 599, 999,
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, body)) = data.split_first() else {
        return;
    };
    let status = match first {
        0..=127 => 200,
        b => OTHER_STATUSES[usize::from(b) % OTHER_STATUSES.len()],
    };
    let status = StatusCode::from_u16(status).unwrap();
    match decode_envelope(status, body) {
        Ok(_) => assert!(status.is_success(), "Ok for HTTP {status}"),
        Err(Error::Http {
            status: got,
            body: snippet,
        }) => {
            assert_eq!(got, status);
            assert!(!status.is_success());
            check_snippet(body, &snippet);
        }
        Err(Error::Decode { body: snippet, .. }) => {
            assert!(status.is_success(), "Decode error for HTTP {status}");
            check_snippet(body, &snippet);
        }
        Err(Error::Api(api)) => assert_ne!(api.code, 0),
        Err(other) => panic!("a decoder cannot produce {other:?}"),
    }
});

/// `BodySnippet`'s documented contract: the first `BODY_SNIPPET_LIMIT` bytes of the body,
/// lossily decoded, less the U+FFFD of a character the cut split. The text itself can be longer
/// than the limit: each invalid byte becomes the three bytes of U+FFFD.
fn check_snippet(body: &[u8], snippet: &BodySnippet) {
    let cut = body.len().min(BODY_SNIPPET_LIMIT);
    let lossy = String::from_utf8_lossy(&body[..cut]);
    let text = snippet.as_str();
    let cut_char = snippet.is_truncated() && lossy.strip_suffix('\u{FFFD}') == Some(text);
    assert!(text == lossy || cut_char, "snippet {text:?} of {lossy:?}");
    assert_eq!(snippet.is_truncated(), body.len() > BODY_SNIPPET_LIMIT);
    assert!(text.len() <= 3 * BODY_SNIPPET_LIMIT);
}
