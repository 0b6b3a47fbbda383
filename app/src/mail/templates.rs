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
        html.push_str(&format!("<p>{}</p>\n", escape_html(paragraph)));
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
