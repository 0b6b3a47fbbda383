//! Every text the interface shows has a German and a French translation.
//!
//! The test reads the crate's own sources: each literal passed to `t`, `tf`, `t_in` or `tf_in`
//! must be in both catalogues with the same `{placeholders}`, and no page may show an English
//! literal that bypasses them. Texts that come from data (permission and event descriptions)
//! are listed by [`super::catalogued_texts`].

use super::{placeholders, Locale};
use std::path::{Path, PathBuf};

/// Texts that read the same in every language: names and symbols.
const UNTRANSLATED: &[&str] = &[
    "Gatehouse",
    "TOTP",
    "CSV",
    "S3",
    "Restic",
    "UTC",
    "IP",
    "ID",
];

fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs")
                && !path.ends_with("i18n/mod.rs")
                && !path.ends_with("i18n/coverage.rs")
            {
                // Test code names texts it does not show; everything before it is scanned.
                let text = std::fs::read_to_string(&path).unwrap();
                let shown = match text.find("#[cfg(test)]\nmod tests") {
                    Some(end) => text[..end].to_owned(),
                    None => text,
                };
                out.push((path, shown));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// Reads the Rust string literal starting at `text[start]` (which is `"`), returning its value
/// and the index after it.
fn literal(text: &str, start: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    if bytes.get(start) != Some(&b'"') {
        return None;
    }
    let mut value = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((offset, c)) = chars.next() {
        match c {
            '"' => return Some((value, start + 1 + offset + 1)),
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                '"' => value.push('"'),
                '\\' => value.push('\\'),
                '\'' => value.push('\''),
                '\n' => {
                    // A line continuation: skip the next line's indentation.
                    let rest = &text[start + 1 + offset + 2..];
                    let skip = rest.len() - rest.trim_start().len();
                    for _ in 0..skip {
                        chars.next();
                    }
                }
                'u' => {
                    let rest = &text[start + 1 + offset + 2..];
                    let close = rest.find('}')?;
                    let code = u32::from_str_radix(&rest[1..close], 16).ok()?;
                    value.push(char::from_u32(code)?);
                    for _ in 0..=close {
                        chars.next();
                    }
                }
                other => value.push(other),
            },
            c => value.push(c),
        }
    }
    None
}

/// The literal keys passed to the translation functions in one source file.
fn keys_in(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    for call in ["t(", "tf(", "t_in(", "tf_in("] {
        let mut from = 0;
        while let Some(found) = text[from..].find(call) {
            let at = from + found;
            from = at + call.len();
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
                continue;
            }
            let mut start = at + call.len();
            if call.ends_with("in(") {
                // Skip the locale argument.
                match text[start..].find(',') {
                    Some(comma) => start += comma + 1,
                    None => continue,
                }
            }
            let rest = &text[start..];
            let start = start + (rest.len() - rest.trim_start().len());
            if let Some((key, _)) = literal(text, start) {
                keys.push(key);
            }
        }
    }
    keys
}

fn has_letters(text: &str) -> bool {
    text.chars().any(char::is_alphabetic) && !UNTRANSLATED.contains(&text.trim())
}

/// English literals shown by `view!` blocks without passing through a translation function:
/// text nodes, and the `placeholder`, `title`, `alt` and `aria-label` attributes.
fn bare_texts(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut depth: i64 = 0;
    let mut in_view = false;
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if !in_view && trimmed.contains("view!") {
            in_view = true;
            depth = 0;
        }
        if !in_view {
            continue;
        }
        let mut candidates = Vec::new();
        if trimmed.starts_with('"') {
            candidates.push(0);
        }
        for marker in [
            ">\"",
            "placeholder=\"",
            "title=\"",
            "alt=\"",
            "aria-label=\"",
            "label=\"",
        ] {
            let mut from = 0;
            while let Some(found) = line[from..].find(marker) {
                let at = from + found + marker.len() - 1;
                candidates.push(at - (line.len() - line.trim_start().len()));
                from = at + 1;
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        for candidate in candidates {
            if let Some((value, _)) = literal(trimmed, candidate) {
                if has_letters(&value) {
                    found.push((index + 1, value));
                }
            }
        }
        depth += line.matches('{').count() as i64 - line.matches('}').count() as i64;
        if depth <= 0 && line.contains('}') {
            in_view = false;
        }
    }
    found
}

#[test]
fn every_text_has_a_german_and_a_french_translation() {
    let mut missing = Vec::new();
    let mut keys: Vec<(String, String)> = Vec::new();
    for (path, text) in sources() {
        let name = path.display().to_string();
        for key in keys_in(&text) {
            keys.push((name.clone(), key));
        }
    }
    for key in super::catalogued_texts() {
        keys.push(("catalogued texts".into(), key.to_owned()));
    }
    assert!(keys.len() > 50, "the scan found only {} texts", keys.len());
    for (source, key) in &keys {
        for locale in [Locale::De, Locale::Fr] {
            if !locale.translates(key) {
                missing.push(format!("{}: {source}: {key:?}", locale.code()));
            } else if placeholders(super::t_in(locale, key)) != placeholders(key) {
                missing.push(format!(
                    "{}: {source}: placeholders differ in {key:?}",
                    locale.code()
                ));
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "{} translations missing:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn pages_show_no_untranslated_literal() {
    let mut bare = Vec::new();
    for (path, text) in sources() {
        for (line, value) in bare_texts(&text) {
            bare.push(format!("{}:{line}: {value:?}", path.display()));
        }
    }
    assert!(
        bare.is_empty(),
        "{} texts in views bypass the translation functions:\n{}",
        bare.len(),
        bare.join("\n")
    );
}

#[test]
fn the_scanner_finds_calls_and_bare_texts() {
    let source =
        r#"let a = t("Sign in"); let b = tf("{n} left", &[]); let c = t_in(locale, "Hi");"#;
    assert_eq!(keys_in(source), vec!["Sign in", "{n} left", "Hi"]);
    assert_eq!(keys_in(r#"let x = format("no");"#), Vec::<String>::new());
    let view = "view! {\n    <p>\"Hello\"</p>\n    <input placeholder=\"Name\" />\n    <b>{t(\"Fine\")}</b>\n}\nlet s = \"not a view\";";
    assert_eq!(
        bare_texts(view),
        vec![(2, "Hello".to_owned()), (3, "Name".to_owned())]
    );
}
