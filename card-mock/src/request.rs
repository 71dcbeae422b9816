//! The logged form of a request the mock received.

use std::fmt;

use bytes::Bytes;
use card_core::HttpRequest;
use http::{HeaderMap, Method};
use serde_json::Value;

use crate::redact;

/// One request as the mock received it: method, path, decoded query pairs, headers and body.
///
/// `Debug` and `Display` never show credentials: the values of `access_token` and `secret` query
/// pairs, of such keys in a JSON body, and of credential headers are printed as `[redacted]`.
#[derive(Clone)]
pub struct MockRequest {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
}

impl MockRequest {
    /// Take a request apart for logging and matching.
    pub(crate) fn from_http(request: HttpRequest) -> Self {
        let (parts, body) = request.into_parts();
        let query = parts.uri.query().map(parse_query).unwrap_or_default();
        Self {
            method: parts.method,
            path: parts.uri.path().to_owned(),
            query,
            headers: parts.headers,
            body,
        }
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URI path, such as `/card/code/get`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Every query pair, percent-decoded, in the order sent (`access_token` included).
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    /// The decoded value of the first query pair named `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The value of header `name`, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The raw body bytes.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body as text, or `None` if it is not valid UTF-8.
    pub fn body_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// The body parsed as JSON, or `None` if it is not JSON.
    pub fn body_json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// `POST /card/code/get?access_token=[redacted]`
impl fmt::Display for MockRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        if !self.query.is_empty() {
            write!(f, "?{}", redact::query_string(&self.query))?;
        }
        Ok(())
    }
}

impl fmt::Debug for MockRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        /// Shows each header with credential values redacted.
        struct Headers<'a>(&'a HeaderMap);

        impl fmt::Debug for Headers<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(name, value)| {
                        let value = value.to_str().unwrap_or("(non-ASCII)");
                        (name.as_str(), redact::shown(name.as_str(), value))
                    }))
                    .finish()
            }
        }

        f.debug_struct("MockRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &redact::query_string(&self.query))
            .field("headers", &Headers(&self.headers))
            .field("body", &redact::body_snippet(&self.body))
            .finish()
    }
}

/// Split an `application/x-www-form-urlencoded` query into decoded pairs.
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode_component(key), decode_component(value))
        })
        .collect()
}

/// Decode `+` and `%XX` escapes; malformed escapes are kept as written, bad UTF-8 lossily.
fn decode_component(text: &str) -> String {
    let bytes = text.as_bytes();
    // Most components (an access token, say) have nothing to decode.
    if !bytes.iter().any(|&b| b == b'%' || b == b'+') {
        return text.to_owned();
    }
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => decoded.push(b' '),
            b'%' => {
                let escape = bytes.get(i + 1..i + 3).and_then(|hex| {
                    std::str::from_utf8(hex)
                        .ok()
                        .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                });
                if let Some(byte) = escape {
                    decoded.push(byte);
                    i += 2;
                } else {
                    decoded.push(b'%');
                }
            }
            byte => decoded.push(byte),
        }
        i += 1;
    }
    String::from_utf8(decoded)
        .unwrap_or_else(|invalid| String::from_utf8_lossy(invalid.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(uri: &str, body: &'static str) -> MockRequest {
        MockRequest::from_http(
            http::Request::post(uri)
                .header("content-type", "application/json")
                .body(Bytes::from_static(body.as_bytes()))
                .unwrap(),
        )
    }

    #[test]
    fn query_is_decoded_in_order() {
        let req = request(
            "http://x/p?type=wx_card&access_token=T%2BK&q=a+b%E5%9B%A2&flag&bad=%zz",
            "",
        );
        assert_eq!(req.path(), "/p");
        assert_eq!(req.query_param("type"), Some("wx_card"));
        assert_eq!(req.query_param("access_token"), Some("T+K"));
        assert_eq!(req.query_param("q"), Some("a b团"));
        assert_eq!(req.query_param("flag"), Some(""));
        assert_eq!(req.query_param("bad"), Some("%zz"));
        assert_eq!(req.query()[0].0, "type");
    }

    #[test]
    fn query_with_invalid_utf8_is_decoded_lossily() {
        let req = request("http://x/p?u=%FFa&v=ok", "");
        assert_eq!(req.query_param("u"), Some("\u{FFFD}a"));
        assert_eq!(req.query_param("v"), Some("ok"));
    }

    #[test]
    fn body_helpers() {
        let req = request("http://x/card/code/get", r#"{"code":"团购"}"#);
        assert_eq!(req.body_json().unwrap()["code"], "团购");
        assert_eq!(req.body_str(), Some(r#"{"code":"团购"}"#));
        assert_eq!(req.header("content-type"), Some("application/json"));
        assert!(request("http://x/", "not json").body_json().is_none());
    }

    #[test]
    fn debug_and_display_redact_credentials() {
        let req = request(
            "http://x/cgi-bin/token?grant_type=client_credential&appid=A&secret=S3CRET&access_token=T0KEN",
            r#"{"secret":"B0DYSECRET","appid":"A"}"#,
        );
        for text in [format!("{req:?}"), format!("{req:#?}"), req.to_string()] {
            for leak in ["S3CRET", "T0KEN", "B0DYSECRET"] {
                assert!(!text.contains(leak), "{leak} leaked in {text}");
            }
            assert!(text.contains("grant_type=client_credential"), "{text}");
        }
    }
}
