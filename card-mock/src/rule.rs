//! Rules: which requests they match and what they answer.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use card_core::TransportErrorKind;
use http::Method;
use serde_json::Value;

use crate::redact;
use crate::{MockRequest, MockTransport, Reply};

/// A predicate over a request, for [`RuleBuilder::matching`].
type Predicate = Arc<dyn Fn(&MockRequest) -> bool + Send + Sync>;

/// One condition a request must meet beyond method and path.
#[derive(Clone)]
enum Matcher {
    /// The body is JSON equal to this value.
    BodyJson(Value),
    /// The body is JSON containing this value (see [`json_contains`]).
    BodyPartial(Value),
    /// The query has this pair.
    Query(String, String),
    /// The predicate returns true.
    Predicate(Predicate),
}

impl Matcher {
    fn matches(&self, request: &MockRequest) -> bool {
        match self {
            Self::BodyJson(expected) => request.body_json().as_ref() == Some(expected),
            Self::BodyPartial(expected) => request
                .body_json()
                .is_some_and(|actual| json_contains(&actual, expected)),
            Self::Query(name, value) => request
                .query()
                .iter()
                .any(|(key, found)| key == name && found == value),
            Self::Predicate(predicate) => predicate(request),
        }
    }
}

/// Credential-free description, as used in messages.
impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BodyJson(value) => write!(f, "body == {}", redact::json_snippet(value)),
            Self::BodyPartial(value) => write!(f, "body contains {}", redact::json_snippet(value)),
            Self::Query(name, value) => write!(f, "query {name}={}", redact::shown(name, value)),
            Self::Predicate(_) => f.write_str("predicate"),
        }
    }
}

/// True when `actual` contains `expected`: for objects, every key of `expected` is present in
/// `actual` with a value that in turn contains the expected one; any other value (arrays
/// included) must be equal.
fn json_contains(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::Object(actual), Value::Object(expected)) => expected.iter().all(|(key, value)| {
            actual
                .get(key)
                .is_some_and(|found| json_contains(found, value))
        }),
        _ => actual == expected,
    }
}

/// A registered rule. Shared between the mock and the [`RuleHandle`]s pointing at it.
pub(crate) struct Rule {
    method: Method,
    path: String,
    matchers: Vec<Matcher>,
    replies: Vec<Reply>,
    limit: Option<usize>,
    calls: AtomicUsize,
    /// A default answer preloaded by [`MockTransport::recorded`]: exempt from
    /// [`MockTransport::assert_all_used`].
    background: bool,
}

/// Why a rule did not serve a request, from the closest miss to the farthest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Miss {
    /// Same method and path, but a matcher refused (described) or the rule was used up.
    Condition(String),
    /// Same path, other method.
    Method,
    /// Other path, at this edit distance; rules for the request's method first.
    Path { distance: usize, other_method: bool },
}

impl Rule {
    /// A default rule answering every `method path` request with `reply`, exempt from
    /// [`MockTransport::assert_all_used`].
    pub(crate) fn background(method: Method, path: &str, replies: Vec<Reply>) -> Self {
        Self::new(method, path, Vec::new(), replies, None, true)
    }

    fn new(
        method: Method,
        path: &str,
        matchers: Vec<Matcher>,
        replies: Vec<Reply>,
        limit: Option<usize>,
        background: bool,
    ) -> Self {
        assert!(!replies.is_empty(), "a mock rule needs at least one reply");
        Self {
            method,
            path: normalize_path(path),
            matchers,
            replies,
            limit,
            calls: AtomicUsize::new(0),
            background,
        }
    }

    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub(crate) fn is_background(&self) -> bool {
        self.background
    }

    /// Serve `request` if this rule matches it and is not used up: count the call and return
    /// the reply for it (the sequence's last reply repeats). Runs user predicates, so it must be
    /// called with no lock held.
    pub(crate) fn serve(&self, request: &MockRequest) -> Option<&Reply> {
        if request.method() != self.method
            || request.path() != self.path
            || !self.matchers.iter().all(|matcher| matcher.matches(request))
        {
            return None;
        }
        let limit = self.limit.unwrap_or(usize::MAX);
        let served = self
            .calls
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()?;
        Some(&self.replies[served.min(self.replies.len() - 1)])
    }

    /// How close this rule came to serving `request`, or `None` when it is not worth naming.
    pub(crate) fn miss(&self, request: &MockRequest) -> Option<Miss> {
        if request.path() != self.path {
            let distance = edit_distance(request.path(), &self.path);
            let longest = request.path().len().max(self.path.len());
            let other_method = request.method() != self.method;
            return (distance <= (longest / 3).max(2)).then_some(Miss::Path {
                distance,
                other_method,
            });
        }
        if request.method() != self.method {
            return Some(Miss::Method);
        }
        let refused = self
            .matchers
            .iter()
            .find(|matcher| !matcher.matches(request));
        Some(Miss::Condition(match refused {
            Some(matcher) => format!("{matcher} did not hold"),
            None => format!("used up after {} calls", self.calls()),
        }))
    }
}

/// `POST /card/code/get where body contains {"code":"1"}, times 2`
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)?;
        for (i, matcher) in self.matchers.iter().enumerate() {
            f.write_str(if i == 0 { " where " } else { " and " })?;
            write!(f, "{matcher}")?;
        }
        if let Some(limit) = self.limit {
            write!(f, ", times {limit}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rule")
            .field("rule", &self.to_string())
            .field("replies", &self.replies)
            .field("calls", &self.calls())
            .finish()
    }
}

/// Paths are compared with a leading `/`, whether or not the rule was written with one.
pub(crate) fn normalize_path(path: &str) -> String {
    if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    }
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Describes a rule under construction; a responder method (`respond_json`, `respond_file`,
/// `fail`, `respond_seq`, ...) registers it and returns its [`RuleHandle`].
///
/// Made by [`MockTransport::on`], [`MockTransport::on_get`] or [`MockTransport::on_post`]. All
/// conditions must hold for the rule to match. `access_token` plays no part in matching unless a
/// [`query`](Self::query) condition names it.
#[must_use = "a rule is registered only when a responder such as `respond_json` is called"]
pub struct RuleBuilder {
    mock: MockTransport,
    method: Method,
    path: String,
    matchers: Vec<Matcher>,
    limit: Option<usize>,
}

impl RuleBuilder {
    pub(crate) fn new(mock: MockTransport, method: Method, path: &str) -> Self {
        Self {
            mock,
            method,
            path: path.to_owned(),
            matchers: Vec::new(),
            limit: None,
        }
    }

    /// Match only when the body is JSON equal to `value` (key order does not matter).
    pub fn body_json(self, value: Value) -> Self {
        self.with(Matcher::BodyJson(value))
    }

    /// Match only when the body is JSON containing `value`: every key of `value` present with an
    /// equal value, recursively for objects (arrays and scalars compare whole). Other keys of the
    /// body are ignored.
    pub fn body_partial(self, value: Value) -> Self {
        self.with(Matcher::BodyPartial(value))
    }

    /// Match only when the query has the pair `name=value` (compared decoded). Other pairs,
    /// `access_token` included, are ignored.
    pub fn query(self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.with(Matcher::Query(name.into(), value.into()))
    }

    /// Match only when `predicate` returns true for the request.
    pub fn matching(
        self,
        predicate: impl Fn(&MockRequest) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.with(Matcher::Predicate(Arc::new(predicate)))
    }

    /// Serve at most `n` requests; after that the rule no longer matches, and older rules
    /// (such as the recorded defaults) answer again.
    pub fn times(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// Register the rule answering every match with `reply`.
    pub fn respond(self, reply: Reply) -> RuleHandle {
        self.respond_seq([reply])
    }

    /// Register the rule answering `replies` in order, one per matching request; the last one
    /// repeats. Good for "first 40001, then success".
    ///
    /// # Panics
    /// If `replies` is empty.
    pub fn respond_seq(self, replies: impl IntoIterator<Item = Reply>) -> RuleHandle {
        let replies: Vec<Reply> = replies.into_iter().collect();
        let rule = Rule::new(
            self.method,
            &self.path,
            self.matchers,
            replies,
            self.limit,
            false,
        );
        RuleHandle(self.mock.add_rule(rule))
    }

    /// Register the rule answering HTTP 200 with `value` as JSON; see [`Reply::json`].
    pub fn respond_json(self, value: Value) -> RuleHandle {
        self.respond(Reply::json(value))
    }

    /// Register the rule answering raw bytes; see [`Reply::raw`].
    pub fn respond_raw(
        self,
        status: u16,
        content_type: &str,
        body: impl Into<Bytes>,
    ) -> RuleHandle {
        self.respond(Reply::raw(status, content_type, body))
    }

    /// Register the rule answering a recorded file; see [`Reply::file`].
    pub fn respond_file(self, name: &str) -> RuleHandle {
        self.respond(Reply::file(name))
    }

    /// Register the rule failing with a transport error; see [`Reply::error`].
    pub fn fail(self, kind: TransportErrorKind, message: impl Into<String>) -> RuleHandle {
        self.respond(Reply::error(kind, message))
    }

    fn with(mut self, matcher: Matcher) -> Self {
        self.matchers.push(matcher);
        self
    }
}

impl fmt::Debug for RuleBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let matchers: Vec<String> = self.matchers.iter().map(ToString::to_string).collect();
        f.debug_struct("RuleBuilder")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("matchers", &matchers)
            .field("limit", &self.limit)
            .finish()
    }
}

/// A registered rule, for asserting how often it was used.
#[derive(Clone)]
pub struct RuleHandle(Arc<Rule>);

impl RuleHandle {
    /// How many requests this rule has served.
    pub fn calls(&self) -> usize {
        self.0.calls()
    }
}

impl fmt::Debug for RuleHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// `POST /card/code/consume where body contains {"code":"1"}`
impl fmt::Display for RuleHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partial_json_recurses_into_objects_only() {
        let body = json!({"card": {"card_id": "C", "x": 1}, "codes": ["a", "b"], "n": 1});
        assert!(json_contains(&body, &json!({})));
        assert!(json_contains(&body, &json!({"card": {"card_id": "C"}})));
        assert!(json_contains(&body, &json!({"codes": ["a", "b"], "n": 1})));
        assert!(!json_contains(&body, &json!({"codes": ["a"]})));
        assert!(!json_contains(&body, &json!({"card": {"card_id": "D"}})));
        assert!(!json_contains(&body, &json!({"missing": null})));
        assert!(!json_contains(&body, &json!({"n": 1.0})));
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("/card/get", "/card/get"), 0);
        assert_eq!(edit_distance("/card/code/comsume", "/card/code/consume"), 1);
        assert_eq!(edit_distance("/card/get", "/card/xyz"), 3);
        assert_eq!(edit_distance("团购", "团"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn paths_get_a_leading_slash() {
        assert_eq!(normalize_path("card/get"), "/card/get");
        assert_eq!(normalize_path("/card/get"), "/card/get");
    }
}
