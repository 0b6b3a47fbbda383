//! The browser entry point: hydrates the server-rendered page into the Gatehouse app.

use wasm_bindgen::prelude::wasm_bindgen;

/// Called by the hydration script that the server embeds in every page.
#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::i18n::adopt_document_language();
    leptos::mount::hydrate_body(app::App);
    app::shell::mark_hydrated();
}
