//! The browser build as the server serves it: hashed file names, precompressed copies, the
//! service worker that keeps the app shell for offline use, and the offline page.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use http::header::{self, HeaderValue};
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Static files outside `/pkg/` that the offline shell needs.
const SHELL_FILES: &[&str] = &[
    "/manifest.webmanifest",
    "/favicon.svg",
    "/icons/icon-192.png",
    "/icons/icon-512.png",
    "/icons/maskable-512.png",
    "/sw-register.js",
];

/// What this build's browser assets are called and which version of them this is.
#[derive(Debug, Clone)]
pub struct Build {
    /// Changes whenever any of the browser assets changes: names the service worker's cache.
    pub version: String,
    /// `/pkg/...` paths of the JavaScript, wasm and stylesheet.
    pub js: String,
    pub wasm: String,
    pub css: String,
    /// Whether the file names carry content hashes (and may be cached for a year).
    pub hashed: bool,
}

impl Build {
    /// Reads the hash file that the build writes next to the server binary; without one the
    /// assets have their plain names and the version is taken from their contents.
    pub fn load(site_root: &Path, hash_file: Option<&Path>) -> Build {
        let hashes = hash_file.and_then(|path| std::fs::read_to_string(path).ok());
        let mut build = Build {
            version: String::new(),
            js: "/pkg/gatehouse.js".into(),
            wasm: "/pkg/gatehouse.wasm".into(),
            css: "/pkg/gatehouse.css".into(),
            hashed: false,
        };
        if let Some(hashes) = &hashes {
            for (kind, hash) in hashes
                .lines()
                .filter_map(|line| line.split_once(':'))
                .map(|(kind, hash)| (kind.trim(), hash.trim()))
            {
                match kind {
                    "js" => build.js = format!("/pkg/gatehouse.{hash}.js"),
                    "wasm" => build.wasm = format!("/pkg/gatehouse.{hash}.wasm"),
                    "css" => build.css = format!("/pkg/gatehouse.{hash}.css"),
                    _ => {}
                }
            }
            build.hashed = true;
        }
        let mut digest = Sha256::new();
        digest.update(hashes.unwrap_or_default());
        for path in build.precache() {
            let file = site_root.join(path.trim_start_matches('/'));
            if let Ok(bytes) = std::fs::read(&file) {
                digest.update(path.as_bytes());
                digest.update(&bytes);
            }
        }
        build.version = hex::encode(&digest.finalize()[..8]);
        build
    }

    /// Everything the service worker stores at install: the offline page and the static
    /// files the shell needs. Nothing here carries a session.
    pub fn precache(&self) -> Vec<String> {
        let mut paths = vec![
            "/offline".to_owned(),
            self.js.clone(),
            self.wasm.clone(),
            self.css.clone(),
        ];
        paths.extend(SHELL_FILES.iter().map(|path| (*path).to_owned()));
        paths
    }

    /// The service worker script for this build.
    pub fn service_worker(&self) -> String {
        let precache = serde_json::to_string(&self.precache()).unwrap_or_else(|_| "[]".into());
        include_str!("service_worker.js")
            .replace("__VERSION__", &self.version)
            .replace("__PRECACHE__", &precache)
    }
}

/// The hash file next to the running binary, where the build writes it.
pub fn hash_file_beside_binary() -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join("hash.txt");
    path.exists().then_some(path)
}

/// `GET /sw.js`: never cached by the browser's HTTP cache, so a new build is found at once.
/// Its own policy lets it fetch from this origin only.
pub async fn service_worker(State(build): State<Arc<Build>>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'self'"),
            ),
        ],
        build.service_worker(),
    )
        .into_response()
}

/// `GET /offline`: the page the service worker shows when the network is gone, in the
/// language of the request that stored it.
pub async fn offline_page(
    State(build): State<Arc<Build>>,
    locale: Option<Extension<app::i18n::Locale>>,
) -> Response {
    let locale = locale.map(|Extension(locale)| locale).unwrap_or_default();
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'none'; style-src 'self'; img-src 'self'; manifest-src 'self'; \
                     base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
                ),
            ),
        ],
        app::shell::offline::page(locale, &build.css),
    )
        .into_response()
}

/// Writes brotli and gzip copies beside each browser asset that lacks a current one, so
/// they are served compressed without compressing per request. Each copy is written to a
/// temporary name and renamed, so a request never sees half a file.
pub fn precompress(site_root: &Path, build: &Build) {
    for path in [&build.js, &build.wasm, &build.css] {
        let file = site_root.join(path.trim_start_matches('/'));
        if let Err(error) = precompress_file(&file) {
            tracing::warn!(file = %file.display(), %error, "could not write compressed copies");
        }
    }
}

fn precompress_file(file: &Path) -> std::io::Result<()> {
    let modified = std::fs::metadata(file)?.modified()?;
    let bytes = std::fs::read(file)?;
    for (extension, compress) in [
        ("br", brotli_bytes as fn(&[u8]) -> std::io::Result<Vec<u8>>),
        ("gz", gzip_bytes),
    ] {
        let target = PathBuf::from(format!("{}.{extension}", file.display()));
        let current = std::fs::metadata(&target)
            .and_then(|meta| meta.modified())
            .is_ok_and(|written| written >= modified);
        if current {
            continue;
        }
        let compressed = compress(&bytes)?;
        let partial = PathBuf::from(format!("{}.partial", target.display()));
        std::fs::write(&partial, compressed)?;
        std::fs::rename(&partial, &target)?;
    }
    Ok(())
}

fn brotli_bytes(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(bytes)?;
        writer.flush()?;
    }
    Ok(out)
}

fn gzip_bytes(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::best(),
    );
    encoder.write_all(bytes)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly by design")]

    use super::*;
    use std::io::Read as _;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("gatehouse-assets-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pkg")).unwrap();
        dir
    }

    #[test]
    fn hashed_names_come_from_the_hash_file_and_the_version_follows_the_contents() {
        let site = scratch("hashes");
        let hashes = site.join("hash.txt");
        std::fs::write(&hashes, "js: aaa\nwasm: bbb\ncss: ccc\n").unwrap();
        std::fs::write(site.join("pkg/gatehouse.bbb.wasm"), b"first build").unwrap();
        let first = Build::load(&site, Some(&hashes));
        assert!(first.hashed);
        assert_eq!(first.wasm, "/pkg/gatehouse.bbb.wasm");
        assert_eq!(first.js, "/pkg/gatehouse.aaa.js");
        assert_eq!(first.css, "/pkg/gatehouse.ccc.css");
        assert!(first.precache().contains(&"/offline".to_owned()));
        assert!(first
            .precache()
            .iter()
            .all(|path| !path.starts_with("/api/")));

        std::fs::write(site.join("pkg/gatehouse.bbb.wasm"), b"second build").unwrap();
        let second = Build::load(&site, Some(&hashes));
        assert_ne!(
            first.version, second.version,
            "a changed asset is a new version"
        );
        let worker = second.service_worker();
        assert!(worker.contains(&second.version));
        assert!(worker.contains("\"/pkg/gatehouse.bbb.wasm\""));
        assert!(!worker.contains("__PRECACHE__"));

        let plain = Build::load(&site, None);
        assert!(!plain.hashed);
        assert_eq!(plain.wasm, "/pkg/gatehouse.wasm");
        std::fs::remove_dir_all(&site).unwrap();
    }

    #[test]
    fn compressed_copies_decompress_to_the_original_and_are_refreshed_when_it_changes() {
        let site = scratch("compress");
        let build = Build::load(&site, None);
        let wasm = site.join("pkg/gatehouse.wasm");
        let original = b"(module) ".repeat(2_000);
        std::fs::write(&wasm, &original).unwrap();
        precompress(&site, &build);

        let brotli = std::fs::read(site.join("pkg/gatehouse.wasm.br")).unwrap();
        let mut unpacked = Vec::new();
        brotli::Decompressor::new(&brotli[..], 4096)
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, original);
        assert!(brotli.len() < original.len() / 10);
        let gzip = std::fs::read(site.join("pkg/gatehouse.wasm.gz")).unwrap();
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, original);

        // A newer original replaces its stale copies.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&wasm, b"changed").unwrap();
        precompress(&site, &build);
        let gzip = std::fs::read(site.join("pkg/gatehouse.wasm.gz")).unwrap();
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&gzip[..])
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, b"changed");
        std::fs::remove_dir_all(&site).unwrap();
    }
}
