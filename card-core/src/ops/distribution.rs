//! Distribution beyond QR codes: landing pages (货架) and the HTML that embeds a card in an
//! article (图文消息).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::CardClient;
use crate::error::Result;
use crate::operation::{operation, Operation};

/// `card/landingpage/create`: the caller's landing-page document, sent verbatim
/// (`{"banner": .., "page_title": .., "can_share": .., "scene": .., "card_list": [..]}`).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct CreateLandingPage<T>(pub T);

/// Answer of `card/landingpage/create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LandingPage {
    /// The page's URL.
    pub url: String,
    /// The page's id.
    #[serde(default)]
    pub page_id: Option<i64>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<T: Serialize + Send + Sync> Operation for CreateLandingPage<T> {
    type Response = LandingPage;
    const NAME: &'static str = "create_landingpage";
    const PATH: &'static str = "/card/landingpage/create";
    // Each call creates another page.
    const IDEMPOTENT: bool = false;
}

/// `card/mpnews/gethtml`: the HTML snippet that embeds a card in an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetHtml {
    /// The card.
    pub card_id: String,
}

/// Answer of `card/mpnews/gethtml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardHtml {
    /// The HTML snippet.
    pub content: String,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(GetHtml => CardHtml, "get_html", "/card/mpnews/gethtml", idempotent = true);

impl CardClient {
    /// Create a landing page (`card/landingpage/create`); `buffer_data` is sent verbatim.
    /// Returns the typed answer (`url`, `page_id`), where wechatpy returns the whole dict.
    pub async fn create_landingpage<T: Serialize + Send + Sync>(
        &self,
        buffer_data: &T,
    ) -> Result<LandingPage> {
        self.execute(&CreateLandingPage(buffer_data)).await
    }

    /// The HTML that embeds a card in an article (`card/mpnews/gethtml`); returns the
    /// `content`, as wechatpy does.
    pub async fn get_html(&self, card_id: &str) -> Result<String> {
        Ok(self
            .execute(&GetHtml {
                card_id: card_id.to_owned(),
            })
            .await?
            .content)
    }
}
