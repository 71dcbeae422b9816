//! One request type per operation: it knows its path, its response type and whether it is safe
//! to repeat, so endpoint metadata lives in one place and the client has one `execute`.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::Result;

/// A card API operation. The request type serialises to exactly the JSON body WeChat expects;
/// [`CardClient::execute`](crate::CardClient::execute) sends it as `POST {base}{PATH}?access_token=..`
/// and decodes [`Self::Response`].
pub trait Operation: Serialize + Send + Sync {
    /// The typed answer.
    type Response: DeserializeOwned + Send + 'static;
    /// The wechatpy method name, used in logs.
    const NAME: &'static str;
    /// The path under the base URL, starting with `/`.
    const PATH: &'static str;
    /// True when repeating the request cannot apply it twice (reads, and writes that set a
    /// state rather than change it by a delta).
    const IDEMPOTENT: bool;

    /// Refuse arguments that cannot make a valid request, before anything is sent.
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

/// Implement [`Operation`] for a request type in one line.
macro_rules! operation {
    ($request:ty => $response:ty, $name:literal, $path:literal, idempotent = $idempotent:literal) => {
        impl $crate::operation::Operation for $request {
            type Response = $response;
            const NAME: &'static str = $name;
            const PATH: &'static str = $path;
            const IDEMPOTENT: bool = $idempotent;
        }
    };
    ($request:ty => $response:ty, $name:literal, $path:literal, idempotent = $idempotent:literal, validate = $validate:path) => {
        impl $crate::operation::Operation for $request {
            type Response = $response;
            const NAME: &'static str = $name;
            const PATH: &'static str = $path;
            const IDEMPOTENT: bool = $idempotent;
            fn validate(&self) -> $crate::error::Result<()> {
                $validate(self)
            }
        }
    };
}

pub(crate) use operation;
