//! The in-memory transport.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use card_core::{HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind};
use http::Method;

use crate::redact;
use crate::rule::{normalize_path, Miss, Rule};
use crate::{recorded, MockRequest, Reply, RuleBuilder};

/// How many near-miss rules an unmatched-request error names.
const NEAREST_SHOWN: usize = 5;

/// An in-memory [`Transport`] answering from rules, and logging every request it receives.
///
/// Cheap to clone: clones share the same rules and log, so a test keeps one clone for its
/// assertions and hands another to the client. See the [crate documentation](crate) for an
/// example.
///
/// - **Rules** are added with [`on`](Self::on) / [`on_get`](Self::on_get) /
///   [`on_post`](Self::on_post). The most recently added rule that matches wins, so a test can
///   override one endpoint of [`recorded`](Self::recorded) and leave the rest alone.
/// - **Unmatched requests** get `Err(TransportError)` of kind [`TransportErrorKind::Other`]
///   naming the request and the nearest rules. `send` itself never panics.
/// - **Credentials** (`access_token` and `secret` values) never appear in its messages or in any
///   `Debug` output.
#[derive(Clone, Default)]
pub struct MockTransport {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    rules: Mutex<Vec<Arc<Rule>>>,
    requests: Mutex<Vec<MockRequest>>,
}

/// The default replies of one recorded endpoint: its recorded answer, and for the token
/// endpoints a fresh token on each later fetch.
fn default_replies(row: &recorded::RecordedEndpoint) -> Vec<Reply> {
    let first = Reply::file(row.response_file);
    if !matches!(row.path, "/cgi-bin/token" | "/cgi-bin/stable_token") {
        return vec![first];
    }
    let recorded: serde_json::Value = recorded::get(row.response_file)
        .and_then(|body| serde_json::from_str(body).ok())
        .unwrap_or_default();
    let token = recorded["access_token"].as_str().unwrap_or("TOKEN");
    let later = (2..=10).map(|n| {
        Reply::json(serde_json::json!({"access_token": format!("{token}-{n}"), "expires_in": 7200}))
    });
    std::iter::once(first).chain(later).collect()
}

impl MockTransport {
    /// A mock with no rules: every request is unmatched until rules are added.
    pub fn new() -> Self {
        Self::default()
    }

    /// A mock answering every endpoint of [`recorded::ENDPOINTS`] with its recorded success
    /// response (HTTP 200): a realistic backend in one line.
    ///
    /// Like WeChat, the token endpoints hand out a new token on each fetch: the recorded one
    /// first, then `<recorded>-2`, `<recorded>-3`, ... (the tenth repeats), so a test that
    /// answers one call with 40001 sees the client refresh and repeat it with a new token.
    ///
    /// Rules added later take precedence over these defaults, and
    /// [`assert_all_used`](Self::assert_all_used) ignores the defaults.
    pub fn recorded() -> Self {
        let mock = Self::new();
        for row in recorded::ENDPOINTS {
            let method = Method::from_bytes(row.method.as_bytes())
                .expect("recorded::ENDPOINTS holds valid methods");
            mock.add_rule(Rule::background(method, row.path, default_replies(row)));
        }
        mock
    }

    /// Start a rule for `method` and `path` (such as `"/card/code/consume"`; the leading `/` is
    /// optional). Finish it with a responder such as [`RuleBuilder::respond_json`].
    pub fn on(&self, method: Method, path: &str) -> RuleBuilder {
        RuleBuilder::new(self.clone(), method, path)
    }

    /// Start a rule for `GET path`; see [`on`](Self::on).
    pub fn on_get(&self, path: &str) -> RuleBuilder {
        self.on(Method::GET, path)
    }

    /// Start a rule for `POST path`; see [`on`](Self::on).
    pub fn on_post(&self, path: &str) -> RuleBuilder {
        self.on(Method::POST, path)
    }

    /// Every request received so far, oldest first, matched or not.
    pub fn requests(&self) -> Vec<MockRequest> {
        lock(&self.inner.requests).clone()
    }

    /// The requests received for `path` (any method), oldest first.
    pub fn requests_to(&self, path: &str) -> Vec<MockRequest> {
        let path = normalize_path(path);
        lock(&self.inner.requests)
            .iter()
            .filter(|request| request.path() == path)
            .cloned()
            .collect()
    }

    /// Forget the requests logged so far. Rules and their call counts are kept.
    pub fn clear_requests(&self) {
        lock(&self.inner.requests).clear();
    }

    /// Panic, listing them, if some rules added with [`on`](Self::on) never served a request.
    /// The defaults preloaded by [`recorded`](Self::recorded) are not checked.
    #[track_caller]
    pub fn assert_all_used(&self) {
        let unused: Vec<String> = lock(&self.inner.rules)
            .iter()
            .filter(|rule| !rule.is_background() && rule.calls() == 0)
            .map(|rule| format!("\n  - {rule}"))
            .collect();
        if !unused.is_empty() {
            panic!(
                "{} mock rule(s) never used:{}",
                unused.len(),
                unused.concat()
            );
        }
    }

    pub(crate) fn add_rule(&self, rule: Rule) -> Arc<Rule> {
        let rule = Arc::new(rule);
        lock(&self.inner.rules).push(Arc::clone(&rule));
        rule
    }

    /// Log `request` and answer it from the newest matching rule.
    fn answer(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let request = MockRequest::from_http(request);
        lock(&self.inner.requests).push(request.clone());
        // Match on a snapshot, with no lock held: predicates are user code.
        let rules = lock(&self.inner.rules).clone();
        match rules.iter().rev().find_map(|rule| rule.serve(&request)) {
            Some(reply) => reply.to_result(),
            None => Err(unmatched(&request, &rules)),
        }
    }
}

#[async_trait::async_trait]
impl Transport for MockTransport {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.answer(request)
    }
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockTransport")
            .field("rules", &lock(&self.inner.rules).len())
            .field("requests", &lock(&self.inner.requests).len())
            .finish()
    }
}

/// The error for a request no rule serves: names the request, a body snippet and the nearest
/// rules, credentials redacted.
fn unmatched(request: &MockRequest, rules: &[Arc<Rule>]) -> TransportError {
    let mut near: Vec<(Miss, String)> = rules
        .iter()
        .rev()
        .filter_map(|rule| rule.miss(request).map(|miss| (miss, rule.to_string())))
        .collect();
    near.sort();
    let mut seen = HashSet::new();
    near.retain(|(_, rule)| seen.insert(rule.clone()));

    let mut message = format!(
        "no mock rule matches {request} with body {}",
        redact::body_snippet(request.body())
    );
    if near.is_empty() {
        message.push_str(&format!(
            "; no rule is close (rules registered: {})",
            rules.len()
        ));
    } else {
        message.push_str("; nearest rules:");
        for (miss, rule) in near.into_iter().take(NEAREST_SHOWN) {
            let why = match miss {
                Miss::Condition(why) => why,
                Miss::Method => "method differs".to_owned(),
                Miss::Path { .. } => "similar path".to_owned(),
            };
            message.push_str(&format!("\n  - {rule} ({why})"));
        }
    }
    TransportError::new(TransportErrorKind::Other, message)
}

/// Lock, ignoring poisoning: the data stays consistent whatever panicked, and `send` must not
/// panic.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
