//! WeChat Official Account Card & Offer (卡券) API over a pluggable [`Transport`].
#![deny(missing_docs)]

pub mod error;
pub mod transport;

pub use error::{ApiError, ApiErrorKind, BodySnippet, DecodeError, Error, Result};
pub use transport::{
    transport_fn, BoxError, FnTransport, HttpRequest, HttpResponse, Transport, TransportError,
    TransportErrorKind,
};
