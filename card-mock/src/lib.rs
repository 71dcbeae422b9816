//! An in-memory [`card_core::Transport`] for unit tests, answering with recorded WeChat
//! responses and logging every request for assertions.
//!
//! [`MockTransport::recorded`] stands up a realistic backend in one line: every token, ticket and
//! card endpoint answers with its recorded success response ([`recorded::ENDPOINTS`]). A test
//! then overrides only what it is about with a rule: method and path, optional conditions (exact
//! or partial JSON body, query pairs, a predicate), and one reply or a sequence of replies
//! ([`Reply`]: JSON, a recorded file, raw bytes, or an injected transport error). The newest
//! matching rule wins. Afterwards the test asserts on what was sent with
//! [`MockTransport::requests`], [`RuleHandle::calls`] and [`MockTransport::assert_all_used`].
//!
//! A request no rule matches gets an error of kind [`TransportErrorKind::Other`] naming the
//! request and the nearest rules; `send` never panics. Access tokens and app secrets never
//! appear in messages or `Debug` output.
//!
//! # Example
//!
//! ```
//! use card_core::Transport;
//! use card_mock::{MockTransport, Reply};
//! use serde_json::{json, Value};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = MockTransport::recorded();
//! // Override one endpoint: the first consume fails with a stale token, the retry succeeds.
//! let consume = mock
//!     .on_post("/card/code/consume")
//!     .body_partial(json!({"code": "110201201245"}))
//!     .respond_seq([
//!         Reply::wechat_error(40001, "invalid credential"),
//!         Reply::file("card_code_consume.json"),
//!     ]);
//!
//! let request = || {
//!     http::Request::post("https://api.weixin.qq.com/card/code/consume?access_token=TOKEN")
//!         .body(bytes::Bytes::from_static(br#"{"code":"110201201245"}"#))
//!         .unwrap()
//! };
//! // `send` is the `card_core::Transport` method the client calls.
//! let first = mock.send(request()).await.unwrap();
//! let first: Value = serde_json::from_slice(first.body()).unwrap();
//! assert_eq!(first["errcode"], 40001);
//! let second = mock.send(request()).await.unwrap();
//! let second: Value = serde_json::from_slice(second.body()).unwrap();
//! assert_eq!(second["card"]["card_id"], "pFS7Fjg8kV1IdDz01r4SQwMkuCKc");
//!
//! // Every other endpoint still answers its recorded response.
//! let get = http::Request::post("https://api.weixin.qq.com/card/code/get?access_token=TOKEN")
//!     .body(bytes::Bytes::from_static(br#"{"code":"110201201245"}"#))
//!     .unwrap();
//! assert_eq!(mock.send(get).await.unwrap().status(), 200);
//!
//! assert_eq!(consume.calls(), 2);
//! let sent = mock.requests_to("/card/code/consume");
//! assert_eq!(sent.len(), 2);
//! assert_eq!(sent[0].query_param("access_token"), Some("TOKEN"));
//! assert_eq!(sent[0].body_json().unwrap(), json!({"code": "110201201245"}));
//! assert_eq!(mock.requests().len(), 3);
//! mock.assert_all_used();
//! # }
//! ```
#![deny(missing_docs)]

mod mock;
pub mod recorded;
mod redact;
mod reply;
mod request;
mod rule;

pub use card_core::TransportErrorKind;
pub use mock::MockTransport;
pub use recorded::RecordedEndpoint;
pub use reply::Reply;
pub use request::MockRequest;
pub use rule::{RuleBuilder, RuleHandle};
