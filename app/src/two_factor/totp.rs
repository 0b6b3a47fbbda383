//! Time-based one-time passwords, RFC 6238: HMAC-SHA1, six digits, 30-second steps.
//!
//! A code is accepted for the current step and one step either side (RFC 6238 section 5.2
//! allows a small window for clock drift), always measured by the server's clock. Which step
//! matched is returned so the caller can refuse any step that is not newer than the last one
//! accepted: each code works once.

use rand::RngCore;
use totp_rs::{Algorithm, TOTP};

pub const STEP_SECS: i64 = 30;
const DIGITS: usize = 6;
/// 160 bits, the length RFC 4226 section 4 recommends for the shared secret.
const SECRET_BYTES: usize = 20;
const ISSUER: &str = "Gatehouse";

/// A fresh random secret, base32-encoded as authenticator apps expect.
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &bytes)
}

fn totp(secret: &str, account: &str) -> Option<TOTP> {
    let bytes = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, secret)?;
    Some(TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP_SECS as u64,
        bytes,
        Some(ISSUER.to_owned()),
        account.to_owned(),
    ))
}

/// The step a time falls in.
pub fn step_of(now: i64) -> i64 {
    now.div_euclid(STEP_SECS)
}

/// The code for a given step.
pub fn code_at_step(secret: &str, step: i64) -> Option<String> {
    let step = u64::try_from(step).ok()?;
    Some(totp(secret, "code")?.generate(step * STEP_SECS as u64))
}

/// The step among T-1, T and T+1 whose code equals `code`, if any.
pub fn matching_step(secret: &str, code: &str, now: i64) -> Option<i64> {
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_of(now);
    // Every candidate is compared, in constant time, whatever matched first.
    let mut found = None;
    for step in [current - 1, current, current + 1] {
        let expected = code_at_step(secret, step)?;
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` URI authenticator apps scan.
pub fn otpauth_uri(secret: &str, account: &str) -> Option<String> {
    Some(totp(secret, account)?.get_url())
}

/// The URI as an SVG QR code.
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the SHA-1 test secret "12345678901234567890" at T = 59 s gives
    /// 94287082 (eight digits); its last six digits are 287082.
    #[test]
    fn codes_match_the_rfc_6238_test_vector() {
        let secret = base32::encode(
            base32::Alphabet::Rfc4648 { padding: false },
            b"12345678901234567890",
        );
        assert_eq!(code_at_step(&secret, 59 / STEP_SECS).unwrap(), "287082");
    }

    #[test]
    fn one_step_of_drift_is_accepted_each_way_and_two_are_not() {
        let secret = new_secret();
        let now = 1_767_225_615; // inside a step
        let t = step_of(now);
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at_step(&secret, t + offset).unwrap();
            let matched = matching_step(&secret, &code, now);
            assert_eq!(matched.is_some(), accepted, "T{offset:+}");
            if accepted {
                assert_eq!(matched, Some(t + offset));
            }
        }
    }

    #[test]
    fn secrets_are_160_random_bits() {
        let a = new_secret();
        let decoded = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &a).unwrap();
        assert_eq!(decoded.len(), 20);
        assert_ne!(a, new_secret());
    }

    #[test]
    fn malformed_codes_never_match() {
        let secret = new_secret();
        for code in ["", "12345", "1234567", "abcdef", "12 456"] {
            assert_eq!(
                matching_step(&secret, code, 1_767_225_600),
                None,
                "{code:?}"
            );
        }
    }
}
