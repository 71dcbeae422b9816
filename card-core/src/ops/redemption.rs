//! Settling an uncertain redemption without risking a second one.
//!
//! `card/code/consume` is not idempotent. When it fails ambiguously (a timeout or connection
//! reset after sending, a 5xx, `-1` system busy; [`Error::is_ambiguous`](crate::Error::is_ambiguous)),
//! WeChat may or may not have redeemed the code. Retrying blindly can redeem it twice; reporting
//! failure can tell a cashier "not redeemed" about a redeemed code. Instead, ask:
//!
//! ```
//! # async fn till(client: card_core::CardClient) -> Result<(), card_core::Error> {
//! use card_core::Redemption;
//!
//! match client.consume_code("110201201245", None).await {
//!     Ok(_) => println!("redeemed"),
//!     Err(e) if e.is_already_consumed() => println!("this code was already used"),
//!     Err(e) if e.is_ambiguous() => match client.reconcile_consume("110201201245", None).await? {
//!         Redemption::Consumed(_) => println!("redeemed (possibly by the call that timed out)"),
//!         Redemption::Usable(_) => println!("not redeemed: safe to try once more"),
//!         Redemption::Unavailable(info) => println!("cannot be redeemed: {:?}", info.user_card_status),
//!         Redemption::Undetermined(_) => println!("unclear: check the code by hand"),
//!     },
//!     Err(e) => return Err(e),
//! }
//! # Ok(()) }
//! ```

use crate::client::CardClient;
use crate::error::Result;
use crate::model::UserCardStatus;
use crate::ops::code::{CodeInfo, GetCode};

/// What a code's current state says about a redemption whose outcome was unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum Redemption {
    /// The code is consumed: redeemed, possibly by the call whose outcome was unknown.
    /// Do not redeem again.
    Consumed(CodeInfo),
    /// The code is still usable: the uncertain call did not redeem it, and one more
    /// `consume_code` is safe.
    Usable(CodeInfo),
    /// The code is in another known state (expired, deleted, being gifted, made unavailable):
    /// it was not redeemed and cannot be.
    Unavailable(CodeInfo),
    /// WeChat's answer does not settle it (a state this version does not know, or no state
    /// at all while the code cannot be redeemed): check by hand before telling the customer.
    Undetermined(CodeInfo),
}

impl Redemption {
    /// Judge a code's state.
    pub fn from_code_info(info: CodeInfo) -> Self {
        match (&info.user_card_status, info.can_consume) {
            (Some(UserCardStatus::Consumed), _) => Self::Consumed(info),
            (Some(UserCardStatus::Normal) | None, Some(true))
            | (Some(UserCardStatus::Normal), None) => Self::Usable(info),
            (Some(UserCardStatus::Other(_)) | None, _) => Self::Undetermined(info),
            _ => Self::Unavailable(info),
        }
    }

    /// The code's state as WeChat reported it.
    pub fn code_info(&self) -> &CodeInfo {
        match self {
            Self::Consumed(info)
            | Self::Usable(info)
            | Self::Unavailable(info)
            | Self::Undetermined(info) => info,
        }
    }
}

impl CardClient {
    /// After an ambiguous `consume_code` failure, find out whether the code is now consumed,
    /// still usable, or in another state, by asking `card/code/get` with
    /// `check_consume: false` (so a consumed or deleted code is answered with its state rather
    /// than an error). The query is a read and is retried under the client's policy.
    pub async fn reconcile_consume(&self, code: &str, card_id: Option<&str>) -> Result<Redemption> {
        let query = GetCode {
            code: code.to_owned(),
            card_id: card_id.map(str::to_owned),
            check_consume: false,
        };
        self.execute(&query).await.map(Redemption::from_code_info)
    }
}
