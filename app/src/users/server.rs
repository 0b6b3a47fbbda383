//! Creating accounts: the one path that setup, the command line and (later) the admin forms
//! and sub-user invitations share.

use super::validation::{check_new_password, EmailAddress, FieldErrors, PersonName, Username};
use super::Password;
use crate::context::db::Db;
use crate::context::AppState;
use crate::error::AppError;
use sqlx::{Any, Row, Transaction};

/// An account as typed into a form, not yet checked.
#[derive(Debug, Clone)]
pub struct NewUserForm {
    pub username: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// `None` creates an account without a password, to be set through a one-time link.
    pub password: Option<Password>,
    pub is_admin: bool,
}

/// An account whose every field passed validation.
struct ValidNewUser {
    username: Username,
    email: EmailAddress,
    first_name: PersonName,
    last_name: PersonName,
}

fn validate(form: &NewUserForm) -> Result<ValidNewUser, AppError> {
    let mut errors = FieldErrors::default();
    let username = errors.check("username", Username::parse(&form.username));
    let email = errors.check("email", EmailAddress::parse(&form.email));
    let first_name = errors.check("first_name", PersonName::parse(&form.first_name));
    let last_name = errors.check("last_name", PersonName::parse(&form.last_name));
    if let Some(password) = &form.password {
        errors.check(
            "password",
            check_new_password(
                password.expose(),
                Some(form.username.trim()),
                Some(form.email.trim()),
            ),
        );
    }
    errors.finish()?;
    match (username, email, first_name, last_name) {
        (Some(username), Some(email), Some(first_name), Some(last_name)) => Ok(ValidNewUser {
            username,
            email,
            first_name,
            last_name,
        }),
        _ => Err(AppError::Internal),
    }
}

/// Validates, hashes and stores a new account; returns its id.
#[tracing::instrument(skip_all)]
pub async fn create(state: &AppState, form: &NewUserForm) -> Result<i64, AppError> {
    let user = validate(form)?;
    let password_hash = match &form.password {
        Some(password) => Some(state.hasher.hash(password.expose()).await?),
        None => None,
    };
    let mut tx = state.db.begin_write().await?;
    let id = insert(&mut tx, state.now(), &user, password_hash, form.is_admin).await?;
    tx.commit().await?;
    Ok(id)
}

/// Inserts inside the caller's write transaction, refusing a taken username or email with a
/// field message. The check and the insert share the transaction; a race that slips past the
/// check still meets the unique indexes and becomes a conflict, never a 500.
async fn insert(
    tx: &mut Transaction<'static, Any>,
    now: i64,
    user: &ValidNewUser,
    password_hash: Option<String>,
    is_admin: bool,
) -> Result<i64, AppError> {
    let taken = sqlx::query(
        r#"
        select case when username_canonical = $1 then 1 else 0 end as username_taken,
               case when email_canonical = $2 then 1 else 0 end as email_taken
        from users
        where username_canonical = $1 or email_canonical = $2
        "#,
    )
    .bind(user.username.canonical())
    .bind(user.email.canonical())
    .fetch_all(&mut **tx)
    .await?;
    let mut errors = FieldErrors::default();
    for row in &taken {
        if row.try_get::<i64, _>("username_taken")? == 1 {
            errors.check::<()>(
                "username",
                Err(crate::i18n::t("This username is already taken.").into()),
            );
        }
        if row.try_get::<i64, _>("email_taken")? == 1 {
            errors.check::<()>(
                "email",
                Err(crate::i18n::t("This email address is already in use.").into()),
            );
        }
    }
    errors.finish()?;

    let row = sqlx::query(
        r#"
        insert into users
            (username, username_canonical, email, email_canonical, first_name, last_name,
             password_hash, is_admin, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
        returning id
        "#,
    )
    .bind(user.username.as_str())
    .bind(user.username.canonical())
    .bind(user.email.as_str())
    .bind(user.email.canonical())
    .bind(user.first_name.as_str())
    .bind(user.last_name.as_str())
    .bind(password_hash)
    .bind(i64::from(is_admin))
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(|error| match error.as_database_error() {
        Some(db) if db.is_unique_violation() => AppError::Conflict {
            message: crate::i18n::t(
                "This username or email address was just taken. Choose another.",
            )
            .into(),
        },
        _ => AppError::from(error),
    })?;
    Ok(row.try_get("id")?)
}

/// How many accounts exist.
pub async fn count(db: &Db) -> Result<i64, AppError> {
    let row = sqlx::query("select count(*) as n from users")
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get("n")?)
}

/// Finds an account id by username, regardless of case.
pub async fn id_by_username(db: &Db, username: &str) -> Result<Option<i64>, AppError> {
    let row = sqlx::query("select id from users where username_canonical = $1")
        .bind(username.trim().to_lowercase())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|row| row.try_get("id")).transpose()?)
}

/// Replaces an account's password hash.
pub async fn set_password_hash(state: &AppState, user_id: i64, hash: &str) -> Result<(), AppError> {
    sqlx::query("update users set password_hash = $1, updated_at = $2 where id = $3")
        .bind(hash)
        .bind(state.now())
        .bind(user_id)
        .execute(state.db.pool())
        .await?;
    Ok(())
}
