//! Nest and egg services.

use super::variables::{check_env_name, Rules};
use super::{Egg, EggInput, EggSummary, EggVariable, Nest, NestInput};
use crate::activity::server::Entry;
use crate::activity::Event;
use crate::context::request::{Caller, Request};
use crate::context::AppState;
use crate::error::AppError;
use crate::fields::{delete_unless_used, line, text, unique_as, Guarded};
use crate::i18n::{t, tf};
use crate::permissions::AdminPermission;
use crate::users::validation::FieldErrors;
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeSet;

fn validate_nest(input: &NestInput) -> Result<(String, String), AppError> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", line(&input.name, 1, 100));
    let description = errors.check("description", text(&input.description, 1000));
    errors.finish()?;
    Ok((name.unwrap_or_default(), description.unwrap_or_default()))
}

async fn record(
    request: &Request,
    caller: &Caller,
    event: Event,
    subject: (&'static str, i64),
    details: serde_json::Value,
) {
    let entry = Entry::new(event)
        .by(caller)
        .subject(subject.0, subject.1)
        .details(details);
    request.record(entry).await;
}

pub async fn list_nests(state: &AppState) -> Result<Vec<Nest>, AppError> {
    let nests = sqlx::query("select id, name, description from nests order by name_canonical")
        .fetch_all(state.db.pool())
        .await?;
    let eggs = sqlx::query(
        r#"
        select e.id, e.nest_id, e.name,
               (select count(*) from servers s where s.egg_id = e.id) as servers
        from eggs e order by e.name
        "#,
    )
    .fetch_all(state.db.pool())
    .await?;
    nests
        .iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let eggs = eggs
                .iter()
                .filter(|egg| egg.try_get::<i64, _>("nest_id").ok() == Some(id))
                .map(|egg| {
                    Ok(EggSummary {
                        id: egg.try_get("id")?,
                        name: egg.try_get("name")?,
                        servers: egg.try_get("servers")?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?;
            Ok(Nest {
                id,
                name: row.try_get("name")?,
                description: row.try_get("description")?,
                eggs,
            })
        })
        .collect()
}

async fn get_nest(state: &AppState, id: i64) -> Result<Nest, AppError> {
    list_nests(state)
        .await?
        .into_iter()
        .find(|nest| nest.id == id)
        .ok_or(AppError::NotFound)
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn create_nest(
    request: &Request,
    caller: &Caller,
    input: NestInput,
) -> Result<Nest, AppError> {
    let (name, description) = validate_nest(&input)?;
    let row = sqlx::query(
        r#"
        insert into nests (name, name_canonical, description, created_at, updated_at)
        values ($1, $2, $3, $4, $4) returning id
        "#,
    )
    .bind(&name)
    .bind(name.to_lowercase())
    .bind(&description)
    .bind(request.state.now())
    .fetch_one(request.state.db.pool())
    .await
    .map_err(unique_as(
        "name",
        t("A nest with this name already exists."),
    ))?;
    let id: i64 = row.try_get("id")?;
    record(
        request,
        caller,
        Event::NestCreated,
        ("nest", id),
        json!({ "name": name }),
    )
    .await;
    get_nest(&request.state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, nest_id = id))]
pub async fn update_nest(
    request: &Request,
    caller: &Caller,
    id: i64,
    input: NestInput,
) -> Result<Nest, AppError> {
    let (name, description) = validate_nest(&input)?;
    let result = sqlx::query(
        "update nests set name = $1, name_canonical = $2, description = $3, updated_at = $4 where id = $5",
    )
    .bind(&name)
    .bind(name.to_lowercase())
    .bind(&description)
    .bind(request.state.now())
    .bind(id)
    .execute(request.state.db.pool())
    .await
    .map_err(unique_as("name", t("A nest with this name already exists.")))?;
    if result.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    record(
        request,
        caller,
        Event::NestUpdated,
        ("nest", id),
        json!({ "name": name }),
    )
    .await;
    get_nest(&request.state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, nest_id = id))]
pub async fn delete_nest(request: &Request, caller: &Caller, id: i64) -> Result<(), AppError> {
    let guarded = Guarded {
        table: "nests",
        label: "name",
        thing: "nest",
        used_by: ("egg", "eggs"),
        count_users: "select count(*) from eggs where nest_id = $1",
        also_delete: &[],
    };
    let name = delete_unless_used(&request.state, &guarded, id).await?;
    let details = json!({ "name": name });
    record(request, caller, Event::NestDeleted, ("nest", id), details).await;
    Ok(())
}

/// An egg form that passed validation.
struct ValidEgg {
    name: String,
    description: String,
    docker_images: Vec<String>,
    startup: String,
    install_script: String,
    variables: Vec<EggVariable>,
}

fn check_images(images: &[String]) -> Result<Vec<String>, String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for image in images.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
        if image.len() > 255 || image.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(
                t("Image references have no spaces and are at most 255 characters long.").into(),
            );
        }
        if seen.insert(image.to_owned()) {
            out.push(image.to_owned());
        }
    }
    if out.is_empty() {
        return Err(t("Give at least one docker image.").into());
    }
    if out.len() > 20 {
        return Err(t("At most 20 docker images.").into());
    }
    Ok(out)
}

fn check_variables(variables: &[EggVariable]) -> Result<Vec<EggVariable>, String> {
    if variables.len() > 50 {
        return Err(t("At most 50 variables.").into());
    }
    let mut env_names = BTreeSet::new();
    let mut out = Vec::new();
    for (index, variable) in variables.iter().enumerate() {
        let n = index + 1;
        let about = |message: String| {
            tf(
                "Variable {number}: {message}",
                &[("number", &n), ("message", &message)],
            )
        };
        let name = line(&variable.name, 1, 100).map_err(about)?;
        let description = text(&variable.description, 1000).map_err(about)?;
        let env_name = variable.env_name.trim().to_owned();
        check_env_name(&env_name).map_err(about)?;
        if !env_names.insert(env_name.clone()) {
            return Err(tf(
                "Variable {number}: {name} is declared twice.",
                &[("number", &n), ("name", &env_name)],
            ));
        }
        let rules = Rules::parse(&variable.rules).map_err(about)?;
        if !variable.default.is_empty() {
            rules.check(&variable.default).map_err(|message| {
                tf(
                    "Variable {number}, default value: {message}",
                    &[("number", &n), ("message", &message)],
                )
            })?;
        }
        out.push(EggVariable {
            name,
            description,
            env_name,
            default: variable.default.clone(),
            user_viewable: variable.user_viewable,
            user_editable: variable.user_editable && variable.user_viewable,
            rules: variable.rules.trim().to_owned(),
        });
    }
    Ok(out)
}

fn validate_egg(input: &EggInput) -> Result<ValidEgg, AppError> {
    let mut errors = FieldErrors::default();
    let name = errors.check("name", line(&input.name, 1, 100));
    let description = errors.check("description", text(&input.description, 1000));
    let docker_images = errors.check("docker_images", check_images(&input.docker_images));
    let startup = errors.check("startup", text(&input.startup, 4000));
    let install_script = errors.check("install_script", text(&input.install_script, 65_536));
    let variables = errors.check("variables", check_variables(&input.variables));
    errors.finish()?;
    match (
        name,
        description,
        docker_images,
        startup,
        install_script,
        variables,
    ) {
        (
            Some(name),
            Some(description),
            Some(docker_images),
            Some(startup),
            Some(install_script),
            Some(variables),
        ) => Ok(ValidEgg {
            name,
            description,
            docker_images,
            startup,
            install_script,
            variables,
        }),
        _ => Err(AppError::Internal),
    }
}

fn egg_from_row(row: &AnyRow) -> Result<Egg, AppError> {
    let images: String = row.try_get("docker_images")?;
    let variables: String = row.try_get("variables")?;
    Ok(Egg {
        id: row.try_get("id")?,
        nest_id: row.try_get("nest_id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        docker_images: serde_json::from_str(&images).map_err(stored_json)?,
        startup: row.try_get("startup")?,
        install_script: row.try_get("install_script")?,
        variables: serde_json::from_str(&variables).map_err(stored_json)?,
        servers: row.try_get("servers")?,
    })
}

fn stored_json(error: serde_json::Error) -> AppError {
    tracing::error!(%error, "a stored egg field is not the JSON it should be");
    AppError::Internal
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|error| {
        tracing::error!(%error, "could not encode an egg field");
        AppError::Internal
    })
}

pub async fn get_egg(state: &AppState, id: i64) -> Result<Egg, AppError> {
    let row = sqlx::query(
        r#"
        select id, nest_id, name, description, docker_images, startup, install_script, variables,
               (select count(*) from servers s where s.egg_id = eggs.id) as servers
        from eggs where id = $1
        "#,
    )
    .bind(id)
    .fetch_optional(state.db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    egg_from_row(&row)
}

async fn check_nest(state: &AppState, id: i64) -> Result<(), AppError> {
    sqlx::query("select id from nests where id = $1")
        .bind(id)
        .fetch_optional(state.db.pool())
        .await?
        .map(|_| ())
        .ok_or_else(|| AppError::field("nest_id", t("Choose an existing nest.")))
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id))]
pub async fn create_egg(
    request: &Request,
    caller: &Caller,
    input: EggInput,
) -> Result<Egg, AppError> {
    let state = &request.state;
    let egg = validate_egg(&input)?;
    if !egg.variables.is_empty() {
        caller.require(AdminPermission::EggsVariables)?;
    }
    if !egg.install_script.is_empty() {
        caller.require(AdminPermission::EggsInstallScript)?;
    }
    check_nest(state, input.nest_id).await?;
    let row = sqlx::query(
        r#"
        insert into eggs (nest_id, name, description, docker_images, startup, install_script,
                          variables, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $8) returning id
        "#,
    )
    .bind(input.nest_id)
    .bind(&egg.name)
    .bind(&egg.description)
    .bind(to_json(&egg.docker_images)?)
    .bind(&egg.startup)
    .bind(&egg.install_script)
    .bind(to_json(&egg.variables)?)
    .bind(state.now())
    .fetch_one(state.db.pool())
    .await?;
    let id: i64 = row.try_get("id")?;
    let details = json!({ "name": egg.name, "nest_id": input.nest_id });
    record(request, caller, Event::EggCreated, ("egg", id), details).await;
    get_egg(state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, egg_id = id))]
pub async fn update_egg(
    request: &Request,
    caller: &Caller,
    id: i64,
    input: EggInput,
) -> Result<Egg, AppError> {
    let state = &request.state;
    let egg = validate_egg(&input)?;
    let current = get_egg(state, id).await?;
    if egg.variables != current.variables {
        caller.require(AdminPermission::EggsVariables)?;
    }
    if egg.install_script != current.install_script {
        caller.require(AdminPermission::EggsInstallScript)?;
    }
    // The nest changes only through a move, which has its own permission.
    sqlx::query(
        r#"
        update eggs set name = $1, description = $2, docker_images = $3, startup = $4,
            install_script = $5, variables = $6, updated_at = $7
        where id = $8
        "#,
    )
    .bind(&egg.name)
    .bind(&egg.description)
    .bind(to_json(&egg.docker_images)?)
    .bind(&egg.startup)
    .bind(&egg.install_script)
    .bind(to_json(&egg.variables)?)
    .bind(state.now())
    .bind(id)
    .execute(state.db.pool())
    .await?;
    let details = json!({
        "name": egg.name,
        "variables_changed": egg.variables != current.variables,
        "install_script_changed": egg.install_script != current.install_script,
    });
    record(request, caller, Event::EggUpdated, ("egg", id), details).await;
    get_egg(state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, egg_id = id))]
pub async fn move_egg(
    request: &Request,
    caller: &Caller,
    id: i64,
    nest_id: i64,
) -> Result<Egg, AppError> {
    let state = &request.state;
    let current = get_egg(state, id).await?;
    check_nest(state, nest_id).await?;
    sqlx::query("update eggs set nest_id = $1, updated_at = $2 where id = $3")
        .bind(nest_id)
        .bind(state.now())
        .bind(id)
        .execute(state.db.pool())
        .await?;
    let details = json!({ "name": current.name, "from": current.nest_id, "to": nest_id });
    record(request, caller, Event::EggMoved, ("egg", id), details).await;
    get_egg(state, id).await
}

#[tracing::instrument(skip_all, fields(user_id = caller.user.id, egg_id = id))]
pub async fn delete_egg(request: &Request, caller: &Caller, id: i64) -> Result<(), AppError> {
    let guarded = Guarded {
        table: "eggs",
        label: "name",
        thing: "egg",
        used_by: ("server", "servers"),
        count_users: "select count(*) from servers where egg_id = $1",
        also_delete: &[],
    };
    let name = delete_unless_used(&request.state, &guarded, id).await?;
    let details = json!({ "name": name });
    record(request, caller, Event::EggDeleted, ("egg", id), details).await;
    Ok(())
}
