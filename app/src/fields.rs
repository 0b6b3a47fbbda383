//! Field checks shared by the admin forms: bounded text on one line or several, numbers in a
//! range, and the answers for a taken name and for deleting what is still in use.

use crate::error::AppError;
use crate::i18n::{t, tf};

/// Trimmed text on one line: `min..=max` characters, no control characters.
pub fn line(value: &str, min: usize, max: usize) -> Result<String, String> {
    let value = value.trim();
    let length = value.chars().count();
    if value.chars().any(char::is_control) {
        return Err(t("Control characters are not allowed here.").into());
    }
    if length < min {
        return Err(if min == 1 {
            t("This field is required.").into()
        } else {
            tf("Enter at least {min} characters.", &[("min", &min)])
        });
    }
    if length > max {
        return Err(tf("At most {max} characters.", &[("max", &max)]));
    }
    Ok(value.to_owned())
}

/// Text over several lines (descriptions, scripts): at most `max` characters; line breaks and
/// tabs are kept, other control characters refused.
pub fn text(value: &str, max: usize) -> Result<String, String> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(t("Control characters other than line breaks are not allowed.").into());
    }
    if value.chars().count() > max {
        return Err(tf("At most {max} characters.", &[("max", &max)]));
    }
    Ok(value.trim_end().to_owned())
}

/// A whole number in `min..=max`.
pub fn number(value: i64, min: i64, max: i64) -> Result<i64, String> {
    if value < min || value > max {
        return Err(tf(
            "Enter a number from {min} to {max}.",
            &[("min", &min), ("max", &max)],
        ));
    }
    Ok(value)
}

/// The refusal for deleting a thing that others still use, naming how many. `thing` and
/// `users` pick one whole sentence, so each language can word it its own way.
pub fn in_use(thing: &str, count: i64, users: (&str, &str)) -> AppError {
    let one = count == 1;
    let shown = crate::i18n::format::number(count);
    let n: &[(&str, &dyn std::fmt::Display)] = &[("count", &shown)];
    let message = match (thing, users.0, one) {
        ("location", "node", true) => tf(
            "This location still has {count} node. Move or delete it first.",
            n,
        ),
        ("location", "node", false) => tf(
            "This location still has {count} nodes. Move or delete them first.",
            n,
        ),
        ("node", "server", true) => tf(
            "This node still has {count} server. Move or delete it first.",
            n,
        ),
        ("node", "server", false) => tf(
            "This node still has {count} servers. Move or delete them first.",
            n,
        ),
        ("nest", "egg", true) => tf(
            "This nest still has {count} egg. Move or delete it first.",
            n,
        ),
        ("nest", "egg", false) => tf(
            "This nest still has {count} eggs. Move or delete them first.",
            n,
        ),
        ("egg", "server", true) => tf(
            "This egg still has {count} server. Move or delete it first.",
            n,
        ),
        ("egg", "server", false) => tf(
            "This egg still has {count} servers. Move or delete them first.",
            n,
        ),
        ("backup configuration", "server", true) => tf(
            "This backup configuration still has {count} server. Move or delete it first.",
            n,
        ),
        ("backup configuration", "server", false) => tf(
            "This backup configuration still has {count} servers. Move or delete them first.",
            n,
        ),
        ("user", "server", true) => tf(
            "This user still has {count} server. Move or delete it first.",
            n,
        ),
        ("user", "server", false) => tf(
            "This user still has {count} servers. Move or delete them first.",
            n,
        ),
        // A pairing without its own sentence: the English shape, untranslated.
        _ => {
            let (noun, them) = if one {
                (users.0, "it")
            } else {
                (users.1, "them")
            };
            return AppError::Conflict {
                message: format!(
                    "This {thing} still has {count} {noun}. Move or delete {them} first."
                ),
            };
        }
    };
    AppError::Conflict { message }
}

/// A row that may be deleted only while nothing uses it.
#[cfg(feature = "ssr")]
pub struct Guarded {
    /// The table and the column that names the row (for the event).
    pub table: &'static str,
    pub label: &'static str,
    /// What the row is called in the refusal ("node"), and its users ("server", "servers").
    pub thing: &'static str,
    pub used_by: (&'static str, &'static str),
    /// Counts the rows that use it, with the id as `$1`.
    pub count_users: &'static str,
    /// Statements run before the delete, with the id as `$1` (rows that go with it).
    pub also_delete: &'static [&'static str],
}

/// Deletes row `id` of `guarded.table` unless something still uses it; answers its label.
/// The row is locked, its users counted and the row deleted in one write transaction, so
/// nothing can start using it in between.
#[cfg(feature = "ssr")]
pub async fn delete_unless_used(
    state: &crate::context::AppState,
    guarded: &Guarded,
    id: i64,
) -> Result<String, AppError> {
    use sqlx::Row;

    let mut tx = state.db.begin_write().await?;
    let row = sqlx::query(&format!(
        "select {} as label from {} where id = $1{}",
        guarded.label,
        guarded.table,
        state.db.row_lock()
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let users: i64 = sqlx::query(guarded.count_users)
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
    if users > 0 {
        return Err(in_use(guarded.thing, users, guarded.used_by));
    }
    for statement in guarded.also_delete {
        sqlx::query(statement).bind(id).execute(&mut *tx).await?;
    }
    sqlx::query(&format!("delete from {} where id = $1", guarded.table))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row.try_get("label")?)
}

/// Maps a unique-index violation to a message on `field`; any other error passes on.
#[cfg(feature = "ssr")]
pub fn unique_as(field: &'static str, message: &'static str) -> impl Fn(sqlx::Error) -> AppError {
    move |error| match error.as_database_error() {
        Some(db) if db.is_unique_violation() => AppError::field(field, t(message)),
        _ => AppError::from(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(line("  eu-west ", 1, 10).unwrap(), "eu-west");
        assert!(line("", 1, 10).is_err());
        assert!(line("a\u{0}b", 1, 10).is_err());
        assert!(line("a\nb", 1, 10).is_err());
        assert!(line(&"x".repeat(11), 1, 10).is_err());
    }

    #[test]
    fn texts_keep_line_breaks_and_refuse_other_controls() {
        assert_eq!(text("a\nb\tc\n", 10).unwrap(), "a\nb\tc");
        assert!(text("a\u{7}", 10).is_err());
        assert!(text(&"x".repeat(11), 10).is_err());
    }

    #[test]
    fn in_use_names_the_count() {
        let error = in_use("location", 2, ("node", "nodes"));
        assert!(error.to_string().contains("still has 2 nodes"));
        assert!(in_use("node", 1, ("server", "servers"))
            .to_string()
            .contains("1 server."));
    }
}
