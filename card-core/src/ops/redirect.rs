//! The signed redirect from a card's custom page link to the merchant's page.

use crate::client::CardClient;
use crate::error::{Error, Result};
use crate::sign::sign_values;
use crate::url::percent_encode_into;

/// `url` with `encrypt_code`, `card_id` and `signature` appended as query parameters:
/// values percent-encoded, joined with `&` when `url` already has a query, and placed before
/// any `#fragment`.
pub fn redirect_url(url: &str, encrypt_code: &str, card_id: &str, signature: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let mut out = String::with_capacity(url.len() + encrypt_code.len() + card_id.len() + 80);
    out.push_str(base);
    if !base.contains('?') {
        out.push('?');
    } else if !base.ends_with(['?', '&']) {
        out.push('&');
    }
    for (i, (key, value)) in [
        ("encrypt_code", encrypt_code),
        ("card_id", card_id),
        ("signature", signature),
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            out.push('&');
        }
        out.push_str(key);
        out.push('=');
        percent_encode_into(&mut out, value);
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

impl CardClient {
    /// Decrypt `encrypt_code` (`card/code/decrypt`) and build the signed link to `url`:
    /// `url?encrypt_code=..&card_id=..&signature=..`, where `signature` is the SHA-1 of the
    /// AppSecret, the decrypted code and `card_id`, sorted byte-wise.
    ///
    /// Differs from wechatpy, which pastes the values in raw and always appends `?`: the values
    /// are percent-encoded (an `encrypt_code` is base64, with `+`, `/` and `=`), an `url` that
    /// already has a query gets `&`, and a `#fragment` stays at the end.
    ///
    /// Needs the AppSecret: a client built without [`credentials`](crate::ClientBuilder::credentials)
    /// gets [`Error::InvalidArgument`] for `secret`, before anything is sent.
    pub async fn get_redirect_url(
        &self,
        url: &str,
        encrypt_code: &str,
        card_id: &str,
    ) -> Result<String> {
        let secret = self.secret().cloned().ok_or_else(|| {
            Error::invalid_argument(
                "secret",
                "get_redirect_url signs with the AppSecret; build the client with credentials",
            )
        })?;
        let code = self.decrypt_code(encrypt_code).await?;
        let signature = sign_values([secret.expose(), code.as_str(), card_id]);
        Ok(redirect_url(url, encrypt_code, card_id, &signature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_encoded_and_an_existing_query_is_extended() {
        assert_eq!(
            redirect_url("https://example.com/page", "ENC+/=", "C", "S"),
            "https://example.com/page?encrypt_code=ENC%2B%2F%3D&card_id=C&signature=S"
        );
        assert_eq!(
            redirect_url("https://example.com/page?from=card", "E", "C", "S"),
            "https://example.com/page?from=card&encrypt_code=E&card_id=C&signature=S"
        );
        assert_eq!(
            redirect_url("https://example.com/page?", "E", "C", "S"),
            "https://example.com/page?encrypt_code=E&card_id=C&signature=S"
        );
        assert_eq!(
            redirect_url("https://example.com/#/shop?x=1", "E", "C", "S"),
            "https://example.com/?encrypt_code=E&card_id=C&signature=S#/shop?x=1"
        );
    }

    #[test]
    fn signs_secret_code_and_card_sorted() {
        // The spec's vector (secret "secret", decrypted "DECODED", card "C").
        assert_eq!(
            sign_values(["secret", "DECODED", "C"]),
            "c868b7600bd39a34b1e5b5c8b5c38b5bb0d1d3d9"
        );
    }
}
