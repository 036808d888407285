//! A tiny, dependency-free JSON writer with exact control over the bytes.
//!
//! The server must not share a JSON model with `zulip-types` (nor rely on `serde_json`'s map
//! ordering, which a feature flag elsewhere in the dependency graph can change), and it has to
//! reproduce details real servers differ in: Python-style floats (`1588145417000.0`), key order,
//! `\uXXXX` escaping of non-ASCII text and `\/` escaping of slashes (ujson, Zulip ≤ 2.x).

use std::fmt::Write as _;

/// A JSON value, built by hand. Objects keep their keys in insertion order unless the
/// [`JsonStyle`] asks for sorted keys.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A signed integer, written without a fraction.
    Int(i64),
    /// An unsigned integer, written without a fraction.
    UInt(u64),
    /// A float, written the way Python's `repr(float)` does: `1588145417000.0`, `28.706807374954224`,
    /// `1e-05`. Non-finite values are written as `null`.
    Float(f64),
    /// A string, escaped according to the [`JsonStyle`].
    Str(String),
    /// An array.
    Array(Vec<Json>),
    /// An object: keys in insertion order (or sorted, see [`KeyOrder`]).
    Object(Vec<(String, Json)>),
    /// Already-serialized JSON text, copied verbatim (used to splice cached fragments).
    Raw(String),
}

impl Json {
    /// A string value.
    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// An object from `(key, value)` pairs, in this order.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Json)>) -> Json {
        Json::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Serializes this value with `style`.
    pub fn to_string_with(&self, style: &JsonStyle) -> String {
        let mut out = String::new();
        self.write_to(&mut out, style);
        out
    }

    /// Appends this value, serialized with `style`, to `out`.
    pub fn write_to(&self, out: &mut String, style: &JsonStyle) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Json::UInt(u) => {
                let _ = write!(out, "{u}");
            }
            Json::Float(f) => write_python_float(out, *f),
            Json::Str(s) => write_string(out, s, style),
            Json::Raw(raw) => out.push_str(raw),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_to(out, style);
                }
                out.push(']');
            }
            Json::Object(pairs) => {
                out.push('{');
                let mut refs: Vec<&(String, Json)> = pairs.iter().collect();
                if style.key_order == KeyOrder::Sorted {
                    refs.sort_by(|a, b| a.0.cmp(&b.0));
                }
                for (i, (key, value)) in refs.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, key, style);
                    out.push(':');
                    value.write_to(out, style);
                }
                out.push('}');
            }
        }
    }
}

/// In which order object keys are written. Parsers must not care; tests can pick either.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KeyOrder {
    /// The order real Zulip servers produce: `result`, `msg`, then the endpoint's data in the
    /// order the server's Python code builds it, `ignored_parameters_unsupported` last.
    #[default]
    Server,
    /// Keys sorted by code point, like the examples in Zulip's API documentation.
    Sorted,
}

/// How JSON text is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonStyle {
    /// Object key order.
    pub key_order: KeyOrder,
    /// Escape every non-ASCII character as `\uXXXX` (surrogate pairs above U+FFFF), as ujson's
    /// default `ensure_ascii=True` did on Zulip servers before the switch to orjson.
    pub ascii_only: bool,
    /// Escape `/` as `\/`, as ujson's default `escape_forward_slashes=True` did.
    pub escape_slashes: bool,
    /// End every body with `\n` (Zulip's `json_response` always has).
    pub trailing_newline: bool,
}

impl JsonStyle {
    /// orjson-era servers (Zulip 3.0 and later): raw UTF-8, no slash escaping, server key order.
    pub const MODERN: JsonStyle = JsonStyle {
        key_order: KeyOrder::Server,
        ascii_only: false,
        escape_slashes: false,
        trailing_newline: true,
    };

    /// ujson-era servers (Zulip 1.6 – 2.1): `\uXXXX` for non-ASCII, `\/` for slashes.
    pub const UJSON: JsonStyle = JsonStyle {
        key_order: KeyOrder::Server,
        ascii_only: true,
        escape_slashes: true,
        trailing_newline: true,
    };

    /// Compact, sorted keys, raw UTF-8, no trailing newline: the API documentation's form, handy
    /// for comparing against literal expected strings.
    pub const SORTED_COMPACT: JsonStyle = JsonStyle {
        key_order: KeyOrder::Sorted,
        ascii_only: false,
        escape_slashes: false,
        trailing_newline: false,
    };
}

impl Default for JsonStyle {
    fn default() -> Self {
        JsonStyle::MODERN
    }
}

/// Appends `s` as a JSON string literal escaped according to `style`.
pub(crate) fn write_string(out: &mut String, s: &str, style: &JsonStyle) {
    out.push('"');
    let plain = s.bytes().all(|b| {
        b >= 0x20
            && b != b'"'
            && b != b'\\'
            && !(style.escape_slashes && b == b'/')
            && !(style.ascii_only && b >= 0x80)
    });
    if plain {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '/' if style.escape_slashes => out.push_str("\\/"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if style.ascii_only && !c.is_ascii() => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes `x` the way Python's `repr(float)` does (shortest round-trip digits, always a `.0` for
/// integral values, exponent form below 1e-4 and from 1e16).
pub(crate) fn write_python_float(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str("null");
        return;
    }
    let a = x.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        let s = format!("{x:e}");
        match s.split_once('e') {
            Some((mantissa, exp)) => {
                let exp: i32 = exp.parse().unwrap_or(0);
                let sign = if exp < 0 { '-' } else { '+' };
                let _ = write!(out, "{mantissa}e{sign}{:02}", exp.unsigned_abs());
            }
            None => out.push_str(&s),
        }
    } else {
        let start = out.len();
        let _ = write!(out, "{x}");
        if !out[start..].contains('.') {
            out.push_str(".0");
        }
    }
}

/// Python's `str(float)`, e.g. for the `Retry-After` header.
pub(crate) fn python_float(x: f64) -> String {
    let mut s = String::new();
    write_python_float(&mut s, x);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_floats() {
        assert_eq!(python_float(1588145417000.0), "1588145417000.0");
        assert_eq!(python_float(28.706807374954224), "28.706807374954224");
        assert_eq!(python_float(0.5), "0.5");
        assert_eq!(python_float(0.0), "0.0");
        assert_eq!(python_float(-0.0), "-0.0");
        assert_eq!(python_float(1e-5), "1e-05");
        assert_eq!(python_float(1.5e16), "1.5e+16");
        assert_eq!(python_float(f64::NAN), "null");
    }

    #[test]
    fn escaping() {
        let v = Json::str("a/é\"\\\n\u{1}😀");
        assert_eq!(
            v.to_string_with(&JsonStyle::MODERN),
            "\"a/é\\\"\\\\\\n\\u0001😀\""
        );
        assert_eq!(
            v.to_string_with(&JsonStyle::UJSON),
            "\"a\\/\\u00e9\\\"\\\\\\n\\u0001\\ud83d\\ude00\""
        );
    }

    #[test]
    fn sorted_keys() {
        let v = Json::object([("b", Json::Int(1)), ("a", Json::Null)]);
        assert_eq!(v.to_string_with(&JsonStyle::MODERN), r#"{"b":1,"a":null}"#);
        assert_eq!(
            v.to_string_with(&JsonStyle::SORTED_COMPACT),
            r#"{"a":null,"b":1}"#
        );
    }
}
