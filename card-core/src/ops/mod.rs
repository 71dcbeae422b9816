//! The operations, one request type each, grouped by subject. Each module also adds the
//! wechatpy-named convenience methods to [`CardClient`](crate::CardClient).

pub mod card;
pub mod code;
pub mod qrcode;
pub mod redemption;
