//! The interface's languages.
//!
//! Every visible text is written in English in the code and passed through [`t`] (or [`tf`]
//! when it has `{placeholders}`). The English text is the key: the German and French
//! catalogues in `app/locales/` map it to its translation, and a test fails when a text used
//! anywhere in the code lacks a translation in either.
//!
//! The language of a page is decided on the server before the first byte is rendered: the
//! signed-in user's preference, otherwise the browser's `Accept-Language`. The browser reads it
//! back from `<html lang>` when it hydrates, so both renders agree.

pub mod format;
#[cfg(feature = "ssr")]
pub mod server;

use serde::{Deserialize, Serialize};
use std::fmt::Display;

mod catalogues {
    include!(concat!(env!("OUT_DIR"), "/catalogues.rs"));
}

/// A language the interface speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    En,
    De,
    Fr,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::En, Locale::De, Locale::Fr];

    /// The language code, as stored in a user's preference and written to `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
        }
    }

    /// The language's own name for itself.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
            Locale::Fr => "Français",
        }
    }

    /// Reads a code such as `de`, `de-AT` or `FR`; `None` for a language not offered.
    pub fn from_code(code: &str) -> Option<Locale> {
        let primary = code.trim().split(['-', '_']).next()?;
        Locale::ALL
            .into_iter()
            .find(|locale| locale.code().eq_ignore_ascii_case(primary))
    }

    /// The best offered language for an `Accept-Language` header, by its quality values;
    /// English when none is offered.
    pub fn negotiate(accept_language: &str) -> Locale {
        let mut best: Option<(f32, usize, Locale)> = None;
        for (position, item) in accept_language.split(',').enumerate().take(32) {
            let mut parts = item.split(';');
            let Some(locale) = parts.next().and_then(Locale::from_code) else {
                continue;
            };
            let quality = parts
                .filter_map(|part| part.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .filter(|q| q.is_finite())
                .unwrap_or(1.0);
            if quality <= 0.0 {
                continue;
            }
            // Higher quality wins; among equals, the earlier entry.
            let better = match best {
                None => true,
                Some((q, p, _)) => quality > q || (quality == q && position < p),
            };
            if better {
                best = Some((quality, position, locale));
            }
        }
        best.map(|(_, _, locale)| locale).unwrap_or_default()
    }

    fn catalogue(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Locale::En => &[],
            Locale::De => catalogues::DE,
            Locale::Fr => catalogues::FR,
        }
    }

    /// Whether this language's catalogue translates `english`.
    pub fn translates(self, english: &str) -> bool {
        self == Locale::En || self.lookup(english).is_some()
    }

    fn lookup(self, english: &str) -> Option<&'static str> {
        let catalogue = self.catalogue();
        catalogue
            .binary_search_by(|(key, _)| (*key).cmp(english))
            .ok()
            .map(|index| catalogue[index].1)
    }

    /// Every English text this language's catalogue holds.
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        self.catalogue().iter().map(|(key, _)| *key)
    }
}

/// The language of the current page or request.
pub fn current() -> Locale {
    #[cfg(feature = "ssr")]
    {
        server::current()
    }
    #[cfg(not(feature = "ssr"))]
    {
        PAGE_LOCALE.with(std::cell::Cell::get)
    }
}

#[cfg(not(feature = "ssr"))]
thread_local! {
    static PAGE_LOCALE: std::cell::Cell<Locale> = const { std::cell::Cell::new(Locale::En) };
}

/// Fixes the page's language in the browser from `<html lang>`, before hydration starts.
#[cfg(feature = "hydrate")]
pub fn adopt_document_language() {
    let locale = leptos::prelude::document()
        .document_element()
        .and_then(|root| root.get_attribute("lang"))
        .and_then(|code| Locale::from_code(&code))
        .unwrap_or_default();
    PAGE_LOCALE.with(|cell| cell.set(locale));
}

/// `english` in the current language. Texts without a translation stay English, so a message
/// that reached the browser already translated passes through unchanged.
pub fn t(english: &str) -> &str {
    t_in(current(), english)
}

/// `english` in `locale`.
pub fn t_in(locale: Locale, english: &str) -> &str {
    locale.lookup(english).unwrap_or(english)
}

/// `english`, translated, with each `{name}` replaced by its value.
pub fn tf(english: &str, values: &[(&str, &dyn Display)]) -> String {
    tf_in(current(), english, values)
}

/// [`tf`] in a given language.
pub fn tf_in(locale: Locale, english: &str, values: &[(&str, &dyn Display)]) -> String {
    fill(t_in(locale, english), values)
}

fn fill(template: &str, values: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(key, _)| *key == name) {
                    Some((_, value)) => out.push_str(&value.to_string()),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{placeholders}` a text names, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(&after[..close]);
        rest = &after[close + 1..];
    }
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_offered_language() {
        assert_eq!(Locale::negotiate("fr"), Locale::Fr);
        assert_eq!(Locale::negotiate("fr-CH, fr;q=0.9, en;q=0.8"), Locale::Fr);
        assert_eq!(Locale::negotiate("es, de;q=0.5, en;q=0.4"), Locale::De);
        assert_eq!(Locale::negotiate("en;q=0.2, de-AT"), Locale::De);
        assert_eq!(Locale::negotiate("es, it"), Locale::En);
        assert_eq!(Locale::negotiate("de;q=0"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::negotiate("*"), Locale::En);
    }

    #[test]
    fn codes_round_trip() {
        for locale in Locale::ALL {
            assert_eq!(Locale::from_code(locale.code()), Some(locale));
        }
        assert_eq!(Locale::from_code("DE-de"), Some(Locale::De));
        assert_eq!(Locale::from_code("xx"), None);
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        let count = 3;
        assert_eq!(
            fill("{count} users lose {role}", &[("count", &count)]),
            "3 users lose {role}"
        );
        assert_eq!(fill("no braces", &[]), "no braces");
        assert_eq!(fill("open { only", &[]), "open { only");
        assert_eq!(placeholders("{b} and {a}"), vec!["a", "b"]);
    }

    #[test]
    fn english_is_its_own_translation() {
        assert_eq!(t_in(Locale::En, "Sign in"), "Sign in");
        assert_eq!(
            t_in(Locale::De, "a text nobody translated"),
            "a text nobody translated"
        );
    }

    #[test]
    fn catalogues_are_sorted_for_lookup() {
        for locale in [Locale::De, Locale::Fr] {
            let keys: Vec<_> = locale.keys().collect();
            assert!(keys.windows(2).all(|pair| pair[0] < pair[1]));
        }
    }
}

#[cfg(test)]
mod coverage;

/// Texts shown from data rather than written at a call site: permission, group and event
/// descriptions, and the activity log's subject labels. Each is passed through [`t`] where it
/// is shown.
pub fn catalogued_texts() -> Vec<&'static str> {
    use crate::activity::Event;
    use crate::permissions::{AdminPermission, ServerPermission};
    let mut texts = Vec::new();
    for permission in AdminPermission::ALL {
        texts.push(permission.group());
        texts.push(permission.description());
    }
    for permission in ServerPermission::ALL {
        texts.push(permission.group());
        texts.push(permission.description());
    }
    for event in Event::ALL {
        texts.push(event.description());
    }
    for (_, label) in crate::activity::pages::SUBJECTS {
        texts.push(*label);
    }
    texts.sort_unstable();
    texts.dedup();
    texts
}
