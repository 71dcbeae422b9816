//! The token answer decoder, reached through the public path: a client whose transport answers
//! `GET /cgi-bin/token` with the fuzz input, asked for an access token.
//!
//! The decoder itself (`token::source::decode_token`) is crate-private. Beyond "no panic", the
//! target checks two promises: a token answer that cannot be decoded is never shown in the
//! error (it may hold a token), and the AppSecret never appears in any error.
#![no_main]

use std::sync::OnceLock;

use card_core::sleep::NoSleep;
use card_core::{CardClient, HttpRequest};
use libfuzzer_sys::fuzz_target;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    })
}

fuzz_target!(|body: &[u8]| {
    let body = body.to_vec();
    let transport = card_core::transport_fn(move |request: HttpRequest| {
        let body = body.clone();
        async move {
            assert_eq!(request.uri().path(), "/cgi-bin/token");
            Ok(http::Response::new(body.into()))
        }
    });
    let client = CardClient::builder(transport)
        .credentials("wxFUZZ", "fuzz-secret")
        .sleeper(NoSleep)
        .build()
        .unwrap();
    let result = runtime().block_on(client.token_provider().access_token());
    if let Err(err) = result {
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("fuzz-secret"), "the secret leaked: {shown}");
        if let card_core::Error::Decode { body, .. } = &err {
            assert!(
                body.as_str().starts_with("[redacted"),
                "token body shown: {shown}"
            );
        }
    }
});
