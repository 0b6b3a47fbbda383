//! `/account`, `/account/security` and `/account/activity`.

use super::display::format_utc;
use super::{
    list_sessions, my_activity, ChangeEmail, ChangePassword, RevokeOtherSessions, RevokeSession,
    UpdateProfile,
};
use crate::i18n::{t, tf};
use crate::shell::{hard_navigate, use_current_user, ErrorBanner, FieldMessage, HeaderName};
use crate::two_factor::pages::TwoFactorSection;
use crate::users::validation::password_strength;
use crate::users::LANGUAGES;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

#[component]
fn AccountTabs() -> impl IntoView {
    view! {
        <nav class="tabs" aria-label=t("Account")>
            <A href="/account" exact=true>{t("Profile")}</A>
            <A href="/account/security">{t("Security")}</A>
            <A href="/account/activity">{t("Activity")}</A>
        </nav>
        {crate::shell::use_signed_in_user().and_then(|me| me.impersonated_by).map(|admin| view! {
            <p class="muted">{tf("{admin}, while you act as this user, their password, email, two-factor settings and sessions stay closed to you; the server refuses changes to them.", &[("admin", &admin)])}</p>
        })}
    }
}

/// A polite status line for "saved" messages.
#[component]
fn Saved(#[prop(into)] show: Signal<bool>, #[prop(into)] text: String) -> impl IntoView {
    view! {
        <p class="status" role="status" aria-live="polite">
            {move || show.get().then(|| text.clone())}
        </p>
    }
}

/// The strength meter under a new-password field.
#[component]
pub fn StrengthMeter(
    #[prop(into)] password: Signal<String>,
    #[prop(into)] id: String,
) -> impl IntoView {
    let score = move || password_strength(&password.get());
    let label = move || match score() {
        0 => t("Too short"),
        1 => t("Weak"),
        2 => t("Fair"),
        3 => t("Good"),
        _ => t("Strong"),
    };
    view! {
        <div class="strength">
            <meter id=id.clone() min="0" max="4" low="2" high="3" optimum="4" value=move || score().to_string()>
                {label}
            </meter>
            <span aria-live="polite">{move || tf("Strength: {label}", &[("label", &label())])}</span>
        </div>
    }
}

/// `/account`: names, language, email and password.
#[component]
pub fn AccountPage() -> impl IntoView {
    let user = use_current_user();
    let profile = ServerAction::<UpdateProfile>::new();
    let email = ServerAction::<ChangeEmail>::new();
    let password = ServerAction::<ChangePassword>::new();
    let new_password = RwSignal::new(String::new());

    // Secrets do not linger in a form once it has done its work.
    let email_form = NodeRef::<leptos::html::Form>::new();
    let password_form = NodeRef::<leptos::html::Form>::new();
    Effect::new(move || {
        if let Some(Ok(_)) = email.value().get() {
            if let Some(form) = email_form.get() {
                form.reset();
            }
        }
    });
    Effect::new(move || {
        if let Some(Ok(())) = password.value().get() {
            if let Some(form) = password_form.get() {
                form.reset();
            }
            new_password.set(String::new());
        }
    });

    // The header shows the name: update it in place rather than reloading the whole frame.
    let header_name = use_context::<HeaderName>();
    Effect::new(move || {
        let Some(Ok(updated)) = profile.value().get() else {
            return;
        };
        if let Some(header) = header_name {
            header.0.set(updated.display_name());
        }
        // A new language changes every text on every page: load the page again in it.
        if crate::i18n::Locale::from_code(&updated.language) != Some(crate::i18n::current()) {
            crate::shell::hard_navigate("/account");
        }
    });

    let profile_error = Signal::derive(move || profile.value().get().and_then(Result::err));
    let email_error = Signal::derive(move || email.value().get().and_then(Result::err));
    let password_error = Signal::derive(move || password.value().get().and_then(Result::err));
    let field = |error: Signal<Option<crate::error::AppError>>, name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.field_message(name)))
    };
    let profile_saved = Signal::derive(move || matches!(profile.value().get(), Some(Ok(_))));
    let email_saved = Signal::derive(move || matches!(email.value().get(), Some(Ok(_))));
    let password_saved = Signal::derive(move || matches!(password.value().get(), Some(Ok(()))));

    view! {
        <h1>{t("Your account")}</h1>
        <AccountTabs />
        <Suspense fallback=|| view! { <p class="loading">{t("Loading…")}</p> }>
            {move || Suspend::new(async move {
                let Ok(Some(me)) = user.await else {
                    return ().into_any();
                };
                let language = me.language.clone();
                let stored_email = me.email.clone();
                let current_email = move || match email.value().get() {
                    Some(Ok(changed)) => changed,
                    _ => stored_email.clone(),
                };
                view! {
                    <section class="card" aria-labelledby="profile-heading">
                        <h2 id="profile-heading">{t("Profile")}</h2>
                        <ActionForm action=profile attr:class="form">
                            <label for="first_name">{t("First name")}</label>
                            <input id="first_name" name="first_name" type="text" autocomplete="given-name" required value=me.first_name.clone() />
                            <FieldMessage id="first_name-error" message=field(profile_error, "first_name") />
                            <label for="last_name">{t("Last name")}</label>
                            <input id="last_name" name="last_name" type="text" autocomplete="family-name" required value=me.last_name.clone() />
                            <FieldMessage id="last_name-error" message=field(profile_error, "last_name") />
                            <label for="language">{t("Language")}</label>
                            <select id="language" name="language">
                                {LANGUAGES
                                    .iter()
                                    .map(|(code, name)| {
                                        let selected = *code == language;
                                        view! { <option value=*code selected=selected>{*name}</option> }
                                    })
                                    .collect_view()}
                            </select>
                            <FieldMessage id="language-error" message=field(profile_error, "language") />
                            <ErrorBanner id="profile-error" error=profile_error />
                            <Saved show=profile_saved text=t("Profile saved.") />
                            <button type="submit" class="primary" disabled=move || profile.pending().get()>{t("Save profile")}</button>
                        </ActionForm>
                    </section>
                    <section class="card" aria-labelledby="email-heading">
                        <h2 id="email-heading">{t("Email address")}</h2>
                        <p>{t("Currently:")} " " <strong>{current_email}</strong> ". " {t("A notice goes to this address when it changes.")}</p>
                        <ActionForm action=email node_ref=email_form attr:class="form">
                            <label for="email">{t("New email address")}</label>
                            <input id="email" name="email" type="email" autocomplete="email" required />
                            <FieldMessage id="email-error" message=field(email_error, "email") />
                            <label for="email-current-password">{t("Current password")}</label>
                            <input id="email-current-password" name="current_password" type="password" autocomplete="current-password" required />
                            <FieldMessage id="email-current-password-error" message=field(email_error, "current_password") />
                            <ErrorBanner id="email-change-error" error=email_error />
                            <Saved show=email_saved text=t("Email address changed.") />
                            <button type="submit" class="primary" disabled=move || email.pending().get()>{t("Change email")}</button>
                        </ActionForm>
                    </section>
                    <section class="card" aria-labelledby="password-heading">
                        <h2 id="password-heading">{t("Password")}</h2>
                        <p>{t("Changing your password signs out every other session.")}</p>
                        <ActionForm action=password node_ref=password_form attr:class="form">
                            <label for="password-current-password">{t("Current password")}</label>
                            <input id="password-current-password" name="current_password" type="password" autocomplete="current-password" required />
                            <FieldMessage id="password-current-password-error" message=field(password_error, "current_password") />
                            <label for="new_password">{t("New password")}</label>
                            <input
                                id="new_password"
                                name="new_password"
                                type="password"
                                autocomplete="new-password"
                                minlength="8"
                                required
                                aria-describedby="new-password-strength"
                                on:input=move |ev| new_password.set(event_target_value(&ev))
                            />
                            <StrengthMeter id="new-password-strength" password=new_password />
                            <FieldMessage id="new_password-error" message=field(password_error, "new_password") />
                            <ErrorBanner id="password-change-error" error=password_error />
                            <Saved show=password_saved text=t("Password changed. Other sessions were signed out.") />
                            <button type="submit" class="primary" disabled=move || password.pending().get()>{t("Change password")}</button>
                        </ActionForm>
                    </section>
                }
                .into_any()
            })}
        </Suspense>
    }
}

/// `/account/security`: the active sessions.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let revoke = ServerAction::<RevokeSession>::new();
    let revoke_others = ServerAction::<RevokeOtherSessions>::new();
    let sessions = Resource::new(
        move || (revoke.version().get(), revoke_others.version().get()),
        |_| list_sessions(),
    );
    // Signing out the session in use leaves nothing to show: go to the sign-in page.
    Effect::new(move || {
        if let Some(Err(crate::error::AppError::Unauthorized)) = sessions.get() {
            hard_navigate("/login");
        }
    });
    let error = Signal::derive(move || {
        revoke
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke_others.value().get().and_then(Result::err))
    });

    view! {
        <h1>{t("Your account")}</h1>
        <AccountTabs />
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">{t("Active sessions")}</h2>
            <ErrorBanner id="sessions-error" error=error />
            <Transition fallback=|| view! { <p class="loading">{t("Loading sessions…")}</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Err(error) => view! { <ErrorBanner id="sessions-load-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                        Ok(list) => {
                            view! {
                                <div class="table-wrap">
                                    <table>
                                        <caption class="visually-hidden">{t("Sessions signed in to your account")}</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">{t("Device")}</th>
                                                <th scope="col">{t("IP address")}</th>
                                                <th scope="col">{t("Signed in")}</th>
                                                <th scope="col">{t("Last seen")}</th>
                                                <th scope="col"><span class="visually-hidden">{t("Actions")}</span></th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {list
                                                .into_iter()
                                                .map(|session| {
                                                    let label = tf("Sign out {device} ({ip})", &[("device", &session.device), ("ip", &session.ip.clone().unwrap_or_default())]);
                                                    view! {
                                                        <tr class:current=session.current>
                                                            <td>
                                                                {session.device.clone()}
                                                                {session.current.then(|| view! { <span class="badge">{t("This device")}</span> })}
                                                            </td>
                                                            <td>{session.ip.clone().unwrap_or_else(|| t("unknown").to_owned())}</td>
                                                            <td>{format_utc(session.created_at)}</td>
                                                            <td>{format_utc(session.last_seen_at)}</td>
                                                            <td>
                                                                <ActionForm action=revoke>
                                                                    <input type="hidden" name="id" value=session.id.to_string() />
                                                                    <button type="submit" class="secondary" aria-label=label>{t("Sign out")}</button>
                                                                </ActionForm>
                                                            </td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }
                            .into_any()
                        }
                    }
                })}
            </Transition>
            <ActionForm action=revoke_others>
                <button type="submit" class="primary">{t("Sign out all other sessions")}</button>
            </ActionForm>
            <p class="status" role="status" aria-live="polite">
                {move || match revoke_others.value().get() {
                    Some(Ok(0)) => Some(t("There were no other sessions.").to_owned()),
                    Some(Ok(n)) => Some(tf("Signed out {count} other session(s).", &[("count", &crate::i18n::format::number(n as i64))])),
                    _ => None,
                }}
            </p>
        </section>
        <TwoFactorSection />
    }
}

/// `/account/activity`: the caller's own log, newest first.
#[component]
pub fn AccountActivityPage() -> impl IntoView {
    let query = use_query_map();
    let before = move || {
        query
            .read()
            .get("before")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let page = Resource::new(before, my_activity);

    view! {
        <h1>{t("Your account")}</h1>
        <AccountTabs />
        <section class="card" aria-labelledby="activity-heading">
            <h2 id="activity-heading">{t("Activity")}</h2>
            <Transition fallback=|| view! { <p class="loading">{t("Loading activity…")}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(error) => view! { <ErrorBanner id="activity-error" error=Signal::derive(move || Some(error.clone())) /> }.into_any(),
                        Ok(page) if page.rows.is_empty() => view! { <p class="empty">{t("No activity yet.")}</p> }.into_any(),
                        Ok(page) => view! {
                            <ActivityTable caption=t("Your activity, newest first") rows=page.rows show_ip=true />
                            {page.next_before.map(|next| view! {
                                <p><a href=format!("/account/activity?before={next}")>{t("Older activity")}</a></p>
                            })}
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Rows of an activity log; the acting user shown as "target (impersonated by admin)" when an
/// admin acted as them.
#[component]
pub fn ActivityTable(
    caption: &'static str,
    rows: Vec<super::ActivityRow>,
    show_ip: bool,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <caption class="visually-hidden">{t(caption)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t("When")}</th>
                        <th scope="col">{t("What")}</th>
                        <th scope="col">{t("By")}</th>
                        {show_ip.then(|| view! { <th scope="col">{t("IP address")}</th> })}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let by = match (row.actor, row.impersonator) {
                            (Some(actor), Some(admin)) => tf("{actor} (impersonated by {admin})", &[("actor", &actor), ("admin", &admin)]),
                            (Some(actor), None) => actor,
                            (None, _) => "—".to_owned(),
                        };
                        view! {
                            <tr>
                                <td>{format_utc(row.created_at)}</td>
                                <td title=row.event>{row.description}</td>
                                <td>{by}</td>
                                {show_ip.then(|| view! { <td>{row.ip.unwrap_or_default()}</td> })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
