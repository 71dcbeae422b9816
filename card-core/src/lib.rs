//! WeChat Official Account Card & Offer (卡券) API over a pluggable [`Transport`].
//!
//! `card-core` holds every operation and knows no HTTP library or async runtime. Plug in
//! `card-hyper`'s `HyperTransport` for production, `card-mock`'s `MockTransport` for unit tests,
//! or your own HTTP stack by implementing [`Transport`] (or wrapping a closure with
//! [`transport_fn`]).
//!
//! ```
//! use card_core::{CardClient, FixedToken};
//!
//! # async fn run() -> Result<(), card_core::Error> {
//! let transport = card_core::transport_fn(|request: card_core::HttpRequest| async move {
//!     assert_eq!(request.uri().path(), "/card/code/consume");
//!     let answer = br#"{"errcode":0,"errmsg":"ok","card":{"card_id":"pFAKE"},"openid":"oFAKE"}"#;
//!     Ok(http::Response::new(bytes::Bytes::from_static(answer)))
//! });
//! let client = CardClient::builder(transport)
//!     .access_token_provider(FixedToken::new("TOKEN"))
//!     .build()?;
//! let consumed = client.consume_code("111122223333", None).await?;
//! assert_eq!(consumed.openid.as_deref(), Some("oFAKE"));
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(run()).unwrap();
//! ```
#![deny(missing_docs)]

pub mod card;
pub mod client;
pub mod clock;
pub mod codec;
pub mod error;
pub mod jssdk;
pub mod model;
pub mod operation;
pub mod ops;
pub mod retry;
pub mod secret;
pub mod sign;
pub mod sleep;
pub mod token;
pub mod transport;
pub mod url;
mod wire_enum;

pub use card::{
    Abstract, AdvancedInfo, BaseInfo, BaseInfoBuilder, BaseInfoUpdate, BizService, BoardingPass,
    BoardingPassUpdate, BonusRule, BusTicket, BusinessServices, Card, CardBody, CardType,
    CardUpdate, Cash, CodeType, Color, CustomCell, CustomField, DateInfo, Discount, FieldNameType,
    GeneralCard, GeneralCoupon, GetCustomCodeMode, Gift, GiftCardInfo, Groupon, MeetingTicket,
    MeetingTicketUpdate, MemberCard, MemberCardUpdate, MovieTicket, MovieTicketUpdate, PayInfo,
    RawCardBody, ScenicTicket, ScenicTicketUpdate, Sku, SubCardType, SwipeCard, TextImage,
    TimeLimit, TimeLimitType, UpdateFields, UseCondition,
};
pub use client::{CardClient, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES};
pub use error::{ApiError, ApiErrorKind, BodySnippet, DecodeError, Error, Result};
pub use jssdk::{CardExt, ChooseCardSign, TicketKind};
pub use model::{Ack, CardStatus, UserCardStatus};
pub use operation::Operation;
pub use ops::card::*;
pub use ops::code::*;
pub use ops::color::*;
pub use ops::distribution::*;
pub use ops::location::*;
pub use ops::luckymoney::*;
pub use ops::member::*;
pub use ops::paycell::*;
pub use ops::paygift::*;
pub use ops::qrcode::*;
pub use ops::redemption::Redemption;
pub use ops::redirect::*;
pub use ops::ticket::*;
pub use ops::user::*;
pub use ops::whitelist::*;
pub use retry::{CallOptions, FailureClass, RetryPolicy};
pub use secret::Secret;
pub use token::{
    AccessTokenProvider, FixedToken, MemoryTokenStore, TokenEndpoint, TokenSource, TokenStore,
};
pub use transport::{
    transport_fn, BoxError, FnTransport, HttpRequest, HttpResponse, Transport, TransportError,
    TransportErrorKind,
};
