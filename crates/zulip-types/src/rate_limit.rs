//! Rate-limit information, as plain numbers (this crate has no clock).

use std::time::Duration;

use http::HeaderMap;

/// The `X-RateLimit-*` headers of a response, present when rate limiting applied to it.
///
/// Each field is `None` when its header is missing, is not an unsigned integer, or is repeated
/// with different values.
///
/// ```
/// use zulip_types::RateLimitHeaders;
///
/// let response = http::Response::builder()
///     .header("X-RateLimit-Limit", "200")
///     .header("X-RateLimit-Remaining", "199")
///     .header("X-RateLimit-Reset", "1700000060")
///     .body(())
///     .unwrap();
/// let limits = RateLimitHeaders::from_headers(response.headers());
/// assert_eq!(limits.limit, Some(200));
/// assert_eq!(limits.remaining, Some(199));
/// assert_eq!(limits.reset, Some(1_700_000_060));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RateLimitHeaders {
    /// `X-RateLimit-Limit`: requests allowed in the current window.
    pub limit: Option<u64>,
    /// `X-RateLimit-Remaining`: requests left in the current window.
    pub remaining: Option<u64>,
    /// `X-RateLimit-Reset`: when the window resets, as **absolute** UNIX seconds.
    pub reset: Option<u64>,
}

impl RateLimitHeaders {
    /// Reads the headers.
    #[must_use]
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let number = |name: &str| single_value(headers, name)?.parse::<u64>().ok();
        Self {
            limit: number("x-ratelimit-limit"),
            remaining: number("x-ratelimit-remaining"),
            reset: number("x-ratelimit-reset"),
        }
    }

    /// `true` when no rate-limit header was usable.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.limit.is_none() && self.remaining.is_none() && self.reset.is_none()
    }
}

/// The `Retry-After` header as Zulip sends it: seconds as a float string, e.g.
/// `"28.706807374954224"`. Integer strings are accepted too; an HTTP-date is not (that would need
/// a clock). `None` when missing, repeated with different values, negative or not a finite number.
#[must_use]
pub fn retry_after_header(headers: &HeaderMap) -> Option<f64> {
    single_value(headers, "retry-after")?
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
}

/// Seconds as a [`Duration`], `None` when negative, NaN or too large.
#[must_use]
pub fn seconds_to_duration(seconds: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(seconds).ok()
}

/// The header's value when it occurs once, or several times with the same value.
fn single_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    if values.any(|other| other != first) {
        return None;
    }
    Some(first.to_str().ok()?.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn missing_malformed_and_conflicting_headers_are_none() {
        let map = headers(&[
            ("x-ratelimit-limit", "200"),
            ("x-ratelimit-limit", "100"),
            ("x-ratelimit-remaining", "-1"),
            ("x-ratelimit-reset", "soon"),
        ]);
        assert!(RateLimitHeaders::from_headers(&map).is_empty());
        assert!(RateLimitHeaders::from_headers(&HeaderMap::new()).is_empty());

        let repeated = headers(&[("x-ratelimit-limit", "200"), ("x-ratelimit-limit", "200")]);
        assert_eq!(RateLimitHeaders::from_headers(&repeated).limit, Some(200));
    }

    #[test]
    fn retry_after_is_a_float_string() {
        let cases: [(&'static str, Option<f64>); 7] = [
            ("28.706807374954224", Some(28.706_807_374_954_224)),
            ("30", Some(30.0)),
            (" 1.5 ", Some(1.5)),
            ("-1", None),
            ("NaN", None),
            ("inf", None),
            ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ];
        for (text, expected) in cases {
            assert_eq!(
                retry_after_header(&headers(&[("retry-after", text)])),
                expected,
                "{text}"
            );
        }
        assert_eq!(retry_after_header(&HeaderMap::new()), None);
    }

    #[test]
    fn durations_reject_what_is_not_a_wait() {
        assert_eq!(seconds_to_duration(1.5), Some(Duration::from_millis(1500)));
        assert_eq!(seconds_to_duration(-1.0), None);
        assert_eq!(seconds_to_duration(f64::NAN), None);
        assert_eq!(seconds_to_duration(1e300), None);
    }
}
