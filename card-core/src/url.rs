//! Building request URIs: base URL, path and percent-encoded query.

use crate::error::{Error, Result};

/// Append `value` to `out`, percent-encoding everything but RFC 3986 unreserved characters.
pub fn percent_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(value.len());
    // Copy each run of unreserved characters whole (an access token is one run of some 150).
    // A run is ASCII, so both of its ends are character boundaries.
    let mut run = 0;
    for (i, &b) in value.as_bytes().iter().enumerate() {
        if is_unreserved(b) {
            continue;
        }
        if run < i {
            out.push_str(&value[run..i]);
        }
        out.push('%');
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0x0F)] as char);
        run = i + 1;
    }
    if run < value.len() {
        out.push_str(&value[run..]);
    }
}

/// RFC 3986 unreserved: left as is by percent-encoding.
fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// [`is_unreserved`] as a table: one load a byte where the tokens are long.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    table
};

/// `value`, percent-encoded as a query component.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    percent_encode_into(&mut out, value);
    out
}

/// Validate and normalise a base URL: `http` or `https`, a host, an optional valid port and
/// path prefix; no credentials, query or fragment (they would silently misroute every request);
/// scheme and host in lower case; no trailing slash.
pub(crate) fn normalise_base_url(base: &str) -> Result<String> {
    let invalid = |reason: &str| Error::invalid_argument("base_url", reason);
    let trimmed = base.trim();
    if trimmed.contains('#') {
        return Err(invalid("must not carry a fragment (#)"));
    }
    let uri: http::Uri = trimmed
        .parse()
        .map_err(|e| invalid(&format!("not a URL: {e}")))?;
    let scheme = match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("http") => "http",
        Some("https") => "https",
        _ => return Err(invalid("must start with http:// or https://")),
    };
    let authority = uri.authority().ok_or_else(|| invalid("has no host"))?;
    if authority.as_str().contains('@') {
        return Err(invalid("must not carry user credentials"));
    }
    if authority.host().is_empty() {
        return Err(invalid("has no host"));
    }
    let after_host = authority
        .as_str()
        .rsplit_once(']')
        .map_or(authority.as_str(), |(_, rest)| rest);
    if let Some((_, port)) = after_host.rsplit_once(':') {
        if port.parse::<u16>().is_err() {
            return Err(invalid("has an invalid port"));
        }
    }
    if uri.query().is_some() {
        return Err(invalid("must not carry a query"));
    }
    let path = uri.path().trim_end_matches('/');
    Ok(format!(
        "{scheme}://{}{path}",
        authority.as_str().to_ascii_lowercase()
    ))
}

/// `{base}{path}?k1=v1&k2=v2` with every value percent-encoded.
pub(crate) fn build_uri(base: &str, path: &str, query: &[(&str, &str)]) -> Result<http::Uri> {
    let mut s = String::with_capacity(
        base.len()
            + path.len()
            + 24
            + query
                .iter()
                .map(|(k, v)| k.len() + v.len() + 2)
                .sum::<usize>(),
    );
    s.push_str(base);
    s.push_str(path);
    for (i, (key, value)) in query.iter().enumerate() {
        s.push(if i == 0 { '?' } else { '&' });
        s.push_str(key);
        s.push('=');
        percent_encode_into(&mut s, value);
    }
    // From the String itself, so the URI takes over its buffer instead of copying it. The
    // message must not echo the URI: its query may hold a token or the AppSecret.
    http::Uri::try_from(s).map_err(|_| {
        Error::invalid_argument("path", format!("cannot form a request URI for {path}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_reserved_characters() {
        assert_eq!(percent_encode("ENC+/= 团"), "ENC%2B%2F%3D%20%E5%9B%A2");
        assert_eq!(percent_encode("a-b_c.d~e"), "a-b_c.d~e");
    }

    #[test]
    fn encodes_as_byte_by_byte() {
        fn byte_by_byte(value: &str) -> String {
            value
                .bytes()
                .map(|b| {
                    if is_unreserved(b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        }
        for value in [
            "",
            "a",
            "+",
            "团",
            "团购券🎁",
            "a团b",
            "团a",
            "a团",
            "++ab++",
            "83_UTyGJ-MuHb~x.y",
            "ENC+/=\u{0}\u{7f}é",
        ] {
            assert_eq!(percent_encode(value), byte_by_byte(value), "{value:?}");
        }
    }

    #[test]
    fn base_url_is_normalised() {
        assert_eq!(
            normalise_base_url("https://api.weixin.qq.com/").unwrap(),
            "https://api.weixin.qq.com"
        );
        assert_eq!(
            normalise_base_url("http://127.0.0.1:8080/proxy").unwrap(),
            "http://127.0.0.1:8080/proxy"
        );
        assert!(normalise_base_url("ftp://x").is_err());
        assert!(normalise_base_url("not a url").is_err());
        assert!(normalise_base_url("https://x/?a=b").is_err());
        assert!(normalise_base_url("http://127.0.0.1:8080/wechat#x").is_err());
        assert!(normalise_base_url("https://user:pw@host").is_err());
        assert!(normalise_base_url("http://host:99999").is_err());
        assert_eq!(
            normalise_base_url("HTTP://API.Example.COM/Prefix/").unwrap(),
            "http://api.example.com/Prefix"
        );
        assert_eq!(
            normalise_base_url("http://[::1]:8080").unwrap(),
            "http://[::1]:8080"
        );
    }

    #[test]
    fn builds_uri_with_query() {
        let uri = build_uri("https://h", "/card/get", &[("access_token", "T+1")]).unwrap();
        assert_eq!(uri.to_string(), "https://h/card/get?access_token=T%2B1");
    }
}
