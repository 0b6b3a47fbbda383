//! The one error type that crosses the wire between the browser and the server.
//!
//! Every server function returns `Result<T, AppError>`. The HTTP status is derived from the
//! variant in exactly one place ([`AppError::status`]), and the server maps the error body to
//! that status in a single middleware. An internal failure is logged with its cause on the server
//! and reaches the browser only as [`AppError::Internal`], never with the cause's text.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// A message about one form field, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The name of the field as the form knows it, e.g. `username`.
    pub field: String,
    /// A sentence for the user.
    pub message: String,
}

/// What went wrong, as far as the caller is allowed to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AppError {
    /// No valid session: sign in first.
    Unauthorized,
    /// Sign-in failed. One message for every cause (unknown user, wrong password, locked or
    /// disabled account), so the answer reveals nothing about which it was.
    InvalidCredentials,
    /// Signed in, but the rule refuses; `missing` names the permission key when there is one.
    Forbidden { missing: Option<String> },
    /// The account must turn on two-factor authentication before it may do anything but manage
    /// itself; the interface turns this into a banner leading to enrolment.
    TwoFactorRequired,
    /// The thing does not exist, or the caller may not know that it does.
    NotFound,
    /// The input was refused; each message belongs to one field.
    Validation { fields: Vec<FieldError> },
    /// The change clashes with the current state (a stale version, a taken name).
    Conflict { message: String },
    /// Too many attempts from this address or on this account.
    RateLimited { retry_after: u64 },
    /// The request itself is malformed (wrong types, missing fields, unknown fields in JSON).
    BadRequest,
    /// A dependency (the database) is unavailable; retrying later may work.
    Unavailable,
    /// A fault on the server; the cause is in the server log only.
    Internal,
}

/// The message in the current language (English outside a request, so logs and the command
/// line read the same). A `Conflict` carries its message already translated where it was made.
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::i18n::{t, tf};
        match self {
            Self::Unauthorized => f.write_str(t("Please sign in to continue.")),
            Self::InvalidCredentials => {
                f.write_str(t("The username, email or password is incorrect."))
            }
            Self::Forbidden { missing: None } => {
                f.write_str(t("You do not have permission to do that."))
            }
            Self::Forbidden { missing: Some(key) } => f.write_str(&tf(
                "You do not have permission to do that (it needs {key}).",
                &[("key", key)],
            )),
            Self::TwoFactorRequired => {
                f.write_str(t("Turn on two-factor authentication to continue."))
            }
            Self::NotFound => f.write_str(t("Not found.")),
            Self::Validation { .. } => f.write_str(t("Please correct the highlighted fields.")),
            Self::Conflict { message } => f.write_str(t(message)),
            Self::RateLimited { retry_after } => f.write_str(&tf(
                "Too many attempts. Try again in {retry_after} seconds.",
                &[("retry_after", retry_after)],
            )),
            Self::BadRequest => f.write_str(t("The request could not be understood.")),
            Self::Unavailable => f.write_str(t(
                "The service is temporarily unavailable. Please try again shortly.",
            )),
            Self::Internal => f.write_str(t("Something went wrong on our side. Please try again.")),
        }
    }
}

impl std::error::Error for AppError {}

impl AppError {
    /// A validation error about a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Validation {
            fields: vec![FieldError {
                field: field.to_owned(),
                message: message.into(),
            }],
        }
    }

    /// The HTTP status for this error: the only place where that decision is made.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized | Self::InvalidCredentials => 401,
            Self::Forbidden { .. } | Self::TwoFactorRequired => 403,
            Self::NotFound => 404,
            Self::Validation { .. } => 422,
            Self::Conflict { .. } => 409,
            Self::RateLimited { .. } => 429,
            Self::BadRequest => 400,
            Self::Unavailable => 503,
            Self::Internal => 500,
        }
    }

    /// The message for one field, if this is a validation error that names it.
    pub fn field_message(&self, field: &str) -> Option<String> {
        match self {
            Self::Validation { fields } => fields
                .iter()
                .find(|f| f.field == field)
                // Translated where it was made; looked up again in case it arrived in English.
                .map(|f| crate::i18n::t(&f.message).to_owned()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Arguments that do not decode are the caller's mistake, never a server fault.
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::MissingArg(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_) => Self::BadRequest,
            // The browser could not reach the server at all.
            ServerFnErrorErr::Request(_) => Self::Unavailable,
            _ => Self::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_maps_to_a_distinct_client_or_server_status() {
        let cases = [
            (AppError::Unauthorized, 401),
            (AppError::InvalidCredentials, 401),
            (AppError::Forbidden { missing: None }, 403),
            (AppError::TwoFactorRequired, 403),
            (AppError::NotFound, 404),
            (AppError::field("username", "taken"), 422),
            (
                AppError::Conflict {
                    message: "stale".into(),
                },
                409,
            ),
            (AppError::RateLimited { retry_after: 3 }, 429),
            (AppError::BadRequest, 400),
            (AppError::Unavailable, 503),
            (AppError::Internal, 500),
        ];
        for (error, status) in cases {
            assert_eq!(error.status(), status, "{error:?}");
        }
    }

    #[test]
    fn errors_round_trip_through_json_with_a_kind_tag() {
        let error = AppError::field("email", "Already in use.");
        let json = serde_json::to_string(&error).unwrap();
        assert!(json.contains(r#""kind":"validation""#), "{json}");
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), error);
    }
}
