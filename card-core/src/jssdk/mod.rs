//! JS-SDK card helpers: the card `api_ticket`, and the signed parameters of `wx.addCard`
//! ([`CardExt`]) and `wx.chooseCard` ([`ChooseCardSign`]).
//!
//! The card signatures are not the JS-SDK's `wx.config` signature: they sign the card
//! `api_ticket` (`type=wx_card`), never the `jsapi_ticket`, with the values sorted byte-wise
//! and joined with nothing (see [`crate::sign`]). Each helper is one immutable value that
//! produces both its signature and the JSON handed to the page, so the two cannot disagree.
//!
//! ```
//! use card_core::jssdk::CardExt;
//!
//! // Golden vector of wechatpy's JS-SDK tests.
//! let ext = CardExt::builder("random_card_id")
//!     .timestamp(1414587457)
//!     .nonce_str("Wm3WZYTPz0wzccnW")
//!     .sign("sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg");
//! assert_eq!(ext.signature(), "22dce6bad4db532d4a2ef82ca2ca7bbe1e10ef28");
//! assert_eq!(
//!     ext.to_json(),
//!     r#"{"signature":"22dce6bad4db532d4a2ef82ca2ca7bbe1e10ef28","timestamp":"1414587457","nonce_str":"Wm3WZYTPz0wzccnW"}"#
//! );
//! ```

mod card_ext;
mod choose_card;
mod ticket;

pub use card_ext::{CardExt, CardExtBuilder};
pub use choose_card::{ChooseCardSign, ChooseCardSignBuilder};
pub(crate) use ticket::TicketCaches;
pub use ticket::TicketKind;

/// Now, in Unix seconds, for signatures built without an explicit timestamp.
fn now_unix() -> u64 {
    use crate::clock::{Clock, SystemClock};
    SystemClock.now_unix()
}

/// `Some` unless empty: an empty value is the same as none, in the JSON and the signature.
fn non_empty(value: impl Into<String>) -> Option<String> {
    Some(value.into()).filter(|v| !v.is_empty())
}
