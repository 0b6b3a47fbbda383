//! The location pages of the admin area: the list with a create form, and one location's page.

use super::{
    get_location, list_locations, CreateLocation, DeleteLocation, Location, LocationInput,
    UpdateLocation,
};
use crate::i18n::{format::number, t, tf};
use crate::permissions::AdminPermission;
use crate::shell::{hard_navigate, use_signed_in_user, DeleteSection, ErrorBanner, FieldMessage};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

/// `/admin/locations`: every location with its node count, and a form to add one.
#[component]
pub fn LocationsPage() -> impl IntoView {
    let can_create =
        use_signed_in_user().is_some_and(|me| me.can(AdminPermission::LocationsCreate));
    let create = ServerAction::<CreateLocation>::new();
    let locations = Resource::new(move || create.version().get(), |_| list_locations());
    let short_code = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateLocation {
            input: LocationInput {
                short_code: short_code.get(),
                description: description.get(),
            },
        });
    };
    // A created location empties the form; a refused one keeps what was typed.
    Effect::new(move || {
        if let Some(Ok(_)) = create.value().get() {
            short_code.set(String::new());
            description.set(String::new());
        }
    });
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_message(f)));
    let status = move || match create.value().get() {
        Some(Ok(location)) => Some(tf(
            "Location {code} created.",
            &[("code", &location.short_code)],
        )),
        _ => None,
    };
    view! {
        <h1>{t("Locations")}</h1>
        <p><A href="/admin">{t("Administration")}</A></p>
        <Transition fallback=|| view! { <p class="loading">{t("Loading locations…")}</p> }>
            {move || Suspend::new(async move {
                match locations.await {
                    Err(error) => view! { <ErrorBanner id="locations-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t("No locations yet.")}</p> }.into_any(),
                    Ok(list) => view! { <LocationTable list /> }.into_any(),
                }
            })}
        </Transition>
        {can_create.then(|| view! {
            <form class="form card" on:submit=submit aria-labelledby="new-location-heading">
                <h2 id="new-location-heading">{t("New location")}</h2>
                <label for="new-location-code">{t("Short code")}</label>
                <input id="new-location-code" type="text" required maxlength="60" aria-describedby="new-location-code-hint new-location-code-error" prop:value=short_code on:input=move |ev| short_code.set(event_target_value(&ev)) />
                <p id="new-location-code-hint" class="muted">{t("A short name such as eu-west or fra1.")}</p>
                <FieldMessage id="new-location-code-error" message=field("short_code") />
                <label for="new-location-description">{t("Description")}</label>
                <textarea id="new-location-description" maxlength="500" aria-describedby="new-location-description-error" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                <FieldMessage id="new-location-description-error" message=field("description") />
                <ErrorBanner id="new-location-error" error=error />
                <p class="status" role="status" aria-live="polite">{status}</p>
                <button type="submit" class="primary" disabled=move || create.pending().get()>{t("Create location")}</button>
            </form>
        })}
    }
}

#[component]
fn LocationTable(list: Vec<Location>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{t("Locations")}</caption>
                <thead><tr>
                    <th scope="col">{t("Short code")}</th>
                    <th scope="col">{t("Description")}</th>
                    <th scope="col">{t("Nodes")}</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|location| view! {
                        <tr>
                            <td><a href=format!("/admin/locations/{}", location.id)>{location.short_code}</a></td>
                            <td>{location.description}</td>
                            <td>{number(location.nodes)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `/admin/locations/{id}`: change or delete one location.
#[component]
pub fn LocationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let location = Resource::new(id, get_location);
    view! {
        <p><A href="/admin/locations">{t("All locations")}</A></p>
        <Transition fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                match location.await {
                    Err(error) => view! { <ErrorBanner id="location-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                    Ok(location) => view! { <LocationForm location /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn LocationForm(location: Location) -> impl IntoView {
    let me = use_signed_in_user();
    let can = |key: AdminPermission| me.as_ref().is_some_and(|me| me.can(key));
    let (can_update, can_delete) = (
        can(AdminPermission::LocationsUpdate),
        can(AdminPermission::LocationsDelete),
    );
    let id = location.id;
    let heading = RwSignal::new(location.short_code.clone());
    let nodes = RwSignal::new(location.nodes);
    let short_code = RwSignal::new(location.short_code);
    let description = RwSignal::new(location.description);
    let update = ServerAction::<UpdateLocation>::new();
    let delete = ServerAction::<DeleteLocation>::new();
    let confirming = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        update.dispatch(UpdateLocation {
            id,
            input: LocationInput {
                short_code: short_code.get(),
                description: description.get(),
            },
        });
    };
    Effect::new(move || {
        if let Some(Ok(saved)) = update.value().get() {
            heading.set(saved.short_code);
            nodes.set(saved.nodes);
        }
    });
    Effect::new(move || {
        if let Some(Ok(())) = delete.value().get() {
            hard_navigate("/admin/locations");
        }
    });
    // A refused delete closes the confirmation so its message is read next to the button.
    Effect::new(move || {
        if let Some(Err(_)) = delete.value().get() {
            confirming.set(false);
        }
    });
    let save_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
    let field = move |f: &'static str| {
        Signal::derive(move || save_error.get().and_then(|e| e.field_message(f)))
    };
    let saved = move || matches!(update.value().get(), Some(Ok(_))).then(|| t("Location saved."));
    view! {
        <h1>{move || tf("Location {code}", &[("code", &heading.get())])}</h1>
        <p class="muted">{move || tf("{count} node(s) in this location.", &[("count", &number(nodes.get()))])}</p>
        <form class="form card" on:submit=submit>
            <label for="location-code">{t("Short code")}</label>
            <input id="location-code" type="text" required maxlength="60" disabled=!can_update aria-describedby="location-code-error" prop:value=short_code on:input=move |ev| short_code.set(event_target_value(&ev)) />
            <FieldMessage id="location-code-error" message=field("short_code") />
            <label for="location-description">{t("Description")}</label>
            <textarea id="location-description" maxlength="500" disabled=!can_update aria-describedby="location-description-error" prop:value=description on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            <FieldMessage id="location-description-error" message=field("description") />
            <ErrorBanner id="location-save-error" error=save_error />
            <p class="status" role="status" aria-live="polite">{saved}</p>
            {can_update.then(|| view! {
                <button type="submit" class="primary" disabled=move || update.pending().get()>{t("Save location")}</button>
            })}
        </form>
        {can_delete.then(|| view! {
            <DeleteSection id="location" title=t("Delete location") note=t("Only a location without nodes can be deleted.") question=t("Delete this location? This cannot be undone.") confirming=confirming pending=delete.pending() on_confirm=move |_| { delete.dispatch(DeleteLocation { id }); } error=delete_error />
        })}
    }
}
