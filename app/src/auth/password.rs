//! Password hashing: argon2id at OWASP's recommended parameters (m = 19 MiB, t = 2, p = 1).
//!
//! Hashing is deliberately slow, so it runs on the blocking thread pool behind a semaphore
//! sized to the cores: a storm of sign-ins queues here instead of starving the async threads
//! that serve everyone else. Passwords are normalised to NFKC before hashing and checking, so
//! the same passphrase typed on different keyboards matches; nothing is ever truncated.

use crate::error::AppError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;
use unicode_normalization::UnicodeNormalization;

/// OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
pub const OWASP_MEMORY_KIB: u32 = 19_456;
pub const OWASP_ITERATIONS: u32 = 2;
pub const OWASP_PARALLELISM: u32 = 1;

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub matches: bool,
    /// The stored hash uses weaker parameters than today's and should be replaced.
    pub needs_rehash: bool,
}

/// Hashes and verifies passwords off the async threads. Cheap to clone.
#[derive(Clone)]
pub struct PasswordHasher(Arc<Inner>);

struct Inner {
    params: Params,
    permits: Semaphore,
    /// How many times the hash function ran; tests use it to prove every sign-in path hashes
    /// exactly once, which is what makes the paths indistinguishable by timing.
    calls: AtomicU64,
    /// A hash of a random password, verified against when the account does not exist.
    dummy_hash: String,
}

fn argon2(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

fn normalise(password: &str) -> SecretString {
    SecretString::from(password.nfkc().collect::<String>())
}

impl PasswordHasher {
    /// A hasher at OWASP's parameters with one permit per core but one (and at least one), so
    /// that a storm of sign-ins always leaves a core to every other request: with a permit on
    /// every core, a reader's p99 grew fourfold during 200 concurrent sign-ins on two cores.
    pub fn owasp() -> Result<Self, argon2::Error> {
        let params = Params::new(OWASP_MEMORY_KIB, OWASP_ITERATIONS, OWASP_PARALLELISM, None)?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::with_params(params, cores.saturating_sub(1))
    }

    pub fn with_params(params: Params, permits: usize) -> Result<Self, argon2::Error> {
        let salt = SaltString::generate(&mut OsRng);
        let random = SaltString::generate(&mut OsRng);
        let dummy_hash = argon2(&params)
            .hash_password(random.as_str().as_bytes(), &salt)
            .map_err(|_| argon2::Error::AlgorithmInvalid)?
            .to_string();
        Ok(Self(Arc::new(Inner {
            params,
            permits: Semaphore::new(permits.max(1)),
            calls: AtomicU64::new(0),
            dummy_hash,
        })))
    }

    /// How many hashes or verifications have run since start.
    pub fn calls(&self) -> u64 {
        self.0.calls.load(Ordering::SeqCst)
    }

    /// Hashes a new password into a PHC string with a fresh salt.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = normalise(password);
        self.run(move |inner| {
            let salt = SaltString::generate(&mut OsRng);
            argon2(&inner.params)
                .hash_password(password.expose_secret().as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|error| {
                    tracing::error!(%error, "password hashing failed");
                    AppError::Internal
                })
        })
        .await?
    }

    /// Checks `password` against `stored`. With no stored hash (unknown user, or an account
    /// that has no password yet) it checks against a dummy hash, so the work done, and the time
    /// taken, are the same as for a real account; the answer is then always "no".
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<Verified, AppError> {
        let password = normalise(password);
        let stored = stored.map(str::to_owned);
        self.run(move |inner| {
            let real = stored.is_some();
            let phc = stored.unwrap_or_else(|| inner.dummy_hash.clone());
            let Ok(parsed) = PasswordHash::new(&phc) else {
                tracing::error!("a stored password hash is not a valid PHC string");
                return Verified {
                    matches: false,
                    needs_rehash: false,
                };
            };
            let matches = argon2(&inner.params)
                .verify_password(password.expose_secret().as_bytes(), &parsed)
                .is_ok();
            Verified {
                matches: real && matches,
                needs_rehash: real && matches && is_weaker(&parsed, &inner.params),
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _permit = self
            .0
            .permits
            .acquire()
            .await
            .map_err(|_| AppError::Internal)?;
        self.0.calls.fetch_add(1, Ordering::SeqCst);
        let inner = Arc::clone(&self.0);
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|error| {
                tracing::error!(%error, "password hashing task failed");
                AppError::Internal
            })
    }
}

/// True when the hash is not argon2id or any cost parameter is below today's.
fn is_weaker(hash: &PasswordHash<'_>, current: &Params) -> bool {
    if hash.algorithm.as_str() != "argon2id" {
        return true;
    }
    let Ok(params) = Params::try_from(hash) else {
        return true;
    };
    params.m_cost() < current.m_cost()
        || params.t_cost() < current.t_cost()
        || params.p_cost() < current.p_cost()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> PasswordHasher {
        PasswordHasher::with_params(Params::new(1024, 1, 1, None).unwrap(), 2).unwrap()
    }

    #[tokio::test]
    async fn owasp_hashes_are_argon2id_with_the_required_cost() {
        let hasher = PasswordHasher::owasp().unwrap();
        let phc = hasher.hash("correct horse battery staple").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        let again = hasher.hash("correct horse battery staple").await.unwrap();
        assert_ne!(phc, again, "every hash has its own salt");
    }

    #[tokio::test]
    async fn a_long_password_is_not_truncated() {
        let hasher = cheap();
        let long = "x".repeat(80);
        let phc = hasher.hash(&long).await.unwrap();
        assert!(hasher.verify(&long, Some(&phc)).await.unwrap().matches);
        assert!(
            !hasher
                .verify(&long[..72], Some(&phc))
                .await
                .unwrap()
                .matches
        );
    }

    #[tokio::test]
    async fn passwords_are_compared_after_nfkc_normalisation() {
        let hasher = cheap();
        // U+FB01 (the "fi" ligature) normalises to "fi".
        let phc = hasher.hash("pass\u{FB01}sh-words").await.unwrap();
        assert!(
            hasher
                .verify("passfish-words", Some(&phc))
                .await
                .unwrap()
                .matches
        );
    }

    #[tokio::test]
    async fn unknown_accounts_cost_one_hash_and_never_match() {
        let hasher = cheap();
        let before = hasher.calls();
        let verified = hasher.verify("anything", None).await.unwrap();
        assert!(!verified.matches);
        assert_eq!(hasher.calls(), before + 1);
    }

    #[tokio::test]
    async fn weaker_hashes_are_flagged_for_upgrade() {
        let weak = cheap();
        let phc = weak.hash("a passphrase").await.unwrap();
        let strong = PasswordHasher::owasp().unwrap();
        let verified = strong.verify("a passphrase", Some(&phc)).await.unwrap();
        assert!(verified.matches && verified.needs_rehash);
    }
}
