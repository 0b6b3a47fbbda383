//! Public information about this panel, for the sign-in page and for integrations.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What anyone may know about this panel before signing in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelInfo {
    pub product_name: String,
    pub version: String,
    /// True until the first administrator has been created.
    pub setup_required: bool,
    /// Language codes the interface offers.
    pub languages: Vec<String>,
    /// How users can sign in.
    pub sign_in_methods: Vec<String>,
}

/// The panel's public information. Once setup is done it answers from memory alone.
#[server(prefix = "/api", endpoint = "public/info", input = server_fn::codec::GetUrl)]
pub async fn public_info() -> Result<PanelInfo, AppError> {
    let request = crate::context::request::public().await?;
    Ok(PanelInfo {
        product_name: crate::users::validation::PRODUCT_NAME.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        setup_required: crate::setup::server::is_required(&request.state).await?,
        languages: crate::users::LANGUAGES
            .iter()
            .map(|(code, _)| (*code).to_owned())
            .collect(),
        sign_in_methods: vec!["password".to_owned()],
    })
}

/// The public information as a resource the pages share.
#[derive(Clone, Copy)]
pub struct PublicInfoResource(pub Resource<Result<PanelInfo, AppError>>);

pub fn use_public_info() -> Resource<Result<PanelInfo, AppError>> {
    match use_context::<PublicInfoResource>() {
        Some(resource) => resource.0,
        None => {
            let resource = Resource::new(|| (), |_| public_info());
            provide_context(PublicInfoResource(resource));
            resource
        }
    }
}
