//! The messages Gatehouse sends: each a plain-text and an HTML part, naming the product and
//! linking to the panel's public URL.

use super::OutgoingMail;
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

/// Sent to the old address when an account's email changes.
pub fn email_changed(to: &str, first_name: &str, new_email: &str, base_url: &str) -> OutgoingMail {
    compose(
        to,
        format!("{PRODUCT_NAME}: your email address was changed"),
        &format!("Hello {first_name},"),
        &[
            format!("The email address of your {PRODUCT_NAME} account was changed to {new_email}."),
            "If you did not make this change, contact your panel administrator at once.".into(),
        ],
        base_url,
    )
}

/// Sent when an account's password changes.
pub fn password_changed(to: &str, first_name: &str, base_url: &str) -> OutgoingMail {
    compose(
        to,
        format!("{PRODUCT_NAME}: your password was changed"),
        &format!("Hello {first_name},"),
        &[
            format!("The password of your {PRODUCT_NAME} account was changed and every other session was signed out."),
            "If you did not make this change, reset your password and contact your panel administrator.".into(),
        ],
        base_url,
    )
}

/// Sent when two-factor authentication is turned on.
pub fn two_factor_enabled(to: &str, first_name: &str, base_url: &str) -> OutgoingMail {
    compose(
        to,
        format!("{PRODUCT_NAME}: two-factor authentication is on"),
        &format!("Hello {first_name},"),
        &[
            "Two-factor authentication was turned on for your account. Every other session was signed out.".into(),
            "Keep your recovery codes somewhere safe; each one works once.".into(),
        ],
        base_url,
    )
}

/// Sent when two-factor authentication is turned off, by the user or an administrator.
pub fn two_factor_disabled(to: &str, first_name: &str, base_url: &str) -> OutgoingMail {
    compose(
        to,
        format!("{PRODUCT_NAME}: two-factor authentication is off"),
        &format!("Hello {first_name},"),
        &[
            "Two-factor authentication was turned off for your account and other sessions were signed out.".into(),
            "If you did not ask for this, contact your panel administrator at once.".into(),
        ],
        base_url,
    )
}

/// Sent when the recovery codes are replaced.
pub fn recovery_codes_regenerated(to: &str, first_name: &str, base_url: &str) -> OutgoingMail {
    compose(
        to,
        format!("{PRODUCT_NAME}: new recovery codes"),
        &format!("Hello {first_name},"),
        &[
            "New recovery codes were created for your account; the old ones no longer work. Other sessions were signed out.".into(),
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
) -> OutgoingMail {
    compose(
        to,
        format!("{PRODUCT_NAME}: reset your password"),
        &format!("Hello {first_name},"),
        &[
            format!("Someone asked to reset the password of your {PRODUCT_NAME} account. To choose a new password, open this link within {minutes} minutes:"),
            link.to_owned(),
            "If you did not ask for this, ignore this message; your password stays as it is.".into(),
        ],
        base_url,
    )
}

/// Sent after a password was set through a one-time link.
pub fn password_reset_done(to: &str, first_name: &str, base_url: &str) -> OutgoingMail {
    compose(
        to,
        format!("{PRODUCT_NAME}: your password was reset"),
        &format!("Hello {first_name},"),
        &[
            "The password of your account was set through a one-time link, and every session was signed out.".into(),
            "If you did not do this, contact your panel administrator at once.".into(),
        ],
        base_url,
    )
}

/// Sent to a new account made by a sub-user invitation, with the link to set its password.
pub fn invited_to_server(
    to: &str,
    server: &str,
    inviter: &str,
    link: &str,
    minutes: i64,
    base_url: &str,
) -> OutgoingMail {
    compose(
        to,
        format!("{PRODUCT_NAME}: you were invited to the server {server}"),
        "Hello,",
        &[
            format!("{inviter} gave you access to the server \"{server}\" on {PRODUCT_NAME}, and an account was made for this address. To choose your password, open this link within {minutes} minutes:"),
            link.to_owned(),
            "If you did not expect this, ignore this message.".into(),
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
) -> OutgoingMail {
    compose(
        to,
        format!("{PRODUCT_NAME}: you were added to the server {server}"),
        "Hello,",
        &[
            format!("{inviter} gave you access to the server \"{server}\" on {PRODUCT_NAME}. You can open it here:"),
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
        );
        assert!(mail.html.contains("&lt;b&gt;Eve&lt;/b&gt;"));
        assert!(mail.text.contains("https://panel.test"));
    }
}
