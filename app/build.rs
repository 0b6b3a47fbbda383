//! Compiles the translation catalogues in `locales/<language>/*.txt` into sorted tables.
//!
//! A catalogue file holds entries separated by blank lines: the English text on one line and
//! its translation on the next, after `= `. Lines starting with `#` are comments. `\n` in either
//! stands for a line break. A malformed file, or one English text translated two ways, fails
//! the build with the file and line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

const LANGUAGES: &[&str] = &["de", "fr"];

fn main() {
    let root = Path::new("locales");
    println!("cargo::rerun-if-changed=locales");
    let mut out = String::new();
    for language in LANGUAGES {
        let dir = root.join(language);
        println!("cargo::rerun-if-changed={}", dir.display());
        let mut entries: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
            .collect();
        files.sort();
        for file in files {
            println!("cargo::rerun-if-changed={}", file.display());
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            parse(&file, &text, &mut entries);
        }
        let name = language.to_uppercase();
        writeln!(out, "pub(super) static {name}: &[(&str, &str)] = &[").ok();
        for (english, (translation, _)) in &entries {
            writeln!(out, "    ({english:?}, {translation:?}),").ok();
        }
        writeln!(out, "];").ok();
    }
    let target = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("catalogues.rs");
    std::fs::write(&target, out)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", target.display()));
}

fn unescape(text: &str) -> String {
    text.replace("\\n", "\n")
}

fn parse(file: &Path, text: &str, entries: &mut BTreeMap<String, (String, String)>) {
    let mut english: Option<(usize, String)> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let place = format!("{}:{number}", file.display());
        if line.trim().is_empty() {
            if let Some((at, key)) = english.take() {
                panic!("{}:{at}: \"{key}\" has no translation", file.display());
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        match (line.strip_prefix("= "), english.take()) {
            (Some(translation), Some((_, key))) => {
                let translation = unescape(translation);
                if translation.trim().is_empty() {
                    panic!("{place}: empty translation of \"{key}\"");
                }
                if let Some((earlier, at)) = entries.get(&key) {
                    if *earlier != translation {
                        panic!("{place}: \"{key}\" is translated differently at {at}");
                    }
                }
                entries.insert(key, (translation, place));
            }
            (Some(_), None) => panic!("{place}: a translation without its English text"),
            (None, Some((at, key))) => {
                panic!(
                    "{}:{at}: \"{key}\" is followed by another text, not `= `",
                    file.display()
                )
            }
            (None, None) => english = Some((number, unescape(line))),
        }
    }
    if let Some((at, key)) = english {
        panic!("{}:{at}: \"{key}\" has no translation", file.display());
    }
}
