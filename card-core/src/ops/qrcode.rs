//! Distribution by QR code.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::CardClient;
use crate::error::Result;
use crate::operation::Operation;

/// `card/qrcode/create`: the caller's QR request, sent verbatim
/// (`{"action_name": "QR_CARD", "action_info": {"card": {..}}}`).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct CreateQrCode<T>(pub T);

/// Answer of `card/qrcode/create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QrCode {
    /// Exchange it at `showqrcode` for the image.
    pub ticket: String,
    /// Lifetime in seconds, when limited.
    #[serde(default)]
    pub expire_seconds: Option<u64>,
    /// The URL the QR code encodes.
    #[serde(default)]
    pub url: Option<String>,
    /// A URL showing the QR image.
    #[serde(default)]
    pub show_qrcode_url: Option<String>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<T: Serialize + Send + Sync> Operation for CreateQrCode<T> {
    type Response = QrCode;
    const NAME: &'static str = "create_qrcode";
    const PATH: &'static str = "/card/qrcode/create";
    // Each call creates a new QR ticket.
    const IDEMPOTENT: bool = false;
}

impl CardClient {
    /// Create a card QR code (`card/qrcode/create`); returns the `ticket`, as wechatpy does.
    /// For `url` and `show_qrcode_url` too, execute [`CreateQrCode`].
    pub async fn create_qrcode<T: Serialize + Send + Sync>(
        &self,
        qrcode_data: &T,
    ) -> Result<String> {
        Ok(self.execute(&CreateQrCode(qrcode_data)).await?.ticket)
    }
}
