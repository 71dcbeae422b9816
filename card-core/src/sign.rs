//! WeChat's card signatures: SHA-1 over the *values* (never the keys), sorted byte-wise and
//! joined with nothing; and the random `nonce_str` that goes with them.
//!
//! One rule serves every card signature: the `card_ext` of `wx.addCard`, the `cardSign` of
//! `wx.chooseCard` and the redirect URL of `get_redirect_url`. Empty values are left out, which
//! signs the same bytes as including them (they add nothing to the joined string).
//!
//! ```
//! // wechatpy's `WeChatSigner` vector: "789", "456", "123" sign as sha1("123456789").
//! assert_eq!(
//!     card_core::sign::sign_values(["789", "456", "123"]),
//!     "f7c3bc1d808e04732adf679965ccc34ca7ae3441"
//! );
//! ```

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Length of a generated `nonce_str`.
pub const NONCE_LEN: usize = 16;

const NONCE_ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The lowercase hex SHA-1 of `values` sorted byte-wise and concatenated; empty values are
/// left out.
pub fn sign_values<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let mut values: Vec<&str> = values.into_iter().filter(|v| !v.is_empty()).collect();
    // `str` orders by its UTF-8 bytes: exactly the byte-wise order WeChat specifies.
    values.sort_unstable();
    let mut sha1 = sha1_smol::Sha1::new();
    for value in values {
        sha1.update(value.as_bytes());
    }
    sha1.digest().to_string()
}

/// A fresh `nonce_str`: [`NONCE_LEN`] characters from `[A-Za-z0-9]`.
///
/// WeChat needs the nonce to differ between requests and to be unguessable by a third party;
/// it is not a key (the api_ticket is). Randomness comes from std's `RandomState`, whose keys
/// are seeded from the operating system's generator, hashing a process-wide counter and the
/// clock; this keeps card-core free of a random-number dependency.
pub fn nonce_str() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let word = |salt: u64| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(salt);
        hasher.write_u64(count);
        hasher.write_u128(nanos);
        hasher.finish()
    };
    // 128 random bits cover 16 characters of log2(62) ≈ 5.95 bits each.
    let mut bits = (u128::from(word(0)) << 64) | u128::from(word(1));
    let mut out = String::with_capacity(NONCE_LEN);
    for _ in 0..NONCE_LEN {
        out.push(char::from(NONCE_ALPHABET[(bits % 62) as usize]));
        bits /= 62;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn sorts_values_not_keys() {
        // F04: api_ticket, timestamp, nonce and card_id sorted as values, joined with nothing.
        // Expected value computed independently (Python hashlib over
        // "1404896688Abc123FAKE_TICKET_zpFAKE_CARD_1").
        assert_eq!(
            sign_values(["FAKE_TICKET_z", "1404896688", "Abc123", "pFAKE_CARD_1"]),
            "f4aaaed88d6e8c8f0483a3eecbaf97eed612a6bd"
        );
        // Order of the input does not matter; empty values change nothing.
        assert_eq!(
            sign_values(["pFAKE_CARD_1", "", "Abc123", "1404896688", "FAKE_TICKET_z"]),
            "f4aaaed88d6e8c8f0483a3eecbaf97eed612a6bd"
        );
    }

    #[test]
    fn byte_order_puts_digits_then_upper_then_lower_case() {
        assert_eq!(
            sign_values(["b", "B", "1"]),
            sign_values(["1Bb"]),
            "sorted as bytes: '1' < 'B' < 'b'"
        );
    }

    #[test]
    fn nonces_have_the_documented_shape_and_do_not_repeat() {
        let nonces: HashSet<String> = (0..2000).map(|_| nonce_str()).collect();
        assert_eq!(nonces.len(), 2000);
        for nonce in &nonces {
            assert_eq!(nonce.len(), NONCE_LEN);
            assert!(nonce.bytes().all(|b| b.is_ascii_alphanumeric()), "{nonce}");
        }
    }
}
