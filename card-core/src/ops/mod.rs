//! The operations, one request type each, grouped by subject. Each module also adds the
//! wechatpy-named convenience methods to [`CardClient`](crate::CardClient).

pub mod card;
pub mod code;
pub mod color;
pub mod distribution;
pub mod location;
pub mod luckymoney;
pub mod member;
pub mod paycell;
pub mod paygift;
pub mod qrcode;
pub mod redemption;

use crate::error::{Error, Result};

/// Refuse an empty identifier (a code, a card id) before anything is sent: WeChat would only
/// answer with an unhelpful "invalid" error.
pub(crate) fn require(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_argument(field, "must not be empty"));
    }
    Ok(())
}
pub mod redirect;
pub mod ticket;
pub mod user;
pub mod whitelist;
