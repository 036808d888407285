//! The `code` of Zulip's error responses: an open set.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal, )*) => {
        /// The machine-readable `code` of an error response.
        ///
        /// Zulip adds codes over time, so unknown codes are kept as [`ErrorCode::Other`] with their
        /// wire string; a later version of this crate may turn such a code into a named variant.
        /// Match on codes, never on `msg` (it is translated).
        ///
        /// ```
        /// use zulip_types::ErrorCode;
        ///
        /// assert_eq!(ErrorCode::from_wire("RATE_LIMIT_HIT"), ErrorCode::RateLimitHit);
        /// let unknown = ErrorCode::from_wire("SOMETHING_NEW");
        /// assert!(matches!(unknown, ErrorCode::Other(_)));
        /// assert_eq!(unknown.as_str(), "SOMETHING_NEW");
        /// ```
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
            /// A code this version of the crate does not name, kept as sent.
            Other(UnknownErrorCode),
        }

        impl ErrorCode {
            /// The code for a wire string.
            #[must_use]
            pub fn from_wire(code: &str) -> Self {
                match code {
                    $( $wire => Self::$variant, )*
                    other => Self::Other(UnknownErrorCode(other.to_owned())),
                }
            }

            /// The wire string.
            #[must_use]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::Other(code) => &code.0,
                }
            }
        }
    };
}

error_codes! {
    /// `BAD_REQUEST`: the generic code for a request the server refuses.
    BadRequest = "BAD_REQUEST",
    /// `REQUEST_VARIABLE_MISSING`: a required parameter is missing.
    RequestVariableMissing = "REQUEST_VARIABLE_MISSING",
    /// `REQUEST_VARIABLE_INVALID`: a parameter has an invalid value.
    RequestVariableInvalid = "REQUEST_VARIABLE_INVALID",
    /// `REQUEST_CONFUSING_VAR`: a parameter was sent in two places.
    RequestConfusingVar = "REQUEST_CONFUSING_VAR",
    /// `INVALID_JSON`: a JSON-encoded parameter is not valid JSON.
    InvalidJson = "INVALID_JSON",
    /// `BAD_IMAGE`: an uploaded image cannot be processed.
    BadImage = "BAD_IMAGE",
    /// `REALM_UPLOAD_QUOTA`: the organization's upload quota is used up.
    RealmUploadQuota = "REALM_UPLOAD_QUOTA",
    /// `BAD_NARROW`: an invalid narrow.
    BadNarrow = "BAD_NARROW",
    /// `BAD_EVENT_QUEUE_ID`: an unknown or expired event queue.
    BadEventQueueId = "BAD_EVENT_QUEUE_ID",
    /// `STREAM_DOES_NOT_EXIST`: no such channel.
    StreamDoesNotExist = "STREAM_DOES_NOT_EXIST",
    /// `UNAUTHORIZED_PRINCIPAL`: the user may not act on that principal.
    UnauthorizedPrincipal = "UNAUTHORIZED_PRINCIPAL",
    /// `UNAUTHORIZED`: no or unusable credentials (HTTP 401).
    Unauthorized = "UNAUTHORIZED",
    /// `UNAUTHENTICATED_USER`: the endpoint needs an authenticated user.
    UnauthenticatedUser = "UNAUTHENTICATED_USER",
    /// `INVALID_API_KEY`: the API key does not match (HTTP 401 in practice).
    InvalidApiKey = "INVALID_API_KEY",
    /// `AUTHENTICATION_FAILED`: the credentials were refused.
    AuthenticationFailed = "AUTHENTICATION_FAILED",
    /// `USER_DEACTIVATED`: the user's account is deactivated (401 from feature level 76, 403 before).
    UserDeactivated = "USER_DEACTIVATED",
    /// `REALM_DEACTIVATED`: the organization is deactivated (401 from feature level 76, 403 before).
    RealmDeactivated = "REALM_DEACTIVATED",
    /// `PASSWORD_RESET_REQUIRED`: the user must reset their password first.
    PasswordResetRequired = "PASSWORD_RESET_REQUIRED",
    /// `NONEXISTENT_SUBDOMAIN`: no organization at this address.
    NonexistentSubdomain = "NONEXISTENT_SUBDOMAIN",
    /// `RATE_LIMIT_HIT`: too many requests (HTTP 429; absent before feature level 36).
    RateLimitHit = "RATE_LIMIT_HIT",
    /// `CSRF_FAILED`: a session request without a valid CSRF token.
    CsrfFailed = "CSRF_FAILED",
    /// `REQUEST_TIMEOUT`: the server gave up on the request.
    RequestTimeout = "REQUEST_TIMEOUT",
    /// `SERVER_NOT_READY`: the server is starting or restarting.
    ServerNotReady = "SERVER_NOT_READY",
    /// `INVITATION_FAILED`: some invitations were not sent.
    InvitationFailed = "INVITATION_FAILED",
    /// `CANNOT_DEACTIVATE_LAST_USER`: the last owner cannot be deactivated.
    CannotDeactivateLastUser = "CANNOT_DEACTIVATE_LAST_USER",
    /// `MOVE_MESSAGES_TIME_LIMIT_EXCEEDED`: too late to move these messages.
    MoveMessagesTimeLimitExceeded = "MOVE_MESSAGES_TIME_LIMIT_EXCEEDED",
    /// `REACTION_ALREADY_EXISTS`: the reaction is already there.
    ReactionAlreadyExists = "REACTION_ALREADY_EXISTS",
    /// `REACTION_DOES_NOT_EXIST`: no such reaction.
    ReactionDoesNotExist = "REACTION_DOES_NOT_EXIST",
    /// `TOPIC_WILDCARD_MENTION_NOT_ALLOWED`: the user may not use topic wildcard mentions.
    TopicWildcardMentionNotAllowed = "TOPIC_WILDCARD_MENTION_NOT_ALLOWED",
    /// `STREAM_WILDCARD_MENTION_NOT_ALLOWED`: the user may not use channel wildcard mentions.
    StreamWildcardMentionNotAllowed = "STREAM_WILDCARD_MENTION_NOT_ALLOWED",
    /// `INVALID_PUSH_DEVICE_TOKEN`: the push device token is invalid.
    InvalidPushDeviceToken = "INVALID_PUSH_DEVICE_TOKEN",
    /// `INVALID_REMOTE_PUSH_DEVICE_TOKEN`: the remote push device token is invalid.
    InvalidRemotePushDeviceToken = "INVALID_REMOTE_PUSH_DEVICE_TOKEN",
}

/// An error code that this version of the crate does not name.
///
/// It can only be made by [`ErrorCode::from_wire`], so `ErrorCode::Other` never holds a code that
/// has a named variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownErrorCode(String);

impl UnknownErrorCode {
    /// The wire string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Self::from_wire(&code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_code_round_trips_through_its_wire_string() {
        let named = [
            ErrorCode::BadRequest,
            ErrorCode::RealmUploadQuota,
            ErrorCode::InvalidApiKey,
            ErrorCode::RateLimitHit,
            ErrorCode::StreamWildcardMentionNotAllowed,
        ];
        for code in named {
            assert_eq!(ErrorCode::from_wire(code.as_str()), code);
        }
        assert_eq!(
            serde_json::from_str::<ErrorCode>(r#""NEW_CODE""#)
                .unwrap()
                .as_str(),
            "NEW_CODE"
        );
    }
}
