//! Reading the zuliprc and the environment: the I/O around zulip-types' pure resolution.

use std::io::Read;
use std::path::{Path, PathBuf};

use zulip_types::{ConfigOptions, Credentials, ResolvedConfig, Site};

use crate::error::{ConfigError, Error};

/// A zuliprc is a few lines; anything larger is not one.
const MAX_ZULIPRC: u64 = 1024 * 1024;

/// A resolved configuration: credentials, site and TLS settings, found like the official
/// Python client finds them.
///
/// Precedence, for every setting: the explicit value ([`ConfigOptions`]), else its
/// environment variable (`ZULIP_EMAIL`, `ZULIP_API_KEY`, `ZULIP_SITE`, `ZULIP_ALLOW_INSECURE`,
/// `ZULIP_CERT_BUNDLE`, `ZULIP_CERT`, `ZULIP_CERT_KEY`), else the `[api]` section of the
/// configuration file: the explicit `config_file`, else `ZULIP_CONFIG`, else `$HOME/.zuliprc`.
/// The rules are written out in [`zulip_types::zuliprc`].
///
/// ```no_run
/// use zulip_hyper::{Client, Config};
///
/// # fn main() -> Result<(), zulip_hyper::Error> {
/// // ~/.zuliprc, overridden by ZULIP_* environment variables.
/// let client = Client::from_config(Config::from_env_and_file()?)?;
/// # Ok(()) }
/// ```
///
/// `Debug` never shows the API key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config(ResolvedConfig);

impl Config {
    /// A configuration with these credentials and site, verifying certificates against the
    /// built-in roots.
    #[must_use]
    pub fn new(credentials: Credentials, site: Site) -> Self {
        Self(ResolvedConfig::new(credentials, site))
    }

    /// Reads the environment and the configuration file, with nothing given explicitly.
    ///
    /// # Errors
    /// [`Error::Config`]: see [`Config::load`].
    pub fn from_env_and_file() -> Result<Self, Error> {
        Self::load(ConfigOptions::new())
    }

    /// Resolves `options` with the process environment and the configuration file. The home
    /// directory is `$HOME`, as for the Python client.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file, line and key: a syntax error, `key` or `email`
    /// missing (or no file at all when they are not given otherwise), no site, an `insecure`
    /// that is not `true`/`false`, a client certificate key without a certificate, or a file
    /// that exists but cannot be read.
    pub fn load(options: ConfigOptions) -> Result<Self, Error> {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        Self::load_with(options, process_env, home.as_deref())
    }

    /// Like [`Config::load`] with the environment lookup and the home directory given (for
    /// tests and sandboxes). Files are read from disk.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn load_with(
        options: ConfigOptions,
        env: impl Fn(&str) -> Option<String>,
        home: Option<&Path>,
    ) -> Result<Self, Error> {
        let pending = options.apply_environment(env, home)?;
        let contents = match pending.config_file() {
            Some(path) => read_if_exists(path)?,
            None => None,
        };
        Ok(Self(pending.finish(contents.as_deref())?))
    }

    /// The resolved settings.
    #[must_use]
    pub fn resolved(&self) -> &ResolvedConfig {
        &self.0
    }

    /// The resolved settings, owned.
    #[must_use]
    pub fn into_resolved(self) -> ResolvedConfig {
        self.0
    }
}

impl From<ResolvedConfig> for Config {
    fn from(resolved: ResolvedConfig) -> Self {
        Self(resolved)
    }
}

/// An environment variable; one that is not UTF-8 is read lossily.
fn process_env(name: &str) -> Option<String> {
    std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
}

/// The file's bytes, `None` when it does not exist (as Python's `os.path.exists`), an error
/// when it exists but cannot be read.
fn read_if_exists(path: &Path) -> Result<Option<Vec<u8>>, ConfigError> {
    let cannot = |error: std::io::Error| {
        ConfigError::file(
            "config_file",
            path,
            "cannot read the configuration file",
            Some(Box::new(error)),
        )
    };
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(cannot(error)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_ZULIPRC + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_ZULIPRC {
        return Err(ConfigError::file(
            "config_file",
            path,
            format!("larger than {MAX_ZULIPRC} bytes: not a zuliprc"),
            None,
        ));
    }
    Ok(Some(bytes))
}
