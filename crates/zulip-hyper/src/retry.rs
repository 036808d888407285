//! The opt-in retry policy for rate-limited requests.

use std::time::Duration;

use zulip_types::ServerError;

/// Retries requests that were rate limited (HTTP 429 or code `RATE_LIMIT_HIT`), waiting what
/// the server asks for. Off unless given to
/// [`ClientBuilder::retry_policy`](crate::ClientBuilder::retry_policy).
///
/// Bounded three ways: at most [`max_attempts`](RetryPolicy::max_attempts) attempts in all,
/// at most [`max_total_wait`](RetryPolicy::max_total_wait) spent waiting over all retries (a
/// wait that does not fit in what is left is not started: the 429 is returned at once), and no
/// retry when the server gives no `retry-after` unless
/// [`wait_without_retry_after`](RetryPolicy::wait_without_retry_after) is set. A rate-limited
/// request was not processed by the server, so retrying it is safe for every method.
///
/// ```
/// use std::time::Duration;
/// use zulip_hyper::RetryPolicy;
///
/// let policy = RetryPolicy::new()
///     .max_attempts(4)
///     .max_total_wait(Duration::from_secs(90));
/// assert_eq!(policy.wait_without_retry_after, None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (so 1 means no retry). Default 3.
    pub max_attempts: u32,
    /// The most time spent waiting, over all retries of one request. Default 60 s.
    pub max_total_wait: Duration,
    /// How long to wait when a rate-limit error carries no usable `retry-after`; `None` (the
    /// default) returns such errors without retrying.
    pub wait_without_retry_after: Option<Duration>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl RetryPolicy {
    /// 3 attempts, 60 s of waiting at most, no retry without a `retry-after`.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            max_attempts: 3,
            max_total_wait: Duration::from_secs(60),
            wait_without_retry_after: None,
        }
    }

    /// Sets the number of attempts in all, the first included (at least 1).
    #[must_use]
    pub const fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// Sets the most time spent waiting over all retries of one request.
    #[must_use]
    pub const fn max_total_wait(mut self, wait: Duration) -> Self {
        self.max_total_wait = wait;
        self
    }

    /// Retries rate-limit errors without a `retry-after` after this wait.
    #[must_use]
    pub const fn wait_without_retry_after(mut self, wait: Duration) -> Self {
        self.wait_without_retry_after = Some(wait);
        self
    }

    /// How long to wait before the next attempt, or `None` to return `error` as it is.
    ///
    /// `attempts` is the number of attempts made so far (at least 1) and `waited` the time
    /// already spent waiting for this request.
    #[must_use]
    pub fn delay(&self, error: &ServerError, attempts: u32, waited: Duration) -> Option<Duration> {
        if !error.is_rate_limited() || attempts >= self.max_attempts {
            return None;
        }
        let wait = error
            .retry_after_duration()
            .or(self.wait_without_retry_after)?;
        let remaining = self.max_total_wait.checked_sub(waited)?;
        (wait <= remaining).then_some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16, body: &str, header: Option<&str>) -> ServerError {
        let mut response = http::Response::builder().status(status);
        if let Some(value) = header {
            response = response.header("retry-after", value);
        }
        ServerError::from_response(&response.body(body.as_bytes()).unwrap())
    }

    const LIMITED: &str = r#"{"result":"error","msg":"API usage exceeded rate limit","code":"RATE_LIMIT_HIT","retry-after":0.25}"#;

    #[test]
    fn decisions() {
        let policy = RetryPolicy::new()
            .max_attempts(3)
            .max_total_wait(Duration::from_secs(1));
        let limited = error(429, LIMITED, None);
        let ms = Duration::from_millis;
        // Waits what the server says, as long as attempts and budget allow.
        assert_eq!(policy.delay(&limited, 1, ms(0)), Some(ms(250)));
        assert_eq!(policy.delay(&limited, 2, ms(250)), Some(ms(250)));
        assert_eq!(
            policy.delay(&limited, 3, ms(500)),
            None,
            "attempts exhausted"
        );
        assert_eq!(
            policy.delay(&limited, 1, ms(800)),
            None,
            "wait exceeds what is left"
        );
        assert_eq!(
            policy.delay(&limited, 1, ms(750)),
            Some(ms(250)),
            "exactly fits"
        );
        assert_eq!(
            policy.delay(&limited, 1, ms(2000)),
            None,
            "budget overspent"
        );
        // The header is used when the body has no retry-after (old servers: no code either).
        let old = error(
            429,
            r#"{"result":"error","msg":"API usage exceeded rate limit","retry-after":null}"#,
            Some("0.5"),
        );
        assert_eq!(policy.delay(&old, 1, ms(0)), Some(ms(500)));
        // No retry-after at all: no retry, unless configured.
        let bare = error(429, "<html>Too Many Requests</html>", None);
        assert_eq!(policy.delay(&bare, 1, ms(0)), None);
        let fallback = policy.wait_without_retry_after(ms(100));
        assert_eq!(fallback.delay(&bare, 1, ms(0)), Some(ms(100)));
        // Other errors are never retried.
        let other = error(
            400,
            r#"{"result":"error","msg":"x","code":"BAD_REQUEST"}"#,
            Some("1"),
        );
        assert_eq!(fallback.delay(&other, 1, ms(0)), None);
        assert_eq!(RetryPolicy::new().max_attempts(0).max_attempts, 1);
    }
}
