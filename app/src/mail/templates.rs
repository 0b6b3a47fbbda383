//! The messages Gatehouse sends: each a plain-text and an HTML part, naming the product and
//! linking to the panel's public URL. Each is written in the recipient's language.

use super::OutgoingMail;
use crate::i18n::{t_in, tf_in, Locale};
use crate::users::validation::PRODUCT_NAME;

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn compose(
    to: &str,
    subject: String,
    greeting: &str,
    paragraphs: &[String],
    base_url: &str,
) -> OutgoingMail {
    let mut text = format!("{greeting}\n\n");
    let mut html = format!("<p>{}</p>\n", escape_html(greeting));
    for paragraph in paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
        let escaped = escape_html(paragraph);
        if paragraph.starts_with("https://") || paragraph.starts_with("http://") {
            html.push_str(&format!("<p><a href=\"{escaped}\">{escaped}</a></p>\n"));
        } else {
            html.push_str(&format!("<p>{escaped}</p>\n"));
        }
    }
    text.push_str(&format!("— {PRODUCT_NAME}\n{base_url}\n"));
    html.push_str(&format!(
        "<p>— {PRODUCT_NAME}<br><a href=\"{url}\">{url}</a></p>\n",
        url = escape_html(base_url)
    ));
    OutgoingMail {
        to: to.to_owned(),
        subject,
        text,
        html,
    }
}

/// "Hello {first_name}," in `locale`.
fn hello(locale: Locale, first_name: &str) -> String {
    tf_in(
        locale,
        "Hello {first_name},",
        &[("first_name", &first_name)],
    )
}

/// Sent to the old address when an account's email changes.
pub fn email_changed(
    to: &str,
    first_name: &str,
    new_email: &str,
    base_url: &str,
    locale: Locale,
) -> OutgoingMail {
    compose(
        to,
        tf_in(
            locale,
            "{product}: your email address was changed",
            &[("product", &PRODUCT_NAME)],
        ),
        &hello(locale, first_name),
        &[
            tf_in(
                locale,
                "The email address of your {product} account was changed to {new_email}.",
                &[("product", &PRODUCT_NAME), ("new_email", &new_email)],
            ),
            t_in(
                locale,
                "If you did not make this change, contact your panel administrator at once.",
            )
            .into(),
        ],
        base_url,
    )
}

/// Sent when an account's password changes.
pub fn password_changed(
    to: &str,
    first_name: &str,
    base_url: &str,
    locale: Locale,
) -> OutgoingMail {
    compose(
        to,
        tf_in(locale, "{product}: your password was changed", &[("product", &PRODUCT_NAME)]),
        &hello(locale, first_name),
        &[
            tf_in(
                locale,
                "The password of your {product} account was changed and every other session was signed out.",
                &[("product", &PRODUCT_NAME)],
            ),
            t_in(locale, "If you did not make this change, reset your password and contact your panel administrator.").into(),
        ],
        base_url,
    )
}

/// Sent when two-factor authentication is turned on.
pub fn two_factor_enabled(
    to: &str,
    first_name: &str,
    base_url: &str,
    locale: Locale,
) -> OutgoingMail {
    compose(
        to,
        tf_in(locale, "{product}: two-factor authentication is on", &[("product", &PRODUCT_NAME)]),
        &hello(locale, first_name),
        &[
            t_in(locale, "Two-factor authentication was turned on for your account. Every other session was signed out.").into(),
            t_in(locale, "Keep your recovery codes somewhere safe; each one works once.").into(),
        ],
        base_url,
    )
}

/// Sent when two-factor authentication is turned off, by the user or an administrator.
pub fn two_factor_disabled(
    to: &str,
    first_name: &str,
    base_url: &str,
    locale: Locale,
) -> OutgoingMail {
    compose(
        to,
        tf_in(locale, "{product}: two-factor authentication is off", &[("product", &PRODUCT_NAME)]),
        &hello(locale, first_name),
        &[
            t_in(locale, "Two-factor authentication was turned off for your account and other sessions were signed out.").into(),
            t_in(locale, "If you did not ask for this, contact your panel administrator at once.").into(),
        ],
        base_url,
    )
}

/// Sent when the recovery codes are replaced.
pub fn recovery_codes_regenerated(
    to: &str,
    first_name: &str,
    base_url: &str,
    locale: Locale,
) -> OutgoingMail {
    compose(
        to,
        tf_in(locale, "{product}: new recovery codes", &[("product", &PRODUCT_NAME)]),
        &hello(locale, first_name),
        &[
            t_in(locale, "New recovery codes were created for your account; the old ones no longer work. Other sessions were signed out.").into(),
        ],
        base_url,
    )
}

/// The forgot-password mail with its one-time link.
pub fn password_reset(
    to: &str,
    first_name: &str,
    link: &str,
    minutes: i64,
    base_url: &str,
    locale: Locale,
) -> OutgoingMail {
    compose(
        to,
        tf_in(locale, "{product}: reset your password", &[("product", &PRODUCT_NAME)]),
        &hello(locale, first_name),
        &[
            tf_in(
                locale,
                "Someone asked to reset the password of your {product} account. To choose a new password, open this link within {minutes} minutes:",
                &[("product", &PRODUCT_NAME), ("minutes", &minutes)],
            ),
            link.to_owned(),
            t_in(locale, "If you did not ask for this, ignore this message; your password stays as it is.").into(),
        ],
        base_url,
    )
}

/// Sent after a password was set through a one-time link.
pub fn password_reset_done(
    to: &str,
    first_name: &str,
    base_url: &str,
    locale: Locale,
) -> OutgoingMail {
    compose(
        to,
        tf_in(locale, "{product}: your password was reset", &[("product", &PRODUCT_NAME)]),
        &hello(locale, first_name),
        &[
            t_in(locale, "The password of your account was set through a one-time link, and every session was signed out.").into(),
            t_in(locale, "If you did not do this, contact your panel administrator at once.").into(),
        ],
        base_url,
    )
}

/// Sent to a new account made by a sub-user invitation, with the link to set its password.
/// The account has no language of its own yet: the inviter's is used.
pub fn invited_to_server(
    to: &str,
    server: &str,
    inviter: &str,
    link: &str,
    minutes: i64,
    base_url: &str,
    locale: Locale,
) -> OutgoingMail {
    compose(
        to,
        tf_in(
            locale,
            "{product}: you were invited to the server {server}",
            &[("product", &PRODUCT_NAME), ("server", &server)],
        ),
        t_in(locale, "Hello,"),
        &[
            tf_in(
                locale,
                "{inviter} gave you access to the server \"{server}\" on {product}, and an account was made for this address. To choose your password, open this link within {minutes} minutes:",
                &[
                    ("inviter", &inviter),
                    ("server", &server),
                    ("product", &PRODUCT_NAME),
                    ("minutes", &minutes),
                ],
            ),
            link.to_owned(),
            t_in(locale, "If you did not expect this, ignore this message.").into(),
        ],
        base_url,
    )
}

/// Sent to an existing account that was made a sub-user of a server.
pub fn added_to_server(
    to: &str,
    server: &str,
    inviter: &str,
    server_link: &str,
    base_url: &str,
    locale: Locale,
) -> OutgoingMail {
    compose(
        to,
        tf_in(
            locale,
            "{product}: you were added to the server {server}",
            &[("product", &PRODUCT_NAME), ("server", &server)],
        ),
        t_in(locale, "Hello,"),
        &[
            tf_in(
                locale,
                "{inviter} gave you access to the server \"{server}\" on {product}. You can open it here:",
                &[("inviter", &inviter), ("server", &server), ("product", &PRODUCT_NAME)],
            ),
            server_link.to_owned(),
        ],
        base_url,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_names_is_escaped_in_the_html_part() {
        let mail = email_changed(
            "a@example.test",
            "<b>Eve</b>",
            "e@example.test",
            "https://panel.test",
            Locale::En,
        );
        assert!(mail.html.contains("&lt;b&gt;Eve&lt;/b&gt;"));
        assert!(mail.text.contains("https://panel.test"));
    }
}
