//! `decode_response::<CardDocument>`: the answer of `card/get`, an arbitrary card document.
#![no_main]

use card_core::codec::decode_response;
use card_core::CardDocument;
use http::StatusCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(doc) = decode_response::<CardDocument>(StatusCode::OK, body) {
        let _ = serde_json::to_vec(&doc).unwrap();
    }
});
