//! Parsing of everything a user types about themselves, in one place.
//!
//! Every path that creates or changes a user (first-run setup, the command line, and later the
//! admin forms and sub-user invitations) goes through these parsers, so a rule cannot differ
//! between paths. The browser runs the same code to show messages before submitting; the server
//! runs it again and is the only judge.

use crate::error::{AppError, FieldError};
use serde::{Deserialize, Serialize};

/// The product name, refused as a password.
pub const PRODUCT_NAME: &str = "Gatehouse";

/// Refuses NUL and every other control character (tab and newline included), and the
/// invisible formatting characters that make a name look blank or read backwards
/// (zero-width spaces and joiners, direction overrides, the byte-order mark).
fn has_control(value: &str) -> bool {
    value
        .chars()
        .any(|c| c.is_control() || is_invisible_format(c))
}

fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
}

/// The local part of an address (before `@`): dot-separated runs of the characters RFC 5322
/// allows unquoted. Quoted local parts are refused; no mail system users have needs them.
fn local_part_ok(local: &str) -> bool {
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    !local.is_empty()
        && local.len() <= 64
        && local
            .split('.')
            .all(|run| !run.is_empty() && run.chars().all(atext))
}

/// The domain: dot-separated labels of letters, digits and inner hyphens, at least two labels.
fn domain_ok(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// A username: 3 to 32 of `a-z 0-9 _ . -`, starting and ending with a letter or digit.
///
/// Upper-case input is refused rather than folded, so what a user types is what they see; the
/// database still compares names without regard to case through [`Username::canonical`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        if has_control(value) {
            return Err(crate::i18n::t("Usernames cannot contain control characters.").into());
        }
        let length = value.chars().count();
        if !(3..=32).contains(&length) {
            return Err(crate::i18n::t("Usernames are 3 to 32 characters long.").into());
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c);
        if !value.chars().all(allowed) {
            return Err(crate::i18n::t(
                "Use lower-case letters, digits, and the characters _ . - only.",
            )
            .into());
        }
        let alphanumeric = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if !alphanumeric(value.chars().next()) || !alphanumeric(value.chars().last()) {
            return Err(crate::i18n::t("Usernames start and end with a letter or digit.").into());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form used for uniqueness and look-up.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// An email address as the user typed it (trimmed), with a canonical lower-case form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        // CR and LF are control characters: refusing them here keeps every address safe to put
        // into a mail header.
        if has_control(value) {
            return Err(
                crate::i18n::t("Email addresses cannot contain control characters.").into(),
            );
        }
        if value.is_empty() {
            return Err(crate::i18n::t("Enter an email address.").into());
        }
        if value.len() > 254 {
            return Err(crate::i18n::t("Email addresses are at most 254 characters long.").into());
        }
        let Some((local, domain)) = value.rsplit_once('@') else {
            return Err(crate::i18n::t("Enter an email address like name@example.com.").into());
        };
        // Only addresses every mail relay accepts, so security notices always go out.
        if !local_part_ok(local) || !domain_ok(domain) {
            return Err(crate::i18n::t("Enter an email address like name@example.com.").into());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lower-cased whole address: the key for uniqueness and look-up. Computed here rather
    /// than by the database so SQLite and PostgreSQL agree on non-ASCII letters too.
    pub fn canonical(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A first or last name: 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let value = raw.trim();
        if has_control(value) {
            return Err(crate::i18n::t("Names cannot contain control characters.").into());
        }
        let length = value.chars().count();
        if length == 0 {
            return Err(crate::i18n::t("Enter a name.").into());
        }
        if length > 100 {
            return Err(crate::i18n::t("Names are at most 100 characters long.").into());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Passwords longer than this are refused before hashing; argon2 itself has no such limit and
/// nothing is ever truncated.
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Frequently used passwords, refused whatever their length (NIST SP 800-63B 3.1.1.2).
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "password1234",
    "passw0rd",
    "12345678",
    "123456789",
    "1234567890",
    "12341234",
    "11111111",
    "00000000",
    "87654321",
    "qwertyui",
    "qwerty123",
    "qwertyuiop",
    "1q2w3e4r",
    "1qaz2wsx",
    "zaq12wsx",
    "asdfghjk",
    "iloveyou",
    "iloveyou1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "superman",
    "trustno1",
    "letmein1",
    "welcome1",
    "welcome123",
    "abc12345",
    "abcd1234",
    "admin123",
    "administrator",
    "changeme",
    "starwars",
    "whatever",
    "dragon12",
    "monkey12",
    "master12",
    "computer",
    "internet",
    "michelle",
    "jennifer",
    "corvette",
    "mercedes",
    "1234qwer",
    "q1w2e3r4",
    "minecraft",
    "pterodactyl",
    "gameserver",
    "letmein123",
    "secret123",
];

/// Checks a new password against the policy: at least 8 characters, at most
/// [`MAX_PASSWORD_CHARS`], not common, and not the username, email or product name.
/// There are no composition rules; long passphrases with spaces or emoji are welcome.
pub fn check_new_password(
    password: &str,
    username: Option<&str>,
    email: Option<&str>,
) -> Result<(), String> {
    let length = password.chars().count();
    if length < 8 {
        return Err(crate::i18n::t("Use at least 8 characters.").into());
    }
    if length > MAX_PASSWORD_CHARS {
        return Err(crate::i18n::tf(
            "Use at most {max} characters.",
            &[("max", &MAX_PASSWORD_CHARS)],
        ));
    }
    if password.contains('\0') {
        return Err(crate::i18n::t("Passwords cannot contain NUL characters.").into());
    }
    let lowered = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lowered.as_str()) {
        return Err(crate::i18n::t("This password is too common; choose another.").into());
    }
    let context = [Some(PRODUCT_NAME), username, email];
    if context
        .into_iter()
        .flatten()
        .any(|word| !word.is_empty() && lowered == word.to_lowercase())
    {
        return Err(crate::i18n::t(
            "The password cannot be your username, email or the product name.",
        )
        .into());
    }
    Ok(())
}

/// A rough strength estimate for the meter on password forms: 0 (weak) to 4 (strong).
/// The policy itself is [`check_new_password`]; the meter only guides.
pub fn password_strength(password: &str) -> u8 {
    let length = password.chars().count();
    if length < 8 {
        return 0;
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ]
    .into_iter()
    .filter(|present| *present)
    .count();
    let score = match length {
        0..=9 => 1,
        10..=13 => 2,
        14..=19 => 3,
        _ => 4,
    } + usize::from(classes >= 3);
    score.min(4) as u8
}

/// Collects field errors so a form reports every problem at once.
#[derive(Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Keeps the parsed value, or records the message under `field`.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push(FieldError {
                    field: field.to_owned(),
                    message,
                });
                None
            }
        }
    }

    /// `Ok` when nothing was recorded.
    pub fn finish(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation { fields: self.0 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_three_to_thirty_two_characters() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&"a".repeat(32)).is_ok());
        assert!(Username::parse(&"a".repeat(33)).is_err());
    }

    #[test]
    fn usernames_start_and_end_with_a_letter_or_digit() {
        assert!(Username::parse("_abc").is_err());
        assert!(Username::parse("abc.").is_err());
        assert!(Username::parse("a.b-c_d").is_ok());
        assert!(
            Username::parse("Admin_1").is_err(),
            "upper case is refused, not folded"
        );
        assert!(Username::parse("ad\0min").is_err());
        assert!(Username::parse("ad min").is_err());
    }

    #[test]
    fn emails_are_trimmed_and_compared_in_lower_case() {
        let email = EmailAddress::parse("  Mixed@Example.test ").unwrap();
        assert_eq!(email.as_str(), "Mixed@Example.test");
        assert_eq!(email.canonical(), "mixed@example.test");
        assert!(EmailAddress::parse("no-at-sign").is_err());
        assert!(EmailAddress::parse("a@b.test\r\nBcc: x@y.test").is_err());
        let long = format!("{}@example.test", "a".repeat(250));
        assert!(EmailAddress::parse(&long).is_err());
        for undeliverable in [
            "a@b@example.com",
            "a(b)@example.com",
            "a\\b@example.com",
            ".a@example.com",
            "a..b@example.com",
            "a@-example.com",
            "a@example",
            "a\u{200B}@example.com",
            "\"quoted\"@example.com",
            "a b@example.com",
        ] {
            assert!(
                EmailAddress::parse(undeliverable).is_err(),
                "{undeliverable}"
            );
        }
        assert!(EmailAddress::parse("first.last+tag@sub.example.co.uk").is_ok());
    }

    #[test]
    fn names_are_one_to_a_hundred_characters() {
        assert!(PersonName::parse(" ").is_err());
        assert!(PersonName::parse(&"é".repeat(100)).is_ok());
        assert!(PersonName::parse(&"é".repeat(101)).is_err());
        assert!(PersonName::parse("Ada\u{7}").is_err());
        assert!(
            PersonName::parse("\u{200B}").is_err(),
            "a zero-width space is not a name"
        );
        assert!(
            PersonName::parse("\u{202E}nimda").is_err(),
            "no direction overrides"
        );
    }

    #[test]
    fn passwords_need_eight_characters_and_no_composition() {
        assert!(check_new_password("short", None, None).is_err());
        assert!(check_new_password("correct horse battery staple", None, None).is_ok());
        assert!(check_new_password("🦀🦀🦀🦀🦀🦀🦀🦀", None, None).is_ok());
    }

    #[test]
    fn common_and_context_passwords_are_refused() {
        assert!(check_new_password("Password123", None, None).is_err());
        assert!(check_new_password("gatehouse", None, None).is_err());
        assert!(check_new_password("ada.lovelace", Some("ada.lovelace"), None).is_err());
        assert!(check_new_password("ada@example.test", None, Some("ada@example.test")).is_err());
    }

    #[test]
    fn strength_grows_with_length() {
        assert_eq!(password_strength("abc"), 0);
        assert!(password_strength("correct horse battery staple") > password_strength("abcdefgh"));
    }
}
