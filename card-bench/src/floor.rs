//! The floor: a bare hyper-util client doing the same `consume_code` exchange by hand.

use std::time::Duration;

use bytes::Bytes;
use card_core::codec::JSON_CONTENT_TYPE;
use http::{header, HeaderValue, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::{consume_request, TOKEN};

/// The error of a floor exchange.
pub type FloorError = Box<dyn std::error::Error + Send + Sync>;

/// hyper-util's pooled client with the pool and socket settings `HyperTransport` uses (idle
/// timeout 90 s, no cap on idle connections, `TCP_NODELAY`, 5 s connect timeout), sending
/// `POST /card/code/consume?access_token=..` with the JSON body and `Content-Type` our client
/// sends, and reading the answer's body to `Bytes`.
///
/// It is the least a caller could do for the same exchange: the URI and body are built once
/// and cloned (both are reference-counted), nothing checks the timeout, and the answer is not
/// decoded. Everything our client does beyond that shows up as the difference.
#[derive(Debug, Clone)]
pub struct Floor {
    client: Client<HttpConnector, Full<Bytes>>,
    uri: Uri,
    body: Bytes,
}

impl Floor {
    /// A floor client for the server at `base_url` (`http://127.0.0.1:PORT`).
    pub fn new(base_url: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(usize::MAX)
            .build(connector);
        let uri = format!("{base_url}/card/code/consume?access_token={TOKEN}")
            .parse()
            .expect("a valid local URI");
        let body = Bytes::from(serde_json::to_vec(&consume_request()).expect("encodable"));
        Self { client, uri, body }
    }

    /// One exchange; the answer's body.
    pub async fn consume(&self) -> Result<Bytes, FloorError> {
        let request = Request::post(self.uri.clone())
            .header(
                header::CONTENT_TYPE,
                HeaderValue::from_static(JSON_CONTENT_TYPE),
            )
            .body(Full::new(self.body.clone()))?;
        let response = self.client.request(request).await?;
        if response.status() != StatusCode::OK {
            return Err(format!("floor: answered {}", response.status()).into());
        }
        Ok(response.into_body().collect().await?.to_bytes())
    }
}
