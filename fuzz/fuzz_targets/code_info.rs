//! `decode_response::<CodeInfo>`: the answer of `card/code/get`, the largest typed answer
//! (nested card, optional fields, an enum that keeps unknown values).
#![no_main]

use card_core::codec::decode_response;
use card_core::CodeInfo;
use http::StatusCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(info) = decode_response::<CodeInfo>(StatusCode::OK, body) {
        // A decoded answer must also be usable: re-encode it and judge the redemption.
        let _ = serde_json::to_vec(&info).unwrap();
        let _ = card_core::Redemption::from_code_info(info);
    }
});
