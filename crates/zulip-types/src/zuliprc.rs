//! zuliprc files and the environment, resolved exactly like the official Python client
//! (`zulip` 0.9.1, `Client.__init__`). Pure: no file, no environment, no clock.
//!
//! Resolution happens in two steps so that the caller does the I/O:
//!
//! 1. [`ConfigOptions::apply_environment`] fills what was not given explicitly from the
//!    environment (through a lookup closure) and decides which file to read;
//! 2. [`PendingConfig::finish`] takes that file's contents (`None` when it does not exist) and
//!    fills what is still unset, then validates.
//!
//! ```
//! use std::path::Path;
//! use zulip_types::ConfigOptions;
//!
//! let env = |name: &str| match name {
//!     "ZULIP_SITE" => Some("chat.example.com".to_owned()),
//!     _ => None,
//! };
//! let pending = ConfigOptions::new().apply_environment(env, Some(Path::new("/home/iago")))?;
//! assert_eq!(pending.config_file(), Some(Path::new("/home/iago/.zuliprc")));
//!
//! let zuliprc = "[api]\nemail = iago@zulip.com\nkey = gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv\nsite = ignored.example.com\n";
//! let config = pending.finish(Some(zuliprc.as_bytes()))?;
//! assert_eq!(config.credentials.email(), "iago@zulip.com");
//! assert_eq!(config.site.root(), "https://chat.example.com"); // the environment wins
//! assert!(!config.insecure);
//! # Ok::<(), zulip_types::ZuliprcError>(())
//! ```
//!
//! # Precedence
//!
//! For every setting: the explicit value ([`ConfigOptions`]), else its environment variable,
//! else the file's `[api]` section. The file is the explicit `config_file`, else `ZULIP_CONFIG`,
//! else `$HOME/.zuliprc` (none when no home directory is known). A file that does not exist is
//! no error unless the email or API key is still missing.
//!
//! | setting | explicit | environment | file key |
//! |---|---|---|---|
//! | email | [`ConfigOptions::email`] | `ZULIP_EMAIL` | `email` |
//! | API key | [`ConfigOptions::api_key`] | `ZULIP_API_KEY` | `key` |
//! | site | [`ConfigOptions::site`] | `ZULIP_SITE` | `site` |
//! | insecure | [`ConfigOptions::insecure`] | `ZULIP_ALLOW_INSECURE` | `insecure` |
//! | CA bundle | [`ConfigOptions::cert_bundle`] | `ZULIP_CERT_BUNDLE` | `cert_bundle` |
//! | client certificate | [`ConfigOptions::client_cert`] | `ZULIP_CERT` | `client_cert` |
//! | client certificate key | [`ConfigOptions::client_cert_key`] | `ZULIP_CERT_KEY` | `client_cert_key` |
//!
//! As in the Python client: an environment variable that is set counts even when empty;
//! `insecure` accepts only `true` or `false` in any case, anything else is an error; when the
//! file exists, a missing `key` or `email` (with no explicit or environment value) is an error
//! naming the file; a `client_cert_key` without a `client_cert` is an error; a missing site is
//! an error.
//!
//! Deliberate differences, all stricter or more convenient, none changing a valid setup:
//! values are taken literally (Python's `ConfigParser` interpolation would reject a lone `%`
//! and turn `%%` into `%`); a leading `~` or `~/` is expanded with the given home directory in
//! every path (the Python client expands it only in an explicit `config_file`); the site must be
//! a valid `http(s)` URL ([`Site::parse`]); a UTF-8 byte order mark is skipped.
//!
//! # File syntax
//!
//! Python's strict `ConfigParser`: `[section]` headers (names are case-sensitive; `[DEFAULT]`
//! provides fallback values for every section), `key = value` or `key: value` (split at the
//! first `=` or `:`), keys case-insensitive, whitespace around keys and values trimmed, whole-line
//! comments starting with `#` or `;` (no inline comments: `key = a # b` has the value `a # b`),
//! lines indented deeper than their key continue its value (joined with newlines). A key before
//! any section, a line that is neither, an empty key, a duplicate section or a duplicate key in
//! one section is an error naming the file and line. Errors never contain the API key, nor the
//! text of a malformed line.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::{ApiKey, Credentials, Site, SiteError};

/// The environment variable naming the configuration file.
pub const ENV_CONFIG: &str = "ZULIP_CONFIG";
/// The environment variable holding the email address.
pub const ENV_EMAIL: &str = "ZULIP_EMAIL";
/// The environment variable holding the API key.
pub const ENV_API_KEY: &str = "ZULIP_API_KEY";
/// The environment variable holding the site.
pub const ENV_SITE: &str = "ZULIP_SITE";
/// The environment variable naming the client certificate file.
pub const ENV_CERT: &str = "ZULIP_CERT";
/// The environment variable naming the client certificate's key file.
pub const ENV_CERT_KEY: &str = "ZULIP_CERT_KEY";
/// The environment variable naming the CA bundle file.
pub const ENV_CERT_BUNDLE: &str = "ZULIP_CERT_BUNDLE";
/// The environment variable that disables certificate verification (`true` or `false`).
pub const ENV_ALLOW_INSECURE: &str = "ZULIP_ALLOW_INSECURE";

/// The section of a zuliprc that holds the settings.
pub const API_SECTION: &str = "api";
/// The name of the default configuration file in the home directory.
pub const DEFAULT_FILE_NAME: &str = ".zuliprc";

const DEFAULT_SECTION: &str = "DEFAULT";

// ---------------------------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------------------------

/// A parsed zuliprc (any INI file Python's strict `ConfigParser` accepts).
///
/// ```
/// use zulip_types::Zuliprc;
///
/// let file = Zuliprc::parse("[api]\nEmail: iago@zulip.com\n# comment\nsite = chat.example.com/\n", "zuliprc")?;
/// assert_eq!(file.api("email").as_deref(), Some("iago@zulip.com"));
/// assert_eq!(file.api_line("site"), Some(4));
/// assert_eq!(file.api("key"), None);
/// # Ok::<(), zulip_types::ZuliprcError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Zuliprc {
    source: String,
    sections: Vec<Section>,
    defaults: Vec<Entry>,
}

#[derive(Clone, PartialEq, Eq)]
struct Section {
    name: String,
    entries: Vec<Entry>,
}

#[derive(Clone, PartialEq, Eq)]
struct Entry {
    key: String,
    lines: Vec<String>,
    line: usize,
}

impl Entry {
    fn value(&self) -> String {
        self.lines.join("\n").trim_end().to_owned()
    }
}

/// Where the parser is.
#[derive(Clone, Copy)]
enum Current {
    None,
    Default,
    Section(usize),
}

impl Zuliprc {
    /// Parses the text of a zuliprc. `source` names it in errors (usually the file's path).
    ///
    /// # Errors
    /// [`ZuliprcError`] of a syntax kind, naming `source` and the line.
    pub fn parse(text: &str, source: &str) -> Result<Self, ZuliprcError> {
        let mut parsed = Self {
            source: source.to_owned(),
            sections: Vec::new(),
            defaults: Vec::new(),
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut current = Current::None;
        // The entry a continuation line would extend: its section and index.
        let mut open_entry: Option<(Current, usize)> = None;
        let mut indent_level = usize::MAX;
        for (index, raw) in text.split('\n').enumerate() {
            let line_number = index + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let stripped = line.trim();
            let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
            if stripped.is_empty() || is_comment {
                // Python keeps blank lines inside a value (removed again at the end when
                // trailing) and skips comments without ending the value.
                if !is_comment {
                    if let Some((section, entry)) = open_entry {
                        if let Some(entry) = parsed.entry_mut(section, entry) {
                            entry.lines.push(String::new());
                        }
                    }
                }
                continue;
            }
            let indent = line.chars().take_while(|c| c.is_whitespace()).count();
            if let Some((section, entry)) = open_entry {
                if indent > indent_level {
                    if let Some(entry) = parsed.entry_mut(section, entry) {
                        entry.lines.push(stripped.to_owned());
                    }
                    continue;
                }
            }
            indent_level = indent;
            let error = |kind| ZuliprcError::syntax(source, line_number, kind);
            if let Some(name) = section_header(stripped) {
                open_entry = None;
                if name == DEFAULT_SECTION {
                    current = Current::Default;
                } else if parsed.sections.iter().any(|s| s.name == name) {
                    return Err(error(ZuliprcErrorKind::DuplicateSection {
                        section: name.to_owned(),
                    }));
                } else {
                    parsed.sections.push(Section {
                        name: name.to_owned(),
                        entries: Vec::new(),
                    });
                    current = Current::Section(parsed.sections.len() - 1);
                }
                continue;
            }
            if matches!(current, Current::None) {
                return Err(error(ZuliprcErrorKind::MissingSectionHeader));
            }
            let Some(split) = stripped.find(['=', ':']) else {
                return Err(error(ZuliprcErrorKind::NotKeyValue));
            };
            let (key, value) = stripped.split_at(split);
            let key = key.trim_end().to_lowercase();
            let value = value.get(1..).unwrap_or("").trim();
            if key.is_empty() {
                return Err(error(ZuliprcErrorKind::EmptyKey));
            }
            let (entries, section_name) = match current {
                Current::Section(i) => match parsed.sections.get_mut(i) {
                    Some(section) => (&mut section.entries, section.name.as_str()),
                    None => continue,
                },
                Current::Default | Current::None => (&mut parsed.defaults, DEFAULT_SECTION),
            };
            if entries.iter().any(|e| e.key == key) {
                let section = section_name.to_owned();
                return Err(ZuliprcError {
                    kind: ZuliprcErrorKind::DuplicateKey { section },
                    file: Some(source.to_owned()),
                    line: Some(line_number),
                    key: Some(key),
                });
            }
            entries.push(Entry {
                key,
                lines: vec![value.to_owned()],
                line: line_number,
            });
            open_entry = Some((current, entries.len() - 1));
        }
        Ok(parsed)
    }

    /// Parses the bytes of a zuliprc, which must be UTF-8 (a byte order mark is skipped).
    ///
    /// # Errors
    /// [`ZuliprcErrorKind::NotUtf8`] naming the line of the first invalid byte, or any error of
    /// [`Zuliprc::parse`].
    pub fn parse_bytes(bytes: &[u8], source: &str) -> Result<Self, ZuliprcError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Self::parse(text, source),
            Err(error) => {
                let valid = bytes.get(..error.valid_up_to()).unwrap_or(&[]);
                let line = 1 + valid.iter().filter(|b| **b == b'\n').count();
                Err(ZuliprcError::syntax(
                    source,
                    line,
                    ZuliprcErrorKind::NotUtf8,
                ))
            }
        }
    }

    fn entry_mut(&mut self, section: Current, entry: usize) -> Option<&mut Entry> {
        match section {
            Current::Section(i) => self.sections.get_mut(i)?.entries.get_mut(entry),
            Current::Default | Current::None => self.defaults.get_mut(entry),
        }
    }

    /// The name given to [`Zuliprc::parse`].
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the file has a `[section]` (case-sensitive; `DEFAULT` is not a section).
    #[must_use]
    pub fn has_section(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s.name == section)
    }

    fn find(&self, section: &str, key: &str) -> Option<&Entry> {
        let key = key.to_lowercase();
        if section == DEFAULT_SECTION {
            return self.defaults.iter().find(|e| e.key == key);
        }
        let section = self.sections.iter().find(|s| s.name == section)?;
        section
            .entries
            .iter()
            .chain(self.defaults.iter())
            .find(|e| e.key == key)
    }

    /// The sections, in file order. `[DEFAULT]` is not one of them.
    pub fn sections(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.sections.iter().map(|s| s.name.as_str())
    }

    /// The keys set in `[section]` itself, in file order and lower case, without those it only
    /// takes from `[DEFAULT]`; for `DEFAULT`, the keys of `[DEFAULT]`. Empty for a missing
    /// section. With [`Zuliprc::get`], everything the file says.
    ///
    /// ```
    /// use zulip_types::Zuliprc;
    ///
    /// let file = Zuliprc::parse("[DEFAULT]\nsite = a.example\n[api]\nEmail = me@a.example\n", "rc")?;
    /// assert_eq!(file.sections().collect::<Vec<_>>(), ["api"]);
    /// assert_eq!(file.keys("api"), ["email"]);
    /// assert_eq!(file.keys("DEFAULT"), ["site"]);
    /// assert_eq!(file.get("DEFAULT", "site").as_deref(), Some("a.example"));
    /// # Ok::<(), zulip_types::ZuliprcError>(())
    /// ```
    #[must_use]
    pub fn keys(&self, section: &str) -> Vec<&str> {
        let entries = if section == DEFAULT_SECTION {
            Some(&self.defaults)
        } else {
            self.sections
                .iter()
                .find(|s| s.name == section)
                .map(|s| &s.entries)
        };
        entries
            .into_iter()
            .flatten()
            .map(|e| e.key.as_str())
            .collect()
    }

    /// A value of `[section]`, falling back to `[DEFAULT]` as Python does; `None` when the
    /// section or key is missing. Keys are case-insensitive. `DEFAULT` reads `[DEFAULT]`'s own
    /// values.
    #[must_use]
    pub fn get(&self, section: &str, key: &str) -> Option<String> {
        self.find(section, key).map(Entry::value)
    }

    /// A value of the `[api]` section (or its `[DEFAULT]` fallback).
    #[must_use]
    pub fn api(&self, key: &str) -> Option<String> {
        self.get(API_SECTION, key)
    }

    /// The 1-based line where a key of `[api]` (or its `[DEFAULT]` fallback) is set.
    #[must_use]
    pub fn api_line(&self, key: &str) -> Option<usize> {
        self.find(API_SECTION, key).map(|e| e.line)
    }
}

/// Never shows values (one of them is the API key).
impl fmt::Debug for Zuliprc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sections: Vec<(&str, Vec<&str>)> = self
            .sections
            .iter()
            .map(|s| {
                (
                    s.name.as_str(),
                    s.entries.iter().map(|e| e.key.as_str()).collect(),
                )
            })
            .collect();
        f.debug_struct("Zuliprc")
            .field("source", &self.source)
            .field("sections", &sections)
            .finish_non_exhaustive()
    }
}

/// Python's `SECTCRE` (`\[(?P<header>.+)\]`, matched at the start of the stripped line): the
/// text between the first `[` and the last `]`, which must not be empty.
fn section_header(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    let name = rest.get(..end)?;
    (!name.is_empty()).then_some(name)
}

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

/// Settings given explicitly: the Python client's constructor arguments. Each one set here wins
/// over the environment and the file.
///
/// ```
/// use zulip_types::ConfigOptions;
///
/// let options = ConfigOptions::new()
///     .email("iago@zulip.com")
///     .api_key("secret")
///     .config_file("~/bots/zuliprc");
/// assert!(!format!("{options:?}").contains("secret"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigOptions {
    /// The email address.
    pub email: Option<String>,
    /// The API key.
    pub api_key: Option<ApiKey>,
    /// The site, as given (normalised by [`Site::parse`]).
    pub site: Option<String>,
    /// The configuration file (a leading `~` is expanded).
    pub config_file: Option<PathBuf>,
    /// Disable certificate verification.
    pub insecure: Option<bool>,
    /// A PEM file of trusted certificates.
    pub cert_bundle: Option<PathBuf>,
    /// A PEM file with the client certificate (and its key, unless `client_cert_key` is set).
    pub client_cert: Option<PathBuf>,
    /// A PEM file with the client certificate's key.
    pub client_cert_key: Option<PathBuf>,
}

impl ConfigOptions {
    /// Nothing given explicitly.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the email address.
    #[must_use]
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Sets the API key.
    #[must_use]
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKey::new(key));
        self
    }

    /// Sets the site.
    #[must_use]
    pub fn site(mut self, site: impl Into<String>) -> Self {
        self.site = Some(site.into());
        self
    }

    /// Sets the configuration file.
    #[must_use]
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_file = Some(path.into());
        self
    }

    /// Sets whether certificate verification is disabled.
    #[must_use]
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.insecure = Some(insecure);
        self
    }

    /// Sets the CA bundle.
    #[must_use]
    pub fn cert_bundle(mut self, path: impl Into<PathBuf>) -> Self {
        self.cert_bundle = Some(path.into());
        self
    }

    /// Sets the client certificate.
    #[must_use]
    pub fn client_cert(mut self, path: impl Into<PathBuf>) -> Self {
        self.client_cert = Some(path.into());
        self
    }

    /// Sets the client certificate's key.
    #[must_use]
    pub fn client_cert_key(mut self, path: impl Into<PathBuf>) -> Self {
        self.client_cert_key = Some(path.into());
        self
    }

    /// Step 1: fills what is unset from the environment and decides which file to read.
    ///
    /// `env` looks up an environment variable (`None` when unset); `home` is the home directory
    /// (`$HOME`), used for the default file and to expand `~`.
    ///
    /// # Errors
    /// [`ZuliprcErrorKind::InvalidBoolean`] when `ZULIP_ALLOW_INSECURE` is used and is not
    /// `true` or `false`.
    pub fn apply_environment<F>(
        self,
        env: F,
        home: Option<&Path>,
    ) -> Result<PendingConfig, ZuliprcError>
    where
        F: Fn(&str) -> Option<String>,
    {
        let home = home.map(Path::to_path_buf);
        let from_env = |name: &'static str| env(name).map(|value| (value, Origin::Env(name)));
        let explicit = |value: Option<String>| value.map(|value| (value, Origin::Explicit));
        let path = |value: Option<PathBuf>| {
            value.map(|value| (value.to_string_lossy().into_owned(), Origin::Explicit))
        };

        let config_file = match self.config_file {
            Some(file) => Some(expand_tilde(&file.to_string_lossy(), home.as_deref())),
            None => env(ENV_CONFIG).map(|file| expand_tilde(&file, home.as_deref())),
        };
        let api_key = match self.api_key {
            Some(key) => Some((key, Origin::Explicit)),
            None => env(ENV_API_KEY).map(|key| (ApiKey::new(key), Origin::Env(ENV_API_KEY))),
        };
        let email = explicit(self.email).or_else(|| from_env(ENV_EMAIL));
        let site = explicit(self.site).or_else(|| from_env(ENV_SITE));
        let client_cert = path(self.client_cert).or_else(|| from_env(ENV_CERT));
        let client_cert_key = path(self.client_cert_key).or_else(|| from_env(ENV_CERT_KEY));
        let cert_bundle = path(self.cert_bundle).or_else(|| from_env(ENV_CERT_BUNDLE));
        let insecure = match self.insecure {
            Some(insecure) => Some(insecure),
            None => match env(ENV_ALLOW_INSECURE) {
                Some(value) => Some(parse_boolean(&value).ok_or_else(|| ZuliprcError {
                    kind: ZuliprcErrorKind::InvalidBoolean { value },
                    file: None,
                    line: None,
                    key: Some(ENV_ALLOW_INSECURE.to_owned()),
                })?),
                None => None,
            },
        };
        let config_file =
            config_file.or_else(|| home.as_deref().map(|home| home.join(DEFAULT_FILE_NAME)));
        Ok(PendingConfig {
            home,
            config_file,
            email,
            api_key,
            site,
            insecure,
            cert_bundle,
            client_cert,
            client_cert_key,
        })
    }
}

/// Where a value came from, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Explicit,
    Env(&'static str),
    File(usize),
}

/// Explicit and environment settings, waiting for the file. See [`ConfigOptions::apply_environment`].
#[derive(Clone, Debug)]
pub struct PendingConfig {
    home: Option<PathBuf>,
    config_file: Option<PathBuf>,
    email: Option<(String, Origin)>,
    api_key: Option<(ApiKey, Origin)>,
    site: Option<(String, Origin)>,
    insecure: Option<bool>,
    cert_bundle: Option<(String, Origin)>,
    client_cert: Option<(String, Origin)>,
    client_cert_key: Option<(String, Origin)>,
}

impl PendingConfig {
    /// The file to read: the explicit one, else `ZULIP_CONFIG`, else `$HOME/.zuliprc`; `None`
    /// when none is known. Pass its contents to [`PendingConfig::finish`] if it exists.
    #[must_use]
    pub fn config_file(&self) -> Option<&Path> {
        self.config_file.as_deref()
    }

    /// Step 2: fills what is still unset from the file's contents (`None` when the file does not
    /// exist or there is none) and validates.
    ///
    /// # Errors
    /// [`ZuliprcError`]: a syntax error in the file, a missing `key`/`email`/`[api]` in it,
    /// missing credentials with no file, a missing or invalid site, an `insecure` that is not
    /// `true`/`false`, or a client certificate key without a certificate.
    pub fn finish(self, contents: Option<&[u8]>) -> Result<ResolvedConfig, ZuliprcError> {
        let Self {
            home,
            config_file,
            mut email,
            mut api_key,
            mut site,
            mut insecure,
            mut cert_bundle,
            mut client_cert,
            mut client_cert_key,
        } = self;
        let source = config_file
            .as_deref()
            .map(|path| path.to_string_lossy().into_owned());
        let file = match (contents, &source) {
            (Some(contents), Some(source)) => Some(Zuliprc::parse_bytes(contents, source)?),
            (Some(contents), None) => Some(Zuliprc::parse_bytes(contents, "zuliprc")?),
            (None, _) => None,
        };
        match &file {
            Some(file) => {
                let required = |key: &'static str| -> Result<(String, Origin), ZuliprcError> {
                    let kind = if !file.has_section(API_SECTION) {
                        ZuliprcErrorKind::MissingApiSection
                    } else {
                        ZuliprcErrorKind::MissingKey
                    };
                    let entry = file.find(API_SECTION, key).ok_or_else(|| ZuliprcError {
                        kind,
                        file: Some(file.source.clone()),
                        line: None,
                        key: Some(key.to_owned()),
                    })?;
                    Ok((entry.value(), Origin::File(entry.line)))
                };
                if api_key.is_none() {
                    let (key, origin) = required("key")?;
                    api_key = Some((ApiKey::new(key), origin));
                }
                if email.is_none() {
                    email = Some(required("email")?);
                }
                let optional = |key: &str| {
                    file.find(API_SECTION, key)
                        .map(|entry| (entry.value(), Origin::File(entry.line)))
                };
                site = site.or_else(|| optional("site"));
                client_cert = client_cert.or_else(|| optional("client_cert"));
                client_cert_key = client_cert_key.or_else(|| optional("client_cert_key"));
                cert_bundle = cert_bundle.or_else(|| optional("cert_bundle"));
                if insecure.is_none() {
                    if let Some((value, Origin::File(line))) = optional("insecure") {
                        insecure = Some(parse_boolean(&value).ok_or_else(|| ZuliprcError {
                            kind: ZuliprcErrorKind::InvalidBoolean { value },
                            file: Some(file.source.clone()),
                            line: Some(line),
                            key: Some("insecure".to_owned()),
                        })?);
                    }
                }
            }
            None => {
                if api_key.is_none() || email.is_none() {
                    let key = if api_key.is_none() { "key" } else { "email" };
                    return Err(ZuliprcError {
                        kind: ZuliprcErrorKind::MissingCredentials,
                        file: source,
                        line: None,
                        key: Some(key.to_owned()),
                    });
                }
            }
        }
        let (Some((api_key, _)), Some((email, _))) = (api_key, email) else {
            // Both were checked above; keep the compiler and the no-panic rule happy.
            return Err(ZuliprcError {
                kind: ZuliprcErrorKind::MissingCredentials,
                file: source,
                line: None,
                key: Some("key".to_owned()),
            });
        };
        let Some((site, site_origin)) = site else {
            return Err(ZuliprcError {
                kind: ZuliprcErrorKind::MissingSite,
                file: file.as_ref().map(|f| f.source.clone()),
                line: None,
                key: Some("site".to_owned()),
            });
        };
        let site = Site::parse(&site).map_err(|error| {
            let (file, line, key) = describe(site_origin, "site", source.as_deref());
            ZuliprcError {
                kind: ZuliprcErrorKind::InvalidSite(error),
                file,
                line,
                key,
            }
        })?;
        let expand = |value: Option<(String, Origin)>| {
            value.map(|(path, _)| expand_tilde(&path, home.as_deref()))
        };
        if client_cert.is_none() {
            if let Some((path, origin)) = &client_cert_key {
                let (file, line, key) = describe(*origin, "client_cert_key", source.as_deref());
                return Err(ZuliprcError {
                    kind: ZuliprcErrorKind::ClientCertKeyWithoutCert {
                        path: expand_tilde(path, home.as_deref()),
                    },
                    file,
                    line,
                    key,
                });
            }
        }
        Ok(ResolvedConfig {
            credentials: Credentials::new(email, api_key.expose()),
            site,
            insecure: insecure.unwrap_or(false),
            cert_bundle: expand(cert_bundle),
            client_cert: expand(client_cert),
            client_cert_key: expand(client_cert_key),
            config_file: if file.is_some() { config_file } else { None },
        })
    }
}

/// (file, line, key) of a value's origin, for an error.
fn describe(
    origin: Origin,
    file_key: &str,
    source: Option<&str>,
) -> (Option<String>, Option<usize>, Option<String>) {
    match origin {
        Origin::Explicit => (None, None, Some(file_key.to_owned())),
        Origin::Env(name) => (None, None, Some(name.to_owned())),
        Origin::File(line) => (
            source.map(str::to_owned),
            Some(line),
            Some(file_key.to_owned()),
        ),
    }
}

/// Everything a client needs, resolved and validated.
///
/// `Debug` never shows the API key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResolvedConfig {
    /// Email address and API key.
    pub credentials: Credentials,
    /// The server.
    pub site: Site,
    /// Certificate verification disabled (`false` unless asked for explicitly).
    pub insecure: bool,
    /// A PEM file of trusted certificates (`~` expanded). Not checked here: the transport reads
    /// it. Ignored when `insecure`.
    pub cert_bundle: Option<PathBuf>,
    /// A PEM file with the client certificate, and its key unless `client_cert_key` is set.
    pub client_cert: Option<PathBuf>,
    /// A PEM file with the client certificate's key.
    pub client_cert_key: Option<PathBuf>,
    /// The configuration file that was read, if any.
    pub config_file: Option<PathBuf>,
}

impl ResolvedConfig {
    /// A configuration with these credentials and site, verifying certificates against the
    /// default roots.
    #[must_use]
    pub fn new(credentials: Credentials, site: Site) -> Self {
        Self {
            credentials,
            site,
            insecure: false,
            cert_bundle: None,
            client_cert: None,
            client_cert_key: None,
            config_file: None,
        }
    }
}

/// Python's `validate_boolean_field`: `true` or `false` in any case, nothing else (no
/// surrounding whitespace either, as in the environment; the file trims values already).
fn parse_boolean(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("true") {
        Some(true)
    } else if value.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Expands a leading `~` or `~/` with `home` (like `os.path.expanduser`, without `~user`).
#[must_use]
pub fn expand_tilde(path: &str, home: Option<&Path>) -> PathBuf {
    match home {
        Some(home) if path == "~" => home.to_path_buf(),
        Some(home) => match path.strip_prefix("~/") {
            Some(rest) => home.join(rest),
            None => PathBuf::from(path),
        },
        None => PathBuf::from(path),
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A configuration that cannot be used. It names the file, line and key when they are known,
/// and never contains the API key nor the text of a malformed line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZuliprcError {
    kind: ZuliprcErrorKind,
    file: Option<String>,
    line: Option<usize>,
    key: Option<String>,
}

/// What is wrong with a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ZuliprcErrorKind {
    /// The file is not UTF-8.
    NotUtf8,
    /// A key before any `[section]` header.
    MissingSectionHeader,
    /// A line that is neither a section header, `key = value`, a comment nor a continuation.
    NotKeyValue,
    /// `= value` with no key.
    EmptyKey,
    /// A section appears twice.
    DuplicateSection {
        /// The section's name.
        section: String,
    },
    /// A key appears twice in one section (the key is [`ZuliprcError::key`]).
    DuplicateKey {
        /// The section's name.
        section: String,
    },
    /// The file exists but has no `[api]` section, and `key` or `email` was not given otherwise.
    MissingApiSection,
    /// The file's `[api]` section lacks `key` or `email`, and it was not given otherwise.
    MissingKey,
    /// No file exists and the email or API key was not given otherwise.
    MissingCredentials,
    /// No site anywhere.
    MissingSite,
    /// `insecure` or `ZULIP_ALLOW_INSECURE` is neither `true` nor `false`.
    InvalidBoolean {
        /// The value found.
        value: String,
    },
    /// The site is not a usable URL.
    InvalidSite(SiteError),
    /// A client certificate key without a client certificate.
    ClientCertKeyWithoutCert {
        /// The key's path.
        path: PathBuf,
    },
}

impl ZuliprcError {
    fn syntax(source: &str, line: usize, kind: ZuliprcErrorKind) -> Self {
        Self {
            kind,
            file: Some(source.to_owned()),
            line: Some(line),
            key: None,
        }
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> &ZuliprcErrorKind {
        &self.kind
    }

    /// The file, when the problem is in one (or is its absence).
    #[must_use]
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// The 1-based line in [`ZuliprcError::file`].
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The key (`site`, `insecure`...) or environment variable (`ZULIP_ALLOW_INSECURE`...)
    /// concerned.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }
}

impl fmt::Display for ZuliprcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.key.as_deref().unwrap_or("");
        let is_env = key.starts_with("ZULIP_");
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: ")?,
            (Some(file), None) if !matches!(self.kind, ZuliprcErrorKind::MissingCredentials) => {
                write!(f, "{file}: ")?;
            }
            _ => {}
        }
        match &self.kind {
            ZuliprcErrorKind::NotUtf8 => f.write_str("the file is not valid UTF-8"),
            ZuliprcErrorKind::MissingSectionHeader => {
                f.write_str("a key before any [section] header (a zuliprc starts with [api])")
            }
            ZuliprcErrorKind::NotKeyValue => {
                f.write_str("expected `[section]`, `key = value` or `key: value`")
            }
            ZuliprcErrorKind::EmptyKey => f.write_str("a value without a key"),
            ZuliprcErrorKind::DuplicateSection { section } => {
                write!(f, "section [{section}] appears twice")
            }
            ZuliprcErrorKind::DuplicateKey { section } => {
                write!(f, "key `{key}` appears twice in section [{section}]")
            }
            ZuliprcErrorKind::MissingApiSection => {
                write!(f, "no [api] section, needed for `{key}`")
            }
            ZuliprcErrorKind::MissingKey => write!(f, "`{key}` missing from section [api]"),
            ZuliprcErrorKind::MissingCredentials => {
                let what = if key == "key" { "API key" } else { "email" };
                write!(f, "no {what} given (explicitly, or through ")?;
                f.write_str(if key == "key" { ENV_API_KEY } else { ENV_EMAIL })?;
                match &self.file {
                    Some(file) => write!(f, ") and file {file} does not exist"),
                    None => f.write_str(") and there is no configuration file (HOME is not set)"),
                }
            }
            ZuliprcErrorKind::MissingSite => f.write_str(
                "no Zulip site given: set `site` in [api], ZULIP_SITE, or give it explicitly",
            ),
            ZuliprcErrorKind::InvalidBoolean { value } if is_env => write!(
                f,
                "environment variable {key} is {value:?}; it must be \"true\" or \"false\""
            ),
            ZuliprcErrorKind::InvalidBoolean { value } => {
                write!(f, "`{key}` is {value:?}; it must be \"true\" or \"false\"")
            }
            ZuliprcErrorKind::InvalidSite(error) if is_env => {
                write!(f, "environment variable {key}: {error}")
            }
            ZuliprcErrorKind::InvalidSite(error) => write!(f, "`{key}`: {error}"),
            ZuliprcErrorKind::ClientCertKeyWithoutCert { path } => write!(
                f,
                "client certificate key {} given without a client certificate (`client_cert` or ZULIP_CERT)",
                path.display()
            ),
        }
    }
}

impl std::error::Error for ZuliprcError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ZuliprcErrorKind::InvalidSite(error) => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const KEY: &str = "gjA04ZYcqXKalvYMA8OeXSfzUOLrtbZv";
    const HOME: &str = "/home/iago";

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn resolve(
        options: ConfigOptions,
        env: &[(&str, &str)],
        file: Option<&str>,
    ) -> Result<ResolvedConfig, ZuliprcError> {
        options
            .apply_environment(env_of(env), Some(Path::new(HOME)))?
            .finish(file.map(str::as_bytes))
    }

    fn full_file() -> String {
        format!(
            "[api]\nemail = file@example.com\nkey = {KEY}\nsite = file.example.com\n\
             insecure = false\ncert_bundle = /file/bundle.pem\nclient_cert = /file/cert.pem\n\
             client_cert_key = /file/key.pem\n"
        )
    }

    // ------------------------------------------------------------------ precedence, row by row

    #[test]
    fn email_precedence() {
        let file = full_file();
        let explicit = ConfigOptions::new().email("explicit@example.com");
        let env = [(ENV_EMAIL, "env@example.com")];
        let email = |c: ResolvedConfig| c.credentials.email().to_owned();
        assert_eq!(
            email(resolve(explicit.clone(), &env, Some(&file)).unwrap()),
            "explicit@example.com"
        );
        assert_eq!(
            email(resolve(ConfigOptions::new(), &env, Some(&file)).unwrap()),
            "env@example.com"
        );
        assert_eq!(
            email(resolve(ConfigOptions::new(), &[], Some(&file)).unwrap()),
            "file@example.com"
        );
    }

    #[test]
    fn api_key_precedence() {
        let file = full_file();
        let explicit = ConfigOptions::new().api_key("explicit-key");
        let env = [(ENV_API_KEY, "env-key")];
        let key = |c: ResolvedConfig| c.credentials.api_key().expose().to_owned();
        assert_eq!(
            key(resolve(explicit, &env, Some(&file)).unwrap()),
            "explicit-key"
        );
        assert_eq!(
            key(resolve(ConfigOptions::new(), &env, Some(&file)).unwrap()),
            "env-key"
        );
        assert_eq!(
            key(resolve(ConfigOptions::new(), &[], Some(&file)).unwrap()),
            KEY
        );
    }

    #[test]
    fn site_precedence() {
        let file = full_file();
        let explicit = ConfigOptions::new().site("explicit.example.com");
        let env = [(ENV_SITE, "env.example.com")];
        let site = |c: ResolvedConfig| c.site.root().to_owned();
        assert_eq!(
            site(resolve(explicit, &env, Some(&file)).unwrap()),
            "https://explicit.example.com"
        );
        assert_eq!(
            site(resolve(ConfigOptions::new(), &env, Some(&file)).unwrap()),
            "https://env.example.com"
        );
        assert_eq!(
            site(resolve(ConfigOptions::new(), &[], Some(&file)).unwrap()),
            "https://file.example.com"
        );
    }

    #[test]
    fn insecure_precedence() {
        let file = full_file().replace("insecure = false", "insecure = TRUE");
        let insecure = |c: ResolvedConfig| c.insecure;
        let env_false = [(ENV_ALLOW_INSECURE, "False")];
        assert!(!insecure(
            resolve(
                ConfigOptions::new().insecure(false),
                &[(ENV_ALLOW_INSECURE, "true")],
                Some(&file)
            )
            .unwrap()
        ));
        assert!(insecure(
            resolve(ConfigOptions::new().insecure(true), &env_false, Some(&file)).unwrap()
        ));
        assert!(!insecure(
            resolve(ConfigOptions::new(), &env_false, Some(&file)).unwrap()
        ));
        assert!(insecure(
            resolve(ConfigOptions::new(), &[], Some(&file)).unwrap()
        ));
        // Nowhere: secure.
        assert!(!insecure(
            resolve(
                ConfigOptions::new(),
                &[],
                Some(&full_file().replace("insecure = false\n", ""))
            )
            .unwrap()
        ));
    }

    #[test]
    fn path_settings_precedence() {
        let file = full_file();
        type Getter = fn(&ResolvedConfig) -> Option<&Path>;
        type Setter = fn(ConfigOptions) -> ConfigOptions;
        let rows: [(&str, &str, Getter, Setter); 3] = [
            (
                ENV_CERT_BUNDLE,
                "/file/bundle.pem",
                |c| c.cert_bundle.as_deref(),
                |o| o.cert_bundle("/explicit"),
            ),
            (
                ENV_CERT,
                "/file/cert.pem",
                |c| c.client_cert.as_deref(),
                |o| o.client_cert("/explicit"),
            ),
            (
                ENV_CERT_KEY,
                "/file/key.pem",
                |c| c.client_cert_key.as_deref(),
                |o| o.client_cert_key("/explicit"),
            ),
        ];
        for (env_name, file_value, get, set) in rows {
            let env = [(env_name, "/env")];
            let config = resolve(set(ConfigOptions::new()), &env, Some(&file)).unwrap();
            assert_eq!(get(&config), Some(Path::new("/explicit")), "{env_name}");
            let config = resolve(ConfigOptions::new(), &env, Some(&file)).unwrap();
            assert_eq!(get(&config), Some(Path::new("/env")), "{env_name}");
            let config = resolve(ConfigOptions::new(), &[], Some(&file)).unwrap();
            assert_eq!(get(&config), Some(Path::new(file_value)), "{env_name}");
        }
    }

    #[test]
    fn config_file_precedence() {
        let home = Some(Path::new(HOME));
        let pending = |options: ConfigOptions, env: &[(&str, &str)], home: Option<&Path>| {
            options.apply_environment(env_of(env), home).unwrap()
        };
        let env = [(ENV_CONFIG, "/env/zuliprc")];
        assert_eq!(
            pending(
                ConfigOptions::new().config_file("/explicit/zuliprc"),
                &env,
                home
            )
            .config_file(),
            Some(Path::new("/explicit/zuliprc"))
        );
        assert_eq!(
            pending(ConfigOptions::new(), &env, home).config_file(),
            Some(Path::new("/env/zuliprc"))
        );
        assert_eq!(
            pending(ConfigOptions::new(), &[], home).config_file(),
            Some(Path::new("/home/iago/.zuliprc"))
        );
        assert_eq!(pending(ConfigOptions::new(), &[], None).config_file(), None);
        // `~` expands in explicit and environment paths.
        assert_eq!(
            pending(ConfigOptions::new().config_file("~/bots/rc"), &[], home).config_file(),
            Some(Path::new("/home/iago/bots/rc"))
        );
        assert_eq!(
            pending(ConfigOptions::new(), &[(ENV_CONFIG, "~")], home).config_file(),
            Some(Path::new("/home/iago"))
        );
    }

    #[test]
    fn environment_alone_needs_no_file() {
        let env = [
            (ENV_EMAIL, "env@example.com"),
            (ENV_API_KEY, KEY),
            (ENV_SITE, "localhost:9991"),
        ];
        let config = resolve(ConfigOptions::new(), &env, None).unwrap();
        assert_eq!(config.credentials.email(), "env@example.com");
        assert_eq!(config.site.api_base(), "http://localhost:9991/api");
        assert_eq!(config.config_file, None);
        assert!(!config.insecure);
    }

    #[test]
    fn explicit_credentials_skip_a_file_without_api_section() {
        // Python only reads `key`/`email` from the file when they are still unset.
        let options = ConfigOptions::new()
            .email("a@example.com")
            .api_key("k")
            .site("example.com");
        let config = resolve(options, &[], Some("[other]\nx = 1\n")).unwrap();
        assert_eq!(config.credentials.email(), "a@example.com");
        assert_eq!(
            config.config_file.as_deref(),
            Some(Path::new("/home/iago/.zuliprc"))
        );
    }

    #[test]
    fn an_empty_environment_variable_counts_as_set() {
        let env = [(ENV_EMAIL, "")];
        let config = resolve(ConfigOptions::new(), &env, Some(&full_file())).unwrap();
        assert_eq!(config.credentials.email(), "");
    }

    #[test]
    fn paths_expand_tilde_from_every_source() {
        let file = "[api]\nemail=a@b.c\nkey=k\nsite=x.example\ncert_bundle=~/ca.pem\nclient_cert=~/cert.pem\n";
        let env = [(ENV_CERT_KEY, "~/key.pem")];
        let config = resolve(ConfigOptions::new(), &env, Some(file)).unwrap();
        assert_eq!(
            config.cert_bundle.as_deref(),
            Some(Path::new("/home/iago/ca.pem"))
        );
        assert_eq!(
            config.client_cert.as_deref(),
            Some(Path::new("/home/iago/cert.pem"))
        );
        assert_eq!(
            config.client_cert_key.as_deref(),
            Some(Path::new("/home/iago/key.pem"))
        );
        assert_eq!(
            expand_tilde("~user/x", Some(Path::new(HOME))),
            Path::new("~user/x")
        );
        assert_eq!(expand_tilde("~/x", None), Path::new("~/x"));
        assert_eq!(
            expand_tilde("/a/~/b", Some(Path::new(HOME))),
            Path::new("/a/~/b")
        );
    }

    // ------------------------------------------------------------------ odd values and syntax

    #[test]
    fn odd_values_are_taken_literally() {
        let file = "[api]\n\
                    email = bot+tag%40@example.com\n\
                    key : a+b%c%%d~e f\n\
                    site=https://chat.example.com:8443/zulip\n";
        let config = resolve(ConfigOptions::new(), &[], Some(file)).unwrap();
        assert_eq!(config.credentials.email(), "bot+tag%40@example.com");
        assert_eq!(config.credentials.api_key().expose(), "a+b%c%%d~e f");
        assert_eq!(
            config.site.api_base(),
            "https://chat.example.com:8443/zulip/api"
        );
    }

    #[test]
    fn ini_details_follow_python_configparser() {
        let text = "\u{feff}# leading comment\r\n\
                    ; another\r\n\
                    [DEFAULT]\r\n\
                    site = default.example.com\r\n\
                    \r\n\
                    [api]\r\n\
                    \tEMAIL   =   spaced@example.com   \r\n\
                    Key = first = second: third\r\n\
                    note = line one\r\n\
                    \x20 line two\r\n\
                    # a comment does not end a value\r\n\
                    \x20 line three\r\n\
                    \r\n\
                    empty =\r\n\
                    inline = a # b ; c\r\n\
                    [other]\r\n\
                    email = other@example.com\r\n";
        let file = Zuliprc::parse(text, "rc").unwrap();
        assert_eq!(file.api("email").as_deref(), Some("spaced@example.com"));
        assert_eq!(file.api("KEY").as_deref(), Some("first = second: third"));
        assert_eq!(
            file.api("note").as_deref(),
            Some("line one\nline two\nline three")
        );
        assert_eq!(file.api("empty").as_deref(), Some(""));
        assert_eq!(file.api("inline").as_deref(), Some("a # b ; c"));
        assert_eq!(file.api("site").as_deref(), Some("default.example.com"));
        assert_eq!(file.api_line("key"), Some(8));
        assert_eq!(
            file.get("other", "email").as_deref(),
            Some("other@example.com")
        );
        assert!(!file.has_section("API"));
        assert_eq!(file.get("API", "email"), None);
        // `[DEFAULT]` alone does not make an `[api]` section.
        let only_default = Zuliprc::parse("[DEFAULT]\nkey = k\n", "rc").unwrap();
        assert_eq!(only_default.api("key"), None);
    }

    #[test]
    fn section_header_takes_up_to_the_last_bracket() {
        let file = Zuliprc::parse("[api] ; trailing\nemail = a@b\n", "rc").unwrap();
        assert_eq!(file.api("email").as_deref(), Some("a@b"));
        assert_eq!(section_header("[a]b]"), Some("a]b"));
        assert_eq!(section_header("[]"), None);
        assert_eq!(section_header("[api"), None);
    }

    // ------------------------------------------------------------------ every error

    fn error(options: ConfigOptions, env: &[(&str, &str)], file: Option<&str>) -> ZuliprcError {
        match resolve(options, env, file) {
            Ok(config) => panic!("expected an error, got {config:?}"),
            Err(error) => error,
        }
    }

    #[test]
    fn syntax_errors_name_file_and_line_and_never_echo_the_line() {
        let cases: [(&str, ZuliprcErrorKind, usize); 6] = [
            (
                &format!("key = {KEY}\n[api]\n"),
                ZuliprcErrorKind::MissingSectionHeader,
                1,
            ),
            (
                &format!("[api]\n\n{KEY}\n"),
                ZuliprcErrorKind::NotKeyValue,
                3,
            ),
            (&format!("[api]\n = {KEY}\n"), ZuliprcErrorKind::EmptyKey, 2),
            (
                "[api]\n[x]\n[api]\n",
                ZuliprcErrorKind::DuplicateSection {
                    section: "api".into(),
                },
                3,
            ),
            (
                &format!("[api]\nkey = a\nKEY = {KEY}\n"),
                ZuliprcErrorKind::DuplicateKey {
                    section: "api".into(),
                },
                3,
            ),
            (
                "[DEFAULT]\nx = 1\n[DEFAULT]\nX = 2\n",
                ZuliprcErrorKind::DuplicateKey {
                    section: "DEFAULT".into(),
                },
                4,
            ),
        ];
        for (text, kind, line) in cases {
            let error = error(ConfigOptions::new(), &[], Some(text));
            assert_eq!(error.kind(), &kind, "{text:?}");
            assert_eq!(error.file(), Some("/home/iago/.zuliprc"));
            assert_eq!(error.line(), Some(line), "{text:?}");
            let shown = format!("{error} {error:?}");
            assert!(
                shown.starts_with(&format!("/home/iago/.zuliprc:{line}: ")),
                "{shown}"
            );
            assert!(!shown.contains(KEY), "{shown}");
        }
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let pending = ConfigOptions::new()
            .apply_environment(env_of(&[]), None)
            .unwrap();
        let error = pending.finish(Some(b"[api]\nemail = a\xff\n")).unwrap_err();
        assert_eq!(error.kind(), &ZuliprcErrorKind::NotUtf8);
        assert_eq!(error.line(), Some(2));
    }

    #[test]
    fn missing_key_or_email_in_an_existing_file() {
        let error1 = error(
            ConfigOptions::new(),
            &[],
            Some("[api]\nemail = a@b\nsite = x\n"),
        );
        assert_eq!(error1.kind(), &ZuliprcErrorKind::MissingKey);
        assert_eq!(error1.key(), Some("key"));
        assert_eq!(
            error1.to_string(),
            "/home/iago/.zuliprc: `key` missing from section [api]"
        );

        let error2 = error(
            ConfigOptions::new(),
            &[(ENV_API_KEY, KEY)],
            Some("[api]\nsite = x\n"),
        );
        assert_eq!(error2.kind(), &ZuliprcErrorKind::MissingKey);
        assert_eq!(error2.key(), Some("email"));

        let error3 = error(ConfigOptions::new(), &[], Some("[API]\nemail = a@b\n"));
        assert_eq!(error3.kind(), &ZuliprcErrorKind::MissingApiSection);
        assert_eq!(
            error3.to_string(),
            "/home/iago/.zuliprc: no [api] section, needed for `key`"
        );
    }

    #[test]
    fn missing_credentials_without_a_file_name_the_file() {
        let error1 = error(ConfigOptions::new(), &[(ENV_EMAIL, "a@b")], None);
        assert_eq!(error1.kind(), &ZuliprcErrorKind::MissingCredentials);
        assert_eq!(error1.file(), Some("/home/iago/.zuliprc"));
        assert_eq!(
            error1.to_string(),
            "no API key given (explicitly, or through ZULIP_API_KEY) and file /home/iago/.zuliprc does not exist"
        );
        let error2 = error(
            ConfigOptions::new(),
            &[(ENV_API_KEY, KEY), (ENV_CONFIG, "/etc/rc")],
            None,
        );
        assert_eq!(error2.key(), Some("email"));
        assert!(
            error2.to_string().contains("/etc/rc does not exist"),
            "{error2}"
        );
        assert!(!format!("{error2} {error2:?}").contains(KEY));

        let no_home = ConfigOptions::new()
            .apply_environment(env_of(&[]), None)
            .unwrap();
        let error3 = no_home.finish(None).unwrap_err();
        assert_eq!(error3.file(), None);
        assert!(error3.to_string().contains("HOME is not set"), "{error3}");
    }

    #[test]
    fn missing_site_is_an_error() {
        let env = [(ENV_EMAIL, "a@b"), (ENV_API_KEY, KEY)];
        assert_eq!(
            error(ConfigOptions::new(), &env, None).kind(),
            &ZuliprcErrorKind::MissingSite
        );
        let error = error(ConfigOptions::new(), &env, Some("[api]\n"));
        assert_eq!(error.kind(), &ZuliprcErrorKind::MissingSite);
        assert_eq!(error.file(), Some("/home/iago/.zuliprc"));
    }

    #[test]
    fn invalid_sites_name_their_origin() {
        let file = "[api]\nemail=a@b\nkey=k\nsite = ftp://x\n";
        let from_file = error(ConfigOptions::new(), &[], Some(file));
        assert!(matches!(from_file.kind(), ZuliprcErrorKind::InvalidSite(_)));
        assert_eq!((from_file.line(), from_file.key()), (Some(4), Some("site")));
        let from_env = error(ConfigOptions::new(), &[(ENV_SITE, "")], Some(file));
        assert_eq!((from_env.file(), from_env.key()), (None, Some(ENV_SITE)));
        assert!(
            from_env
                .to_string()
                .starts_with("environment variable ZULIP_SITE: "),
            "{from_env}"
        );
    }

    #[test]
    fn insecure_accepts_only_true_or_false() {
        for bad in ["yes", "1", "", " true", "on", "truе"] {
            let env_error = ConfigOptions::new()
                .apply_environment(env_of(&[(ENV_ALLOW_INSECURE, bad)]), Some(Path::new(HOME)))
                .unwrap_err();
            assert_eq!(
                env_error.kind(),
                &ZuliprcErrorKind::InvalidBoolean { value: bad.into() }
            );
            assert_eq!(env_error.key(), Some(ENV_ALLOW_INSECURE));
            assert!(
                env_error
                    .to_string()
                    .starts_with("environment variable ZULIP_ALLOW_INSECURE is")
            );

            let file = format!(
                "{}insecure = {bad}\n",
                full_file().replace("insecure = false\n", "")
            );
            if bad.trim().is_empty() || bad.trim() != bad {
                continue; // the file trims values: " true" is "true" there
            }
            let file_error = error(ConfigOptions::new(), &[], Some(&file));
            assert_eq!(
                file_error.kind(),
                &ZuliprcErrorKind::InvalidBoolean { value: bad.into() }
            );
            assert_eq!(
                (file_error.line(), file_error.key()),
                (Some(8), Some("insecure"))
            );
            assert!(
                file_error
                    .to_string()
                    .starts_with("/home/iago/.zuliprc:8: `insecure` is"),
                "{file_error}"
            );
        }
        // An explicit value means the environment is never looked at.
        let env = [
            (ENV_ALLOW_INSECURE, "maybe"),
            (ENV_EMAIL, "a@b"),
            (ENV_API_KEY, "k"),
            (ENV_SITE, "x.y"),
        ];
        assert!(resolve(ConfigOptions::new().insecure(false), &env, None).is_ok());
    }

    #[test]
    fn client_cert_key_needs_a_client_cert() {
        let env = [
            (ENV_EMAIL, "a@b"),
            (ENV_API_KEY, KEY),
            (ENV_SITE, "x.y"),
            (ENV_CERT_KEY, "~/k.pem"),
        ];
        let error = error(ConfigOptions::new(), &env, None);
        assert_eq!(
            error.kind(),
            &ZuliprcErrorKind::ClientCertKeyWithoutCert {
                path: PathBuf::from("/home/iago/k.pem")
            }
        );
        assert_eq!(error.key(), Some(ENV_CERT_KEY));
        // A certificate alone (key inside the same file) is fine.
        let env = [
            (ENV_EMAIL, "a@b"),
            (ENV_API_KEY, KEY),
            (ENV_SITE, "x.y"),
            (ENV_CERT, "/c.pem"),
        ];
        assert!(resolve(ConfigOptions::new(), &env, None).is_ok());
    }

    #[test]
    fn the_key_is_never_in_debug_output() {
        let options = ConfigOptions::new().api_key(KEY);
        let pending = options
            .clone()
            .apply_environment(env_of(&[]), None)
            .unwrap();
        let config = resolve(ConfigOptions::new(), &[], Some(&full_file())).unwrap();
        let file = Zuliprc::parse(&full_file(), "rc").unwrap();
        for shown in [
            format!("{options:?}"),
            format!("{pending:?}"),
            format!("{config:?}"),
            format!("{file:?}"),
        ] {
            assert!(!shown.contains(KEY), "{shown}");
        }
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// Lines a zuliprc may contain, right or wrong; the key only ever appears as a value.
        fn line() -> impl Strategy<Value = String> {
            prop_oneof![
                Just("[api]".to_owned()),
                Just("[DEFAULT]".to_owned()),
                Just("[other]".to_owned()),
                Just(format!("key = {KEY}")),
                Just(format!("key: {KEY}")),
                Just(format!("  {KEY}")),
                Just(KEY.to_owned()),
                Just(format!("= {KEY}")),
                Just("email = a@b.c".to_owned()),
                Just("site = chat.example.com".to_owned()),
                Just("insecure = maybe".to_owned()),
                Just("# comment".to_owned()),
                Just(String::new()),
                "[ -~]{0,12}",
                "\\PC{0,6}",
            ]
        }

        proptest! {
            #[test]
            fn never_panics_and_never_shows_the_key(lines in proptest::collection::vec(line(), 0..12)) {
                let text = lines.join("\n");
                let pending = ConfigOptions::new()
                    .apply_environment(|_| None, Some(Path::new(HOME)))
                    .unwrap();
                match pending.finish(Some(text.as_bytes())) {
                    Ok(config) => {
                        let shown = format!("{config:?}");
                        prop_assert!(!shown.contains(KEY));
                    }
                    Err(error) => {
                        let shown = format!("{error} {error:?}");
                        prop_assert!(!shown.contains(KEY), "{}", shown);
                    }
                }
                if let Ok(file) = Zuliprc::parse(&text, "rc") {
                    let shown = format!("{file:?}");
                    prop_assert!(!shown.contains(KEY));
                }
            }
        }
    }
}
