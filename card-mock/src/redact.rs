//! Keeping access tokens and app secrets out of every message and `Debug` output.

use serde_json::Value;

/// What a hidden value is shown as.
pub(crate) const REDACTED: &str = "[redacted]";

/// How many characters of a body a message shows.
pub(crate) const SNIPPET_CHARS: usize = 160;

/// True for query keys, JSON keys and headers whose values are credentials: any key ending in
/// `secret`, `token` or `ticket` whatever its case and separators (`secret`, `app_secret`,
/// `AppSecret`, `access_token`, `AccessToken`, `api_ticket`), and the HTTP credential headers.
pub(crate) fn is_sensitive(key: &str) -> bool {
    let key: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    key.ends_with("secret")
        || key.ends_with("token")
        || key.ends_with("ticket")
        || key == "authorization"
        || key == "proxy-authorization"
        || key == "cookie"
}

/// The value to display for `key`: itself, or [`REDACTED`].
pub(crate) fn shown<'a>(key: &str, value: &'a str) -> &'a str {
    if is_sensitive(key) {
        REDACTED
    } else {
        value
    }
}

/// Query pairs as `a=b&c=d`, credentials redacted. Values are shown decoded.
pub(crate) fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key}={}", shown(key, value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Replace the value of every sensitive key, at any depth, with [`REDACTED`].
pub(crate) fn redact_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if is_sensitive(key) {
                    *value = Value::String(REDACTED.to_owned());
                } else {
                    redact_json(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// A JSON value as compact text with credentials redacted, cut to [`SNIPPET_CHARS`].
pub(crate) fn json_snippet(value: &Value) -> String {
    let mut value = value.clone();
    redact_json(&mut value);
    truncate(value.to_string())
}

/// A short, credential-free rendering of a request body for messages and `Debug`.
///
/// JSON bodies are shown compact with sensitive keys redacted. Other bodies are shown as text
/// unless they mention a credential key, in which case only their length is given.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    if body.is_empty() {
        return "(empty)".to_owned();
    }
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        return json_snippet(&value);
    }
    let text = String::from_utf8_lossy(body);
    let lower = text.to_ascii_lowercase();
    if lower.contains("secret") || lower.contains("token") || lower.contains("ticket") {
        return format!("({} bytes, not shown: may hold a credential)", body.len());
    }
    truncate(text.into_owned())
}

/// Cut `text` to [`SNIPPET_CHARS`] characters, marking the cut.
fn truncate(mut text: String) -> String {
    if let Some((cut, _)) = text.char_indices().nth(SNIPPET_CHARS) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sensitive_keys() {
        for key in [
            "access_token",
            "ACCESS_TOKEN",
            "component_access_token",
            "secret",
            "appsecret",
            "app_secret",
            "client_secret",
            "AccessToken",
            "ticket",
            "api_ticket",
        ] {
            assert!(is_sensitive(key), "{key}");
        }
        for key in ["type", "code", "card_id", "token_type", "secretary"] {
            assert!(!is_sensitive(key), "{key}");
        }
    }

    #[test]
    fn nested_json_is_redacted() {
        let snippet = json_snippet(&json!({"a": [{"secret": "S3"}], "access_token": "T0", "k": 1}));
        assert!(
            !snippet.contains("S3") && !snippet.contains("T0"),
            "{snippet}"
        );
        assert!(
            snippet.contains(REDACTED) && snippet.contains("\"k\":1"),
            "{snippet}"
        );
    }

    #[test]
    fn text_bodies_mentioning_credentials_are_hidden() {
        let snippet = body_snippet(b"grant_type=x&secret=S3CRET");
        assert!(!snippet.contains("S3CRET"), "{snippet}");
        assert_eq!(body_snippet(b"plain text"), "plain text");
        assert_eq!(body_snippet(b""), "(empty)");
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let body = "团".repeat(SNIPPET_CHARS + 10);
        let snippet = body_snippet(body.as_bytes());
        assert_eq!(snippet.chars().count(), SNIPPET_CHARS + 1);
        assert!(snippet.ends_with('…'));
    }
}
