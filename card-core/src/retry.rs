//! The retry policy, in one place.
//!
//! | failure | idempotent operation | non-idempotent operation |
//! |---|---|---|
//! | stale token (40001, 40014, 42001) | forget the token, fetch another, repeat once | same |
//! | connect failure (nothing was sent) | retry with backoff | retry with backoff |
//! | timeout or I/O error after sending, HTTP 5xx, `-1` system busy, a 2xx answer cut off or garbled | retry with backoff | **never**, unless the call opts in ([`CallOptions::retry_ambiguous`]) |
//! | quota (45009, 45011), IP whitelist (40164), format and argument errors, 4xx, undecodable answers, anything else | never | never |
//!
//! Backoff is exponential from [`RetryPolicy::base_delay`], capped at
//! [`RetryPolicy::max_delay`], with "equal jitter" (a delay `d` becomes a random wait in
//! `[d/2, d]`) so that many clients recovering at once do not retry in lockstep. Waiting goes
//! through the client's injected [`Sleep`](crate::sleep::Sleep); card-core has no runtime.
//! [`RetryPolicy::off`] turns every retry off, the stale-token one included.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::{ApiErrorKind, DecodeError, Error};
use crate::transport::TransportErrorKind;

/// How a failure bears on retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailureClass {
    /// WeChat rejected the access token: refresh it and repeat once.
    StaleToken,
    /// The request certainly never reached WeChat (connect failure): safe to repeat.
    NothingSent,
    /// The request may have been applied (timeout, I/O error after sending, 5xx, `-1`):
    /// safe to repeat only if the operation is idempotent.
    Ambiguous,
    /// Repeating cannot help, or could do harm.
    Permanent,
}

impl FailureClass {
    /// Classify an error.
    pub fn of(error: &Error) -> Self {
        match error {
            Error::Api(api) => match api.kind() {
                ApiErrorKind::TokenStale => Self::StaleToken,
                ApiErrorKind::SystemBusy => Self::Ambiguous,
                _ => Self::Permanent,
            },
            Error::AccessToken(_) => Self::Permanent,
            Error::Http { status, .. } if status.is_server_error() => Self::Ambiguous,
            // A 2xx answer cut off or garbled in transit: WeChat handled the request, and the
            // outcome is unknown. (An answer that parsed but had an unexpected shape is not
            // transient, and repeating it would not help.)
            Error::Decode {
                source: DecodeError::Empty | DecodeError::Syntax(_),
                ..
            } => Self::Ambiguous,
            Error::Transport(e) => match e.kind() {
                TransportErrorKind::Connect => Self::NothingSent,
                TransportErrorKind::Timeout | TransportErrorKind::Io => Self::Ambiguous,
                _ => Self::Permanent,
            },
            _ => Self::Permanent,
        }
    }
}

/// How often and how patiently transient failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most attempts in all for transient failures (1 = no retry). The stale-token repeat is
    /// separate and happens at most once.
    pub max_attempts: u32,
    /// Delay before the first retry (doubled for each further one).
    pub base_delay: Duration,
    /// Longest delay between two attempts.
    pub max_delay: Duration,
    /// Whether a stale token is refreshed and the call repeated once.
    pub refresh_stale_token: bool,
}

impl Default for RetryPolicy {
    /// Three attempts, 100 ms then 200 ms (jittered), stale-token refresh on.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            refresh_stale_token: true,
        }
    }
}

impl RetryPolicy {
    /// No retry of any kind, not even the stale-token refresh (the rejected token is still
    /// forgotten, so the next call uses a new one).
    pub fn off() -> Self {
        Self {
            max_attempts: 1,
            refresh_stale_token: false,
            ..Self::default()
        }
    }

    /// The wait before attempt number `next_attempt` (2 for the first retry), jittered.
    pub fn delay_before(&self, next_attempt: u32) -> Duration {
        let doublings = next_attempt.saturating_sub(2).min(30);
        let full = self
            .base_delay
            .saturating_mul(1 << doublings)
            .min(self.max_delay);
        let half = full / 2;
        let spread = (full - half).as_nanos() as u64;
        let jitter = if spread == 0 {
            0
        } else {
            random_u64() % (spread + 1)
        };
        half + Duration::from_nanos(jitter)
    }
}

/// Per-call choices, applied with [`CardClient::with_options`](crate::CardClient::with_options).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// Retry ambiguous failures (timeouts, I/O errors after sending, 5xx, `-1`) even for a
    /// non-idempotent operation. Only for callers who can tolerate the operation being applied
    /// twice, or who made it safe (for example an absolute `bonus` sent with the delta).
    pub retry_ambiguous: bool,
    /// A policy for these calls instead of the client's.
    pub retry_policy: Option<RetryPolicy>,
}

impl CallOptions {
    /// Retry ambiguous failures even for non-idempotent operations.
    pub fn retry_ambiguous(mut self, yes: bool) -> Self {
        self.retry_ambiguous = yes;
        self
    }

    /// Use `policy` for these calls.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = Some(policy);
        self
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    RefreshTokenAndRepeat,
    RetryAfter(Duration),
    GiveUp,
}

/// The state of one call's attempts.
#[derive(Debug)]
pub(crate) struct Attempts {
    policy: RetryPolicy,
    may_repeat_ambiguous: bool,
    /// Attempts made so far that count against `max_attempts`.
    transient: u32,
    token_refreshed: bool,
}

impl Attempts {
    pub(crate) fn new(policy: RetryPolicy, idempotent: bool, options: &CallOptions) -> Self {
        Self {
            policy,
            may_repeat_ambiguous: idempotent || options.retry_ambiguous,
            transient: 1,
            token_refreshed: false,
        }
    }

    /// Decide after the token fetch failed with `error`. Nothing of the operation was sent,
    /// so this is judged like an idempotent read; a stale-token code from the token endpoint
    /// means bad credentials and is final.
    pub(crate) fn next_token_fetch(&mut self, error: &Error) -> Next {
        match FailureClass::of(error) {
            FailureClass::NothingSent | FailureClass::Ambiguous => self.retry(),
            _ => Next::GiveUp,
        }
    }

    fn retry(&mut self) -> Next {
        if self.transient >= self.policy.max_attempts {
            return Next::GiveUp;
        }
        self.transient += 1;
        Next::RetryAfter(self.policy.delay_before(self.transient))
    }

    /// Decide after `error`.
    pub(crate) fn next(&mut self, error: &Error) -> Next {
        match FailureClass::of(error) {
            FailureClass::StaleToken
                if self.policy.refresh_stale_token && !self.token_refreshed =>
            {
                self.token_refreshed = true;
                Next::RefreshTokenAndRepeat
            }
            FailureClass::NothingSent => self.retry(),
            FailureClass::Ambiguous if self.may_repeat_ambiguous => self.retry(),
            _ => Next::GiveUp,
        }
    }
}

/// A random number from the standard library's per-process random hash keys, so card-core
/// needs no RNG dependency for jitter (not for cryptography).
pub(crate) fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, BodySnippet};
    use crate::TransportError;

    fn api(code: i64) -> Error {
        ApiError::new(code, "x").into()
    }

    fn http(status: u16) -> Error {
        Error::Http {
            status: http::StatusCode::from_u16(status).unwrap(),
            body: BodySnippet::new(b""),
        }
    }

    #[test]
    fn classification_follows_the_table() {
        use FailureClass::*;
        for (error, class) in [
            (api(40001), StaleToken),
            (api(40014), StaleToken),
            (api(42001), StaleToken),
            (api(-1), Ambiguous),
            (api(45009), Permanent),
            (api(45011), Permanent),
            (api(40164), Permanent),
            (api(40033), Permanent),
            (api(47001), Permanent),
            (api(40071), Permanent),
            (api(40099), Permanent),
            (http(502), Ambiguous),
            (http(503), Ambiguous),
            (http(404), Permanent),
            (TransportError::connect("refused").into(), NothingSent),
            (TransportError::timeout("slow").into(), Ambiguous),
            (TransportError::io("reset").into(), Ambiguous),
            (TransportError::invalid_request("bad").into(), Permanent),
            (Error::invalid_argument("count", "too big"), Permanent),
        ] {
            assert_eq!(FailureClass::of(&error), class, "{error:?}");
        }
    }

    #[test]
    fn non_idempotent_operations_never_repeat_ambiguous_failures() {
        let mut attempts = Attempts::new(RetryPolicy::default(), false, &CallOptions::default());
        assert_eq!(
            attempts.next(&TransportError::timeout("t").into()),
            Next::GiveUp
        );
        assert_eq!(attempts.next(&api(-1)), Next::GiveUp);
        assert_eq!(attempts.next(&http(502)), Next::GiveUp);
        assert!(matches!(
            attempts.next(&TransportError::connect("c").into()),
            Next::RetryAfter(_)
        ));
    }

    #[test]
    fn opting_in_repeats_ambiguous_failures_of_non_idempotent_operations() {
        let options = CallOptions::default().retry_ambiguous(true);
        let mut attempts = Attempts::new(RetryPolicy::default(), false, &options);
        assert!(matches!(
            attempts.next(&TransportError::timeout("t").into()),
            Next::RetryAfter(_)
        ));
    }

    #[test]
    fn attempts_are_bounded() {
        let mut attempts = Attempts::new(RetryPolicy::default(), true, &CallOptions::default());
        assert!(matches!(attempts.next(&api(-1)), Next::RetryAfter(_)));
        assert!(matches!(attempts.next(&api(-1)), Next::RetryAfter(_)));
        assert_eq!(attempts.next(&api(-1)), Next::GiveUp);
    }

    #[test]
    fn the_stale_token_refresh_happens_once() {
        let mut attempts = Attempts::new(RetryPolicy::default(), false, &CallOptions::default());
        assert_eq!(attempts.next(&api(40001)), Next::RefreshTokenAndRepeat);
        assert_eq!(attempts.next(&api(42001)), Next::GiveUp);
    }

    #[test]
    fn off_means_off_on_every_path() {
        for error in [
            api(40001),
            api(-1),
            TransportError::connect("c").into(),
            TransportError::timeout("t").into(),
        ] {
            let mut attempts = Attempts::new(
                RetryPolicy::off(),
                true,
                &CallOptions::default().retry_ambiguous(true),
            );
            assert_eq!(attempts.next(&error), Next::GiveUp, "{error:?}");
        }
    }

    #[test]
    fn delays_grow_are_jittered_and_capped() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            ..RetryPolicy::default()
        };
        for _ in 0..100 {
            let first = policy.delay_before(2);
            assert!(
                first >= Duration::from_millis(50) && first <= Duration::from_millis(100),
                "{first:?}"
            );
            let second = policy.delay_before(3);
            assert!(
                second >= Duration::from_millis(100) && second <= Duration::from_millis(200),
                "{second:?}"
            );
            let late = policy.delay_before(30);
            assert!(
                late >= Duration::from_millis(150) && late <= Duration::from_millis(300),
                "{late:?}"
            );
        }
    }
}
