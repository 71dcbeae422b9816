//! The one error type of every operation, with predicates for the questions callers ask.

use std::fmt;

use crate::transport::{BoxError, TransportError};

/// How many bytes of an unexpected body an error keeps.
pub const BODY_SNIPPET_LIMIT: usize = 512;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with a card API call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// WeChat answered with a non-zero `errcode`.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A non-2xx HTTP answer that carried no `errcode` (a gateway's HTML error page, say).
    #[error("HTTP {status} from WeChat: {body}")]
    Http {
        /// The HTTP status.
        status: http::StatusCode,
        /// The start of the body, lossily decoded and bounded.
        body: BodySnippet,
    },
    /// No response was obtained.
    #[error("transport: {0}")]
    Transport(#[from] TransportError),
    /// An answer that was not the JSON expected.
    #[error("undecodable answer ({source}): {body}")]
    Decode {
        /// What the decoder found wrong.
        #[source]
        source: DecodeError,
        /// The start of the body, lossily decoded and bounded.
        body: BodySnippet,
    },
    /// Refused before sending: the arguments cannot make a valid request.
    #[error("invalid argument `{field}`: {reason}")]
    InvalidArgument {
        /// The parameter or document field at fault.
        field: String,
        /// Why it was refused.
        reason: String,
    },
    /// The token store (a shared store such as Redis) failed, so no token could be read, stored
    /// or locked. Nothing was sent to WeChat for this call.
    #[error("token store: {message}")]
    TokenStore {
        /// What the store was doing.
        message: String,
        /// The store's own error.
        #[source]
        source: BoxError,
    },
    /// No access token could be obtained for the call (the token endpoint failed, or answered
    /// with an error), so nothing of the operation itself was sent. The predicates
    /// (`api_code`, `is_quota`, `transport`, ...) look through to the cause;
    /// [`is_ambiguous`](Self::is_ambiguous) is false.
    #[error("could not obtain an access token: {0}")]
    AccessToken(#[source] Box<Error>),
}

impl Error {
    /// The error this one stands for: the cause of an [`Error::AccessToken`], else itself.
    pub fn root(&self) -> &Error {
        match self {
            Self::AccessToken(cause) => cause.root(),
            other => other,
        }
    }

    /// True when the error arose before the operation itself was sent: the arguments were
    /// refused, or no access token (or token-store access) could be had.
    pub fn nothing_sent(&self) -> bool {
        matches!(
            self,
            Self::AccessToken(_) | Self::InvalidArgument { .. } | Self::TokenStore { .. }
        ) || self.transport().is_some_and(|e| e.kind().nothing_sent())
    }

    /// An [`Error::InvalidArgument`] naming the field.
    pub fn invalid_argument(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::InvalidArgument {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// A copy of this error for a second caller (errors are not `Clone` because their sources
    /// are not): the kind, code, status and messages are kept; a source error becomes its text.
    pub fn duplicate(&self) -> Self {
        match self {
            Self::Api(e) => Self::Api(e.clone()),
            Self::Http { status, body } => Self::Http {
                status: *status,
                body: body.clone(),
            },
            Self::Transport(e) => Self::Transport(TransportError::new(e.kind(), e.to_string())),
            Self::Decode { source, body } => Self::Decode {
                source: DecodeError::Repeated(source.to_string()),
                body: body.clone(),
            },
            Self::InvalidArgument { field, reason } => Self::InvalidArgument {
                field: field.clone(),
                reason: reason.clone(),
            },
            Self::AccessToken(cause) => Self::AccessToken(Box::new(cause.duplicate())),
            Self::TokenStore { message, source } => Self::TokenStore {
                message: message.clone(),
                source: source.to_string().into(),
            },
        }
    }

    /// An [`Error::TokenStore`]: the store failed while `message` (keep tokens out of it).
    pub fn token_store(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::TokenStore {
            message: message.into(),
            source: source.into(),
        }
    }

    /// The token store failed (a shared store such as Redis is unreachable, say).
    pub fn is_token_store(&self) -> bool {
        matches!(self.root(), Self::TokenStore { .. })
    }

    /// The WeChat error, when this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self.root() {
            Self::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The WeChat `errcode`, when this is an API error.
    pub fn api_code(&self) -> Option<i64> {
        self.api().map(|e| e.code)
    }

    /// The named kind of the WeChat error, when this is one.
    pub fn api_kind(&self) -> Option<ApiErrorKind> {
        self.api().map(ApiError::kind)
    }

    /// The transport error, when this is one.
    pub fn transport(&self) -> Option<&TransportError> {
        match self.root() {
            Self::Transport(e) => Some(e),
            _ => None,
        }
    }

    /// 40001, 40014 or 42001: the access token was rejected as invalid or expired.
    pub fn is_token_stale(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::TokenStale)
    }

    /// 45009 or 45011: an API quota is exhausted. Never retried automatically.
    pub fn is_quota(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::Quota)
    }

    /// -1: WeChat says it is busy; transient.
    pub fn is_system_busy(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::SystemBusy)
    }

    /// 40099: the code was already consumed.
    pub fn is_already_consumed(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::AlreadyConsumed)
    }

    /// 40056 or 40116: the code does not exist or is not valid for the card.
    pub fn is_invalid_code(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::InvalidCode)
    }

    /// 40127: the user's card is deleted, being gifted, or unavailable.
    pub fn is_card_status(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::CardStatus)
    }

    /// 40164: the caller's IP address is not in the account's whitelist.
    pub fn is_ip_not_whitelisted(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::IpNotWhitelisted)
    }

    /// The request may have been applied though the call failed: a timeout or I/O failure
    /// after sending, a 5xx answer, `-1` system busy, or a 2xx answer that could not be decoded
    /// (WeChat handled the request; what it answered is unknown). For a redemption, settle it
    /// with [`CardClient::reconcile_consume`](crate::CardClient::reconcile_consume).
    pub fn is_ambiguous(&self) -> bool {
        !matches!(self, Self::AccessToken(_))
            && (matches!(self, Self::Decode { .. })
                || crate::retry::FailureClass::of(self) == crate::retry::FailureClass::Ambiguous)
    }

    /// A timeout while waiting for the answer (the request may have been applied).
    pub fn is_timeout(&self) -> bool {
        self.transport().is_some_and(TransportError::is_timeout)
    }
}

/// WeChat answered with `errcode != 0`.
///
/// The message is kept whole: it carries the `rid` / `hint` that WeChat support asks for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("WeChat error {code} ({kind}): {message}")]
pub struct ApiError {
    /// The `errcode`.
    pub code: i64,
    /// The `errmsg`, or empty when WeChat sent none.
    pub message: String,
    kind: ApiErrorKind,
}

impl ApiError {
    /// An error for a code and message.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            kind: ApiErrorKind::from_code(code),
        }
    }

    /// The named kind of this code.
    pub fn kind(&self) -> ApiErrorKind {
        self.kind
    }

    /// The `rid` WeChat embeds in many messages (`rid: 6645cea6-...`), for support tickets.
    pub fn rid(&self) -> Option<&str> {
        let start = self.message.find("rid: ")? + 5;
        let rest = &self.message[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || c == ']')
            .unwrap_or(rest.len());
        Some(&rest[..end]).filter(|s| !s.is_empty())
    }
}

/// The WeChat error codes that callers branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 40001, 40014, 42001: the access token is invalid, not the latest, or expired.
    /// (40001 also means a wrong AppSecret when fetching a token.)
    TokenStale,
    /// 45009, 45011: daily or per-minute quota reached.
    Quota,
    /// -1: system busy.
    SystemBusy,
    /// 40099: the code was already consumed.
    AlreadyConsumed,
    /// 40056, 40116: invalid code.
    InvalidCode,
    /// 40127: the user's card is deleted, gifted or unavailable.
    CardStatus,
    /// 40164: the caller's IP is not whitelisted.
    IpNotWhitelisted,
    /// 40033: the request carried an invalid charset (a client encoding fault).
    InvalidCharset,
    /// 47001: the request body's format is wrong.
    DataFormat,
    /// 40013: the AppID is invalid.
    InvalidAppId,
    /// 40125: the AppSecret is invalid.
    InvalidAppSecret,
    /// Any other code.
    Other,
}

impl ApiErrorKind {
    /// The kind of an `errcode`.
    pub fn from_code(code: i64) -> Self {
        match code {
            40001 | 40014 | 42001 => Self::TokenStale,
            45009 | 45011 => Self::Quota,
            -1 => Self::SystemBusy,
            40099 => Self::AlreadyConsumed,
            40056 | 40116 => Self::InvalidCode,
            40127 => Self::CardStatus,
            40164 => Self::IpNotWhitelisted,
            40033 => Self::InvalidCharset,
            47001 => Self::DataFormat,
            40013 => Self::InvalidAppId,
            40125 => Self::InvalidAppSecret,
            _ => Self::Other,
        }
    }
}

impl fmt::Display for ApiErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TokenStale => "access token invalid or expired",
            Self::Quota => "quota exhausted",
            Self::SystemBusy => "system busy",
            Self::AlreadyConsumed => "code already consumed",
            Self::InvalidCode => "invalid code",
            Self::CardStatus => "card deleted, gifted or unavailable",
            Self::IpNotWhitelisted => "IP not whitelisted",
            Self::InvalidCharset => "invalid charset in request",
            Self::DataFormat => "data format error",
            Self::InvalidAppId => "invalid AppID",
            Self::InvalidAppSecret => "invalid AppSecret",
            Self::Other => "error",
        })
    }
}

/// Why an answer could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The body was empty.
    #[error("empty body")]
    Empty,
    /// The body was not JSON (an HTML page, truncated JSON, ...).
    #[error("not JSON: {0}")]
    Syntax(#[source] serde_json::Error),
    /// The JSON was not an object.
    #[error("expected a JSON object, found {0}")]
    NotAnObject(&'static str),
    /// `errcode` was neither an integer nor a string holding one.
    #[error("errcode is not an integer")]
    BadErrcode,
    /// The JSON object did not have the shape of the expected result.
    #[error("unexpected shape: {0}")]
    Shape(#[source] serde_json::Error),
    /// The body was larger than the client accepts.
    #[error("answer of {len} bytes exceeds the {limit}-byte limit")]
    TooLarge {
        /// The body's length.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// The same failure, seen by an earlier caller (see [`Error::duplicate`]).
    #[error("{0}")]
    Repeated(String),
    /// A field the result needs was missing or empty.
    #[error("missing or invalid field `{0}`")]
    MissingField(&'static str),
}

/// The keys whose values are credentials, masked wherever a body shows them: a gateway's error
/// page may echo the request URL (`...?access_token=...`), a token answer holds the token.
const CREDENTIAL_KEYS: [&str; 3] = ["access_token", "secret", "ticket"];

/// Mask the value after every credential key (`key=value`, `"key":"value"`, `key: value`).
fn scrub_credentials(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut masked: Vec<(usize, usize)> = Vec::new();
    for key in CREDENTIAL_KEYS {
        let mut from = 0;
        while let Some(found) = lower[from..].find(key) {
            let mut i = from + found + key.len();
            from = i;
            while i < bytes.len() && matches!(bytes[i], b'"' | b'\'' | b' ' | b'\t') {
                i += 1;
            }
            if i >= bytes.len() || !matches!(bytes[i], b'=' | b':') {
                continue;
            }
            i += 1;
            while i < bytes.len() && matches!(bytes[i], b'"' | b'\'' | b' ' | b'\t' | b'\\') {
                i += 1;
            }
            let start = i;
            while i < bytes.len()
                && !matches!(
                    bytes[i],
                    b'&' | b'"'
                        | b'\''
                        | b'<'
                        | b'>'
                        | b' '
                        | b'\t'
                        | b'\r'
                        | b'\n'
                        | b','
                        | b';'
                        | b'}'
                        | b'\\'
                )
            {
                i += 1;
            }
            if i > start {
                masked.push((start, i));
            }
        }
    }
    if masked.is_empty() {
        return text.to_owned();
    }
    masked.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in masked {
        if start < at {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str("[redacted]");
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// The start of an unexpected body, lossily decoded to UTF-8 and cut at
/// [`BODY_SNIPPET_LIMIT`] bytes, for error messages.
#[derive(Clone, PartialEq, Eq)]
pub struct BodySnippet {
    text: String,
    truncated: bool,
}

impl BodySnippet {
    /// Take a bounded snippet of `body`.
    pub fn new(body: &[u8]) -> Self {
        let cut = body.len().min(BODY_SNIPPET_LIMIT);
        let mut text = String::from_utf8_lossy(&body[..cut]).into_owned();
        // A multi-byte character cut in half shows as U+FFFD at the end; drop it.
        if cut < body.len() && text.ends_with('\u{FFFD}') {
            text.pop();
        }
        Self {
            text: scrub_credentials(&text),
            truncated: cut < body.len(),
        }
    }

    /// A placeholder for a body that must not be shown (it may hold a token).
    pub fn redacted() -> Self {
        Self {
            text: "[redacted: may contain a token]".to_owned(),
            truncated: false,
        }
    }

    /// The snippet text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the body was longer than the snippet.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Display for BodySnippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.text)?;
        if self.truncated {
            f.write_str("…")?;
        }
        Ok(())
    }
}

impl fmt::Debug for BodySnippet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_cover_named_codes() {
        for (code, kind) in [
            (40001, ApiErrorKind::TokenStale),
            (40014, ApiErrorKind::TokenStale),
            (42001, ApiErrorKind::TokenStale),
            (45009, ApiErrorKind::Quota),
            (45011, ApiErrorKind::Quota),
            (-1, ApiErrorKind::SystemBusy),
            (40099, ApiErrorKind::AlreadyConsumed),
            (40056, ApiErrorKind::InvalidCode),
            (40116, ApiErrorKind::InvalidCode),
            (40127, ApiErrorKind::CardStatus),
            (40164, ApiErrorKind::IpNotWhitelisted),
            (12345, ApiErrorKind::Other),
        ] {
            assert_eq!(ApiErrorKind::from_code(code), kind, "code {code}");
        }
    }

    #[test]
    fn rid_is_extracted_from_message() {
        let e = ApiError::new(
            45009,
            "reach max api daily quota limit rid: 6645cea6-305a79e0-5e143fbd",
        );
        assert_eq!(e.rid(), Some("6645cea6-305a79e0-5e143fbd"));
        assert_eq!(ApiError::new(1, "no rid here").rid(), None);
    }

    #[test]
    fn snippets_mask_credentials() {
        for body in [
            "<html>upstream /card/get?access_token=TOK123&x=1 failed</html>",
            r#"{"access_token":"TOK123","expires_in":7200}"#,
            r#"{"access_token" : "TOK123"}"#,
            "GET /cgi-bin/token?grant_type=client_credential&appid=wx&secret=TOK123 502",
            r#"{"ticket":"TOK123"}"#,
        ] {
            let shown = BodySnippet::new(body.as_bytes()).as_str().to_owned();
            assert!(!shown.contains("TOK123"), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
        let plain = BodySnippet::new(b"<html>Bad Gateway</html>");
        assert_eq!(plain.as_str(), "<html>Bad Gateway</html>");
    }

    #[test]
    fn snippet_is_bounded_and_utf8_safe() {
        let body = "团".repeat(400);
        let s = BodySnippet::new(body.as_bytes());
        assert!(s.is_truncated());
        assert!(s.as_str().len() <= BODY_SNIPPET_LIMIT);
        assert!(!s.as_str().contains('\u{FFFD}'));
        assert_eq!(
            BodySnippet::new(b"<html>Bad Gateway</html>").as_str(),
            "<html>Bad Gateway</html>"
        );
    }
}
