//! Per-address limits on the paths that take credentials.
//!
//! Each (bucket, address) pair has its own fixed one-minute window, so one address hammering
//! sign-in never slows anyone else, and sign-in has a bucket apart from the other credential
//! paths. There is deliberately no global bucket: that would let one attacker lock everyone out.
//! The counters live in this process's memory; behind a load balancer each process counts its
//! own share, which only makes the limit proportionally looser.

use crate::error::AppError;
use std::collections::HashMap;
use std::sync::Mutex;

/// Which family of requests a limit applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Password sign-in.
    SignIn,
    /// Every other path that checks or sets a secret: password and email change, reset request
    /// and confirm, two-factor codes.
    Credential,
}

/// Requests allowed per address per minute.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub sign_in_per_minute: u32,
    pub credential_per_minute: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            sign_in_per_minute: 30,
            credential_per_minute: 20,
        }
    }
}

const WINDOW_SECS: i64 = 60;
/// Past this many tracked addresses, finished windows are dropped.
const PRUNE_AT: usize = 10_000;

/// The counters.
pub struct RateLimiter {
    limits: RateLimits,
    windows: Mutex<HashMap<(Bucket, String), (i64, u32)>>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `address` at `now`; refuses it with the seconds to wait once the
    /// address has used its allowance. Requests with no known address share one key, which
    /// only happens for in-process calls.
    pub fn check(&self, bucket: Bucket, address: Option<&str>, now: i64) -> Result<(), AppError> {
        let limit = match bucket {
            Bucket::SignIn => self.limits.sign_in_per_minute,
            Bucket::Credential => self.limits.credential_per_minute,
        };
        let window_start = now - now.rem_euclid(WINDOW_SECS);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= PRUNE_AT {
            windows.retain(|_, (start, _)| *start == window_start);
        }
        let key = (bucket, address.unwrap_or("unknown").to_owned());
        let entry = windows.entry(key).or_insert((window_start, 0));
        if entry.0 != window_start {
            *entry = (window_start, 0);
        }
        if entry.1 >= limit {
            let retry_after = (window_start + WINDOW_SECS - now).max(1) as u64;
            return Err(AppError::RateLimited { retry_after });
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> RateLimiter {
        RateLimiter::new(RateLimits {
            sign_in_per_minute: 3,
            credential_per_minute: 2,
        })
    }

    #[test]
    fn an_address_is_refused_past_its_allowance_until_the_window_ends() {
        let limiter = limiter();
        for _ in 0..3 {
            limiter
                .check(Bucket::SignIn, Some("192.0.2.1"), 120)
                .unwrap();
        }
        let refused = limiter.check(Bucket::SignIn, Some("192.0.2.1"), 150);
        assert_eq!(refused, Err(AppError::RateLimited { retry_after: 30 }));
        limiter
            .check(Bucket::SignIn, Some("192.0.2.1"), 180)
            .unwrap();
    }

    #[test]
    fn other_addresses_and_other_buckets_are_unaffected() {
        let limiter = limiter();
        for _ in 0..3 {
            limiter.check(Bucket::SignIn, Some("192.0.2.1"), 0).unwrap();
        }
        assert!(limiter.check(Bucket::SignIn, Some("192.0.2.1"), 0).is_err());
        limiter.check(Bucket::SignIn, Some("192.0.2.2"), 0).unwrap();
        limiter
            .check(Bucket::Credential, Some("192.0.2.1"), 0)
            .unwrap();
    }
}
