//! Instants as Zulip sends them: integer or float, milliseconds or seconds.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::num::NonZeroI64;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Number;

use crate::FeatureLevel;

/// The largest magnitude a wire timestamp may have: 2^53, the range in which every integer is
/// exactly representable as an IEEE 754 double (and therefore by Zulip's JavaScript clients).
pub const MAX_WIRE_MAGNITUDE: i64 = 1 << 53;

/// Wire values whose magnitude is at least this are milliseconds when no feature level is known.
///
/// A millisecond timestamp after March 1973 is at least 10^11; a second timestamp stays below
/// 10^11 until the year 5138, so real data is never ambiguous.
pub const MILLISECONDS_THRESHOLD: i64 = 100_000_000_000;

/// The unit of a timestamp on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    /// UNIX seconds (attachments from feature level 443).
    Seconds,
    /// UNIX milliseconds (attachments before feature level 443).
    Milliseconds,
}

impl TimeUnit {
    /// The unit that servers at `level` use for attachment timestamps (`create_time`,
    /// `date_sent`, and the legacy message `name`): milliseconds before level 443, seconds from it.
    #[must_use]
    pub const fn for_attachments_at(level: FeatureLevel) -> Self {
        if level.get() >= FeatureLevel::ATTACHMENT_TIMESTAMPS_IN_SECONDS.get() {
            Self::Seconds
        } else {
            Self::Milliseconds
        }
    }

    /// The unit guessed from the size of the number, for when the feature level is unknown:
    /// milliseconds when `|value| >=` [`MILLISECONDS_THRESHOLD`], else seconds.
    #[must_use]
    pub const fn from_magnitude(value: i64) -> Self {
        if value.unsigned_abs() >= MILLISECONDS_THRESHOLD.unsigned_abs() {
            Self::Milliseconds
        } else {
            Self::Seconds
        }
    }

    const fn millis(self) -> i64 {
        match self {
            Self::Seconds => 1000,
            Self::Milliseconds => 1,
        }
    }
}

impl fmt::Display for TimeUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Seconds => "s",
            Self::Milliseconds => "ms",
        })
    }
}

/// A timestamp's number exactly as the server wrote it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WireNumber {
    /// A JSON integer, e.g. `1588145417000` (Zulip 3.0 and later).
    Integer(i64),
    /// A JSON float with no fractional part, e.g. `1588145417000.0` (before Zulip 3.0).
    Float(f64),
}

impl WireNumber {
    /// The value as a JSON number.
    #[must_use]
    pub fn to_number(self) -> Number {
        match self {
            Self::Integer(value) => Number::from(value),
            // Only finite floats are ever stored; `from_f64` fails only for NaN and infinities.
            Self::Float(value) => Number::from_f64(value).unwrap_or_else(|| Number::from(0)),
        }
    }
}

impl fmt::Display for WireNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_number(), f)
    }
}

/// Why a JSON number is not a timestamp.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum TimestampError {
    /// A float with a fractional part, e.g. `1588145417000.5`.
    Fraction(f64),
    /// A number whose magnitude exceeds [`MAX_WIRE_MAGNITUDE`] (the text of the number).
    OutOfRange(String),
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fraction(value) => write!(
                f,
                "expected a whole number for a timestamp, found {value} which has a fraction"
            ),
            Self::OutOfRange(text) => write!(
                f,
                "expected a timestamp within ±2^53, found {text} which is out of range"
            ),
        }
    }
}

impl std::error::Error for TimestampError {}

/// An instant sent by a Zulip server, with the number it was sent as.
///
/// Zulip has sent attachment timestamps as float milliseconds (before 3.0), integer
/// milliseconds (3.0 to feature level 442) and integer seconds (from feature level 443).
/// `Timestamp` accepts a JSON integer or a float that is finite and whole, of magnitude at most
/// 2^53, and rejects anything else. It is read through [`serde_json::Number`], so it also works
/// when serde_json's `arbitrary_precision` feature is enabled anywhere in the dependency graph.
///
/// The unit is decided when the timestamp is read: from the server's feature level when the
/// caller knows it ([`TimeUnit::for_attachments_at`]), else from the magnitude of the number
/// ([`TimeUnit::from_magnitude`]). [`Timestamp::wire`] and [`Timestamp::unit`] keep what the
/// server sent; [`Timestamp::with_unit`] reinterprets it.
///
/// Equality, ordering and hashing compare the **instant** only: `1588145417000` ms, `1588145417000.0`
/// ms and `1588145417` s are equal.
///
/// ```
/// use zulip_types::{FeatureLevel, TimeUnit, Timestamp, WireNumber};
///
/// let legacy: Timestamp = serde_json::from_str("1588145417000.0")?;
/// assert_eq!(legacy.wire(), WireNumber::Float(1588145417000.0));
/// assert_eq!(legacy.unit(), TimeUnit::Milliseconds);
/// assert_eq!(legacy.as_unix_seconds(), 1588145417);
/// assert_eq!(legacy.to_string(), "2020-04-29T07:30:17Z");
///
/// let modern: Timestamp = serde_json::from_str("1588145417")?;
/// assert_eq!(modern.unit(), TimeUnit::Seconds);
/// assert_eq!(legacy, modern);
///
/// // A fraction is not a timestamp.
/// assert!(serde_json::from_str::<Timestamp>("1588145417.5").is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct Timestamp {
    /// The wire value, whether it was a float, and the unit, in 8 bytes: `value << 3 | unit << 2
    /// | float << 1 | 1`. `|value| <= 2^53`, so the shift cannot overflow, and floats are whole
    /// and within ±2^53, so they convert exactly. The low bit is always set: the word is never
    /// zero, so `Option<Timestamp>` is 8 bytes too (a large response holds one per attachment
    /// and per message).
    bits: NonZeroI64,
}

impl Timestamp {
    /// Reads a JSON number. `unit` is the unit when the caller knows it (see
    /// [`TimeUnit::for_attachments_at`]); `None` decides by magnitude.
    ///
    /// # Errors
    /// A float with a fraction, a non-finite float, or a magnitude above 2^53.
    pub fn from_number(number: &Number, unit: Option<TimeUnit>) -> Result<Self, TimestampError> {
        let wire = if let Some(value) = number.as_i64() {
            WireNumber::Integer(value)
        } else if number.is_u64() {
            return Err(TimestampError::OutOfRange(number.to_string()));
        } else {
            match number.as_f64() {
                Some(value) => WireNumber::Float(value),
                None => return Err(TimestampError::OutOfRange(number.to_string())),
            }
        };
        Self::from_wire(wire, unit)
    }

    /// Reads a wire number. `unit` as in [`Timestamp::from_number`].
    ///
    /// # Errors
    /// A float with a fraction, a non-finite float, or a magnitude above 2^53.
    pub fn from_wire(wire: WireNumber, unit: Option<TimeUnit>) -> Result<Self, TimestampError> {
        let (value, float) = match wire {
            WireNumber::Integer(value) => (value, false),
            WireNumber::Float(value) => {
                // The common case in one comparison: a whole number within ±2^53 survives the
                // round trip through `i64` (NaN becomes 0, infinities saturate: both fail).
                let whole = value as i64;
                if whole as f64 == value
                    && whole.unsigned_abs() <= MAX_WIRE_MAGNITUDE.unsigned_abs()
                {
                    let unit = unit.unwrap_or(TimeUnit::from_magnitude(whole));
                    return Ok(Self::pack(whole, true, unit));
                }
                if !value.is_finite() || value.abs() > MAX_WIRE_MAGNITUDE as f64 {
                    return Err(TimestampError::OutOfRange(wire.to_string()));
                }
                if value.fract() != 0.0 {
                    return Err(TimestampError::Fraction(value));
                }
                // Whole and within ±2^53: the conversion is exact.
                (value as i64, true)
            }
        };
        if value.unsigned_abs() > MAX_WIRE_MAGNITUDE.unsigned_abs() {
            return Err(TimestampError::OutOfRange(value.to_string()));
        }
        let unit = unit.unwrap_or(TimeUnit::from_magnitude(value));
        Ok(Self::pack(value, float, unit))
    }

    /// `value` must be within ±2^53 (checked by every caller).
    const fn pack(value: i64, float: bool, unit: TimeUnit) -> Self {
        let unit_bit = match unit {
            TimeUnit::Seconds => 0,
            TimeUnit::Milliseconds => 1,
        };
        let bits = (value << 3) | (unit_bit << 2) | ((float as i64) << 1) | 1;
        match NonZeroI64::new(bits) {
            Some(bits) => Self { bits },
            // The low bit is set: never zero.
            None => Self {
                bits: NonZeroI64::MIN,
            },
        }
    }

    /// The wire value (an integer; a float's exact whole value).
    const fn value(&self) -> i64 {
        self.bits.get() >> 3
    }

    /// Whether the wire value was a float.
    const fn is_float(&self) -> bool {
        self.bits.get() & 0b10 != 0
    }

    /// The instant `seconds` after the UNIX epoch, sent as an integer in seconds.
    /// `None` when `|seconds| > 2^53`.
    #[must_use]
    pub const fn from_unix_seconds(seconds: i64) -> Option<Self> {
        Self::integer(seconds, TimeUnit::Seconds)
    }

    /// The instant `millis` after the UNIX epoch, sent as an integer in milliseconds.
    /// `None` when `|millis| > 2^53`.
    #[must_use]
    pub const fn from_unix_millis(millis: i64) -> Option<Self> {
        Self::integer(millis, TimeUnit::Milliseconds)
    }

    const fn integer(value: i64, unit: TimeUnit) -> Option<Self> {
        if value.unsigned_abs() > MAX_WIRE_MAGNITUDE.unsigned_abs() {
            None
        } else {
            Some(Self::pack(value, false, unit))
        }
    }

    /// Milliseconds since the UNIX epoch.
    #[must_use]
    pub const fn as_unix_millis(&self) -> i64 {
        // |value| <= 2^53, so value * 1000 < 2^63: no overflow.
        self.value() * self.unit().millis()
    }

    /// Whole seconds since the UNIX epoch, rounded towards the past.
    #[must_use]
    pub const fn as_unix_seconds(&self) -> i64 {
        self.as_unix_millis().div_euclid(1000)
    }

    /// The milliseconds past [`Timestamp::as_unix_seconds`], `0..1000`.
    #[must_use]
    pub const fn subsec_millis(&self) -> u32 {
        self.as_unix_millis().rem_euclid(1000) as u32
    }

    /// The instant as a [`SystemTime`], or `None` when the platform cannot represent it.
    #[must_use]
    pub fn to_system_time(&self) -> Option<SystemTime> {
        let millis = self.as_unix_millis();
        let offset = Duration::from_millis(millis.unsigned_abs());
        if millis >= 0 {
            UNIX_EPOCH.checked_add(offset)
        } else {
            UNIX_EPOCH.checked_sub(offset)
        }
    }

    /// The number exactly as the server sent it.
    #[must_use]
    pub fn wire(&self) -> WireNumber {
        if self.is_float() {
            WireNumber::Float(self.value() as f64)
        } else {
            WireNumber::Integer(self.value())
        }
    }

    /// The unit the wire number was read in.
    #[must_use]
    pub const fn unit(&self) -> TimeUnit {
        if self.bits.get() & 0b100 != 0 {
            TimeUnit::Milliseconds
        } else {
            TimeUnit::Seconds
        }
    }

    /// The same wire number read in another unit (a different instant unless the unit is the same).
    #[must_use]
    pub const fn with_unit(self, unit: TimeUnit) -> Self {
        Self::pack(self.value(), self.is_float(), unit)
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.as_unix_millis() == other.as_unix_millis()
    }
}

impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_unix_millis().cmp(&other.as_unix_millis())
    }
}

impl Hash for Timestamp {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_unix_millis().hash(state);
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self}, wire {} {})", self.wire(), self.unit())
    }
}

/// RFC 3339 in UTC: `2020-04-29T07:30:17Z`, with `.mmm` when the instant has milliseconds.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.as_unix_seconds();
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        let of_day = seconds.rem_euclid(86_400);
        let (hour, minute, second) = (of_day / 3600, of_day % 3600 / 60, of_day % 60);
        if year < 0 {
            write!(f, "-{:04}", year.unsigned_abs())?;
        } else {
            write!(f, "{year:04}")?;
        }
        write!(f, "-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}")?;
        match self.subsec_millis() {
            0 => f.write_str("Z"),
            millis => write!(f, ".{millis:03}Z"),
        }
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day); Howard Hinnant's algorithm.
const fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// Reads a JSON number through [`serde_json::Number`]; the unit is decided by magnitude.
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let number = Number::deserialize(deserializer)?;
        Self::from_number(&number, None).map_err(serde::de::Error::custom)
    }
}

/// Writes the wire number unchanged (`1588145417000.0` stays a float).
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.wire().serialize(serializer)
    }
}

/// An integer as an integer, a float as a float (`1588145417000.0`).
impl Serialize for WireNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Self::Integer(value) => serializer.serialize_i64(value),
            Self::Float(value) => serializer.serialize_f64(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_rfc3339_utc() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (1_588_145_417_000, "2020-04-29T07:30:17Z"),
            (1_588_145_417_123, "2020-04-29T07:30:17.123Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (951_782_400_000, "2000-02-29T00:00:00Z"),
            (-62_135_596_800_000, "0001-01-01T00:00:00Z"),
            (-62_167_219_200_000, "0000-01-01T00:00:00Z"),
            (-62_198_755_200_000, "-0001-01-01T00:00:00Z"),
        ];
        for (millis, text) in cases {
            let ts = Timestamp::from_unix_millis(millis).unwrap();
            assert_eq!(ts.to_string(), text, "{millis}");
        }
    }

    #[test]
    fn packed_in_eight_bytes() {
        assert_eq!(std::mem::size_of::<Timestamp>(), 8);
        assert_eq!(std::mem::size_of::<Option<Timestamp>>(), 8);
        for value in [
            0,
            1,
            -1,
            MAX_WIRE_MAGNITUDE,
            -MAX_WIRE_MAGNITUDE,
            1_588_145_417_000,
        ] {
            for float in [false, true] {
                for unit in [TimeUnit::Seconds, TimeUnit::Milliseconds] {
                    let ts = Timestamp::pack(value, float, unit);
                    assert_eq!((ts.value(), ts.is_float(), ts.unit()), (value, float, unit));
                    let other = match unit {
                        TimeUnit::Seconds => TimeUnit::Milliseconds,
                        TimeUnit::Milliseconds => TimeUnit::Seconds,
                    };
                    let moved = ts.with_unit(other);
                    assert_eq!(
                        (moved.value(), moved.is_float(), moved.unit()),
                        (value, float, other)
                    );
                }
            }
        }
    }

    #[test]
    fn extremes_do_not_overflow() {
        for value in [MAX_WIRE_MAGNITUDE, -MAX_WIRE_MAGNITUDE] {
            let ts = Timestamp::from_unix_seconds(value).unwrap();
            assert_eq!(ts.as_unix_millis(), value * 1000);
            let _ = ts.to_string();
            let _ = ts.to_system_time();
        }
        assert!(Timestamp::from_unix_seconds(MAX_WIRE_MAGNITUDE + 1).is_none());
        assert!(Timestamp::from_unix_millis(i64::MIN).is_none());
    }

    #[test]
    fn magnitude_rule_boundary() {
        assert_eq!(
            TimeUnit::from_magnitude(MILLISECONDS_THRESHOLD - 1),
            TimeUnit::Seconds
        );
        assert_eq!(
            TimeUnit::from_magnitude(MILLISECONDS_THRESHOLD),
            TimeUnit::Milliseconds
        );
        assert_eq!(
            TimeUnit::from_magnitude(-MILLISECONDS_THRESHOLD),
            TimeUnit::Milliseconds
        );
    }

    #[test]
    fn feature_level_rule_boundary() {
        assert_eq!(
            TimeUnit::for_attachments_at(FeatureLevel::new(442)),
            TimeUnit::Milliseconds
        );
        assert_eq!(
            TimeUnit::for_attachments_at(FeatureLevel::new(443)),
            TimeUnit::Seconds
        );
    }

    #[test]
    fn rejects_what_is_not_a_whole_number_in_range() {
        let bad = [
            "1.5",
            "1e300",
            "9007199254740993",
            "-9007199254740993",
            "18446744073709551615",
            "9007199254740994.0",
            "\"1588145417000\"",
            "null",
            "true",
            "[]",
        ];
        for text in bad {
            assert!(serde_json::from_str::<Timestamp>(text).is_err(), "{text}");
        }
        let good = [
            ("9007199254740992", MAX_WIRE_MAGNITUDE),
            ("9007199254740992.0", MAX_WIRE_MAGNITUDE),
            ("-9007199254740992", -MAX_WIRE_MAGNITUDE),
            ("1.5e12", 1_500_000_000_000),
            ("0", 0),
            ("-0.0", 0),
        ];
        for (text, value) in good {
            let ts: Timestamp = serde_json::from_str(text).unwrap();
            let wire = match ts.wire() {
                WireNumber::Integer(v) => v,
                WireNumber::Float(v) => v as i64,
            };
            assert_eq!(wire, value, "{text}");
        }
    }

    #[test]
    fn wire_number_survives_serialization() {
        // Floats of 16 digits and more need serde_json's `float_roundtrip`: without it,
        // "-9007125479925441.0" reads as -9007125479925442 (found by the timestamp fuzz target).
        for text in [
            "1588145417000.0",
            "1588145417000",
            "1588145417",
            "-5",
            "-9007125479925441.0",
            "9007199254740991.0",
            "1234567890123457.0",
        ] {
            let ts: Timestamp = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&ts).unwrap(), text);
        }
    }
}
