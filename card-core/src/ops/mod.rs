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
pub mod redirect;
pub mod ticket;
pub mod user;
pub mod whitelist;
