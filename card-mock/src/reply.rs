//! What a rule answers with: a response, or an injected transport failure.

use std::fmt;

use bytes::Bytes;
use card_core::{HttpResponse, TransportError, TransportErrorKind};
use http::header::{HeaderValue, CONTENT_TYPE};
use http::StatusCode;
use serde_json::Value;

use crate::recorded;

/// One answer a rule serves: an HTTP response (JSON, a recorded file, or raw bytes) or a
/// transport error.
///
/// Constructors check their input at once, so a mistake (an unknown file name, a bad status)
/// panics in the test that wrote it rather than surfacing later inside `send`.
///
/// ```
/// use card_core::TransportErrorKind;
/// use card_mock::Reply;
/// use serde_json::json;
///
/// let replies = vec![
///     Reply::wechat_error(40001, "invalid credential"),
///     Reply::json(json!({"errcode": 0, "errmsg": "ok"})),
///     Reply::file("card_code_get.json"),
///     Reply::raw(502, "text/html", "<html>Bad Gateway</html>"),
///     Reply::error(TransportErrorKind::Timeout, "simulated timeout"),
/// ];
/// # let _ = replies;
/// ```
#[derive(Clone)]
pub struct Reply(Answer);

#[derive(Clone)]
enum Answer {
    Response {
        status: StatusCode,
        content_type: Option<HeaderValue>,
        body: Bytes,
    },
    Failure {
        kind: TransportErrorKind,
        message: String,
    },
}

impl Reply {
    /// HTTP 200 with `value` as an `application/json` body (UTF-8, nothing `\u`-escaped).
    pub fn json(value: Value) -> Self {
        Self::json_with_status(200, value)
    }

    /// The given status with `value` as an `application/json` body.
    ///
    /// # Panics
    /// If `status` is not a valid HTTP status code (100–999).
    pub fn json_with_status(status: u16, value: Value) -> Self {
        Self::response(
            status,
            Some(json_content_type()),
            Bytes::from(value.to_string()),
        )
    }

    /// HTTP 200 with a WeChat error envelope: `{"errcode": errcode, "errmsg": errmsg}`.
    pub fn wechat_error(errcode: i64, errmsg: &str) -> Self {
        Self::json(serde_json::json!({ "errcode": errcode, "errmsg": errmsg }))
    }

    /// HTTP 200 with a recorded file as the `application/json` body, served byte for byte.
    ///
    /// # Panics
    /// If `name` is not a file of [`recorded`]; the message lists the close names.
    pub fn file(name: &str) -> Self {
        let Some(body) = recorded::get(name) else {
            let close: Vec<&str> = recorded::all()
                .map(|(file, _)| file)
                .filter(|file| file.split('.').next() == name.split('.').next())
                .collect();
            panic!("no recorded file named {name:?}; files for that endpoint: {close:?}");
        };
        Self::response(
            200,
            Some(json_content_type()),
            Bytes::from_static(body.as_bytes()),
        )
    }

    /// Any status, content type and body: a 502 HTML page, a truncated body, invalid UTF-8.
    /// An empty `content_type` sends no `Content-Type` header at all.
    ///
    /// # Panics
    /// If `status` is not a valid HTTP status code or `content_type` not a valid header value.
    pub fn raw(status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        let content_type = (!content_type.is_empty()).then(|| {
            HeaderValue::from_str(content_type)
                .unwrap_or_else(|_| panic!("invalid content type {content_type:?}"))
        });
        Self::response(status, content_type, body.into())
    }

    /// No response at all: `send` returns a [`TransportError`] of this kind and message.
    pub fn error(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        Self(Answer::Failure {
            kind,
            message: message.into(),
        })
    }

    fn response(status: u16, content_type: Option<HeaderValue>, body: Bytes) -> Self {
        let status =
            StatusCode::from_u16(status).unwrap_or_else(|_| panic!("invalid HTTP status {status}"));
        Self(Answer::Response {
            status,
            content_type,
            body,
        })
    }

    /// Build what `send` returns for this reply.
    pub(crate) fn to_result(&self) -> Result<HttpResponse, TransportError> {
        match &self.0 {
            Answer::Response {
                status,
                content_type,
                body,
            } => {
                let mut response = http::Response::new(body.clone());
                *response.status_mut() = *status;
                if let Some(content_type) = content_type {
                    response
                        .headers_mut()
                        .insert(CONTENT_TYPE, content_type.clone());
                }
                Ok(response)
            }
            Answer::Failure { kind, message } => Err(TransportError::new(*kind, message.clone())),
        }
    }
}

fn json_content_type() -> HeaderValue {
    HeaderValue::from_static("application/json")
}

/// Shows the status and body size, never the body itself.
impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Answer::Response {
                status,
                content_type,
                body,
            } => f
                .debug_struct("Reply")
                .field("status", &status.as_u16())
                .field("content_type", content_type)
                .field("body_len", &body.len())
                .finish(),
            Answer::Failure { kind, message } => f
                .debug_struct("Reply::Error")
                .field("kind", kind)
                .field("message", message)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_reply_is_raw_utf8_with_json_content_type() {
        let response = Reply::json(json!({"title": "团购"})).to_result().unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(&response.body()[..], r#"{"title":"团购"}"#.as_bytes());
    }

    #[test]
    fn file_reply_is_byte_identical() {
        let response = Reply::file("card_membercard_activate.json")
            .to_result()
            .unwrap();
        assert_eq!(
            &response.body()[..],
            b"{\"errcode\":0,   \"errmsg\":\"ok\"}\n"
        );
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    }

    #[test]
    #[should_panic(expected = "no recorded file named \"card_code_get\"")]
    fn unknown_file_panics_at_construction() {
        let _ = Reply::file("card_code_get");
    }

    #[test]
    fn raw_reply_keeps_status_and_may_omit_content_type() {
        let response = Reply::raw(502, "", "bad gateway").to_result().unwrap();
        assert_eq!(response.status(), 502);
        assert!(response.headers().get(CONTENT_TYPE).is_none());
        let response = Reply::raw(200, "text/plain", "x").to_result().unwrap();
        assert_eq!(response.headers()[CONTENT_TYPE], "text/plain");
    }

    #[test]
    fn error_reply_builds_a_fresh_error_each_time() {
        let reply = Reply::error(TransportErrorKind::Connect, "refused");
        for _ in 0..2 {
            let err = reply.to_result().unwrap_err();
            assert_eq!(err.kind(), TransportErrorKind::Connect);
            assert_eq!(err.message(), "refused");
        }
    }

    #[test]
    fn wechat_error_envelope() {
        let response = Reply::wechat_error(40001, "invalid credential")
            .to_result()
            .unwrap();
        let body: Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(
            body,
            json!({"errcode": 40001, "errmsg": "invalid credential"})
        );
    }
}
