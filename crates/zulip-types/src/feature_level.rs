//! The server's API feature level.

use std::fmt;

/// A Zulip server's API feature level (`zulip_feature_level` in `GET /server_settings`).
///
/// Zulip increments the feature level with every API change; clients use it to know which wire
/// format a server speaks. Servers older than Zulip 3.0 do not send it: treat them as
/// [`FeatureLevel::ZERO`].
///
/// ```
/// use zulip_types::FeatureLevel;
///
/// let level = FeatureLevel::new(443);
/// assert!(level >= FeatureLevel::ATTACHMENT_TIMESTAMPS_IN_SECONDS);
/// assert_eq!(level.get(), 443);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FeatureLevel(u32);

impl FeatureLevel {
    /// Servers before Zulip 3.0 report no feature level; they are level 0.
    pub const ZERO: Self = Self(0);

    /// Zulip 3.0 (level 22): attachment `create_time` and message `date_sent` became integer
    /// milliseconds, and the message key `name` was renamed `date_sent`.
    pub const ATTACHMENT_INTEGER_TIMESTAMPS: Self = Self(22);

    /// Zulip 4.0 (level 36): rate-limit errors carry `code: "RATE_LIMIT_HIT"`.
    pub const RATE_LIMIT_ERROR_CODE: Self = Self(36);

    /// Zulip 5.0 (level 76): error responses always carry `code`; deactivated users and
    /// organizations answer 401 instead of 403.
    pub const ERROR_CODES_EVERYWHERE: Self = Self(76);

    /// Zulip 3.0 (level 1): `GET /user_uploads/{realm_id_str}/{filename}` answers a temporary
    /// URL (it served the file itself before); `authentication_methods` gains `gitlab`.
    pub const TEMPORARY_FILE_URLS: Self = Self(1);

    /// Zulip 7.0 (level 167): any success response may carry `ignored_parameters_unsupported`.
    pub const IGNORED_PARAMETERS_UNSUPPORTED: Self = Self(167);

    /// Zulip 9.0 (level 257): `GET /server_settings` sends `realm_url`, keeping `realm_uri` as
    /// an alias.
    pub const REALM_URL: Self = Self(257);

    /// Zulip 9.0 (level 272): `POST /user_uploads` answers `url`, keeping `uri` as an alias.
    pub const UPLOAD_URL: Self = Self(272);

    /// Zulip 10.0 (level 285; the docs also say 286): `POST /user_uploads` answers `filename`.
    pub const UPLOAD_FILENAME: Self = Self(285);

    /// Zulip 12.0-dev (level 443): attachment timestamps are integer **seconds**.
    pub const ATTACHMENT_TIMESTAMPS_IN_SECONDS: Self = Self(443);

    /// Zulip 12.0 (level 472): attachments list `message_ids` instead of `messages`.
    pub const ATTACHMENT_MESSAGE_IDS: Self = Self(472);

    /// A feature level.
    #[must_use]
    pub const fn new(level: u32) -> Self {
        Self(level)
    }

    /// The number.
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl From<u32> for FeatureLevel {
    fn from(level: u32) -> Self {
        Self(level)
    }
}

impl fmt::Display for FeatureLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "feature level {}", self.0)
    }
}
