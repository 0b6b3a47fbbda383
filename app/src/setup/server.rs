//! First-run setup: while no account exists, `/setup` creates the first root admin. It is
//! guarded by a one-time token the server prints in its log at start, so only someone who can
//! read the server's output can claim a freshly installed panel.

use crate::activity::server::{record, Entry};
use crate::activity::Event;
use crate::context::request::Origin;
use crate::context::AppState;
use crate::error::AppError;
use crate::users::server::{self as users, NewUserForm};
use rand::RngCore;
use std::sync::Mutex;

/// The setup token, held in memory only while setup is open.
#[derive(Default)]
pub struct SetupToken(Mutex<Option<String>>);

impl SetupToken {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        // A poisoned lock only means a panic elsewhere; the token itself is still consistent.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// True while setup can still be completed.
    pub fn is_open(&self) -> bool {
        self.lock().is_some()
    }

    /// The token, for the start-up log and for tests.
    pub fn current(&self) -> Option<String> {
        self.lock().clone()
    }

    fn issue(&self) -> String {
        let mut bytes = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        *self.lock() = Some(token.clone());
        token
    }

    /// Takes the token if `candidate` matches it, so two concurrent setups cannot both pass.
    fn take_if(&self, candidate: &str) -> Option<String> {
        let mut guard = self.lock();
        let matches = guard
            .as_deref()
            .is_some_and(|token| constant_time_eq(token.as_bytes(), candidate.trim().as_bytes()));
        if matches {
            guard.take()
        } else {
            None
        }
    }

    fn restore(&self, token: String) {
        *self.lock() = Some(token);
    }

    fn close(&self) {
        *self.lock() = None;
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Opens setup when the database holds no account; returns the token to print.
pub async fn open_if_needed(state: &AppState) -> Result<Option<String>, AppError> {
    if users::count(&state.db).await? == 0 {
        Ok(Some(state.setup_token.issue()))
    } else {
        state.setup_token.close();
        Ok(None)
    }
}

/// True while setup can still be completed. Looks at the database only while the token is
/// open, so an account created meanwhile (by the command line, or another process) closes it.
pub async fn is_required(state: &AppState) -> Result<bool, AppError> {
    if !state.setup_token.is_open() {
        return Ok(false);
    }
    if users::count(&state.db).await? > 0 {
        state.setup_token.close();
        return Ok(false);
    }
    Ok(true)
}

/// Creates the first root admin. Refused (404, as if `/setup` did not exist) once any account
/// exists or with a wrong token.
#[tracing::instrument(skip_all)]
pub async fn create_first_admin(
    state: &AppState,
    token: &str,
    mut form: NewUserForm,
    origin: &Origin,
) -> Result<i64, AppError> {
    let Some(taken) = state.setup_token.take_if(token) else {
        if state.setup_token.is_open() {
            return Err(AppError::field(
                "token",
                crate::i18n::t("This setup token is not valid."),
            ));
        }
        return Err(AppError::NotFound);
    };
    // Another process sharing the database may have finished setup already.
    match users::count(&state.db).await {
        Ok(0) => {}
        Ok(_) => return Err(AppError::NotFound),
        Err(error) => {
            state.setup_token.restore(taken);
            return Err(error);
        }
    }
    form.is_admin = true;
    let id = match users::create(state, &form).await {
        Ok(id) => id,
        Err(error) => {
            // Bad input must not burn the token.
            state.setup_token.restore(taken);
            return Err(error);
        }
    };
    let entry = Entry::new(Event::FirstAdminCreated)
        .actor(id, form.username.trim())
        .subject("user", id);
    record(&state.db, state.now(), origin, entry).await;
    tracing::info!(user_id = id, "setup complete: first administrator created");
    Ok(id)
}
