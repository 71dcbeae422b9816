//! The legacy card store locations (`card/location/*`).
//!
//! wechatpy marks both methods 已废弃 (stores are now managed through WeChat's POI (门店) API);
//! they are kept here, deprecated in the same way, so code moving from wechatpy still finds
//! them.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::client::CardClient;
use crate::error::Result;
use crate::operation::{operation, Operation};

/// `card/location/batchadd`: the caller's location list, sent verbatim
/// (`{"location_list": [{"business_name": .., "province": .., ..}]}`).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct BatchAddLocations<T>(pub T);

/// Answer of `card/location/batchadd`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationIds {
    /// One id per submitted location, in order; `-1` where that location was refused.
    #[serde(default)]
    pub location_id_list: Vec<i64>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl<T: Serialize + Send + Sync> Operation for BatchAddLocations<T> {
    type Response = LocationIds;
    const NAME: &'static str = "batch_add_locations";
    const PATH: &'static str = "/card/location/batchadd";
    // Each call adds the locations again.
    const IDEMPOTENT: bool = false;
}

/// `card/location/batchget`: a page of the account's locations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchGetLocations {
    /// Index of the first location.
    pub offset: u32,
    /// How many (wechatpy's default is 0, sent as is).
    pub count: u32,
}

/// One location of `card/location/batchget`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// The location's id.
    pub location_id: i64,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its telephone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Its address.
    #[serde(default)]
    pub address: Option<String>,
    /// Longitude (WeChat sends a number; a numeric string is accepted too).
    #[serde(default, deserialize_with = "coordinate")]
    pub longitude: Option<f64>,
    /// Latitude (WeChat sends a number; a numeric string is accepted too).
    #[serde(default, deserialize_with = "coordinate")]
    pub latitude: Option<f64>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Answer of `card/location/batchget`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocationPage {
    /// The locations of this page.
    #[serde(default)]
    pub location_list: Vec<Location>,
    /// How many locations the page holds.
    #[serde(default)]
    pub count: u64,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(BatchGetLocations => LocationPage, "batch_get_locations", "/card/location/batchget", idempotent = true);

/// A coordinate given as a JSON number or as a string holding one (the request samples use
/// strings); anything else reads as absent rather than failing the whole page.
fn coordinate<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

impl CardClient {
    /// Add store locations (`card/location/batchadd`); `location_data` is sent verbatim.
    /// Returns the `location_id_list` (`-1` for each refused location), as wechatpy does.
    #[deprecated(
        note = "deprecated upstream (wechatpy marks it 已废弃); stores are managed by the POI (门店) API"
    )]
    pub async fn batch_add_locations<T: Serialize + Send + Sync>(
        &self,
        location_data: &T,
    ) -> Result<Vec<i64>> {
        Ok(self
            .execute(&BatchAddLocations(location_data))
            .await?
            .location_id_list)
    }

    /// List store locations (`card/location/batchget`). wechatpy's defaults are `offset = 0`,
    /// `count = 0`.
    #[deprecated(
        note = "deprecated upstream (wechatpy marks it 已废弃); stores are managed by the POI (门店) API"
    )]
    pub async fn batch_get_locations(&self, offset: u32, count: u32) -> Result<LocationPage> {
        self.execute(&BatchGetLocations { offset, count }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn coordinates_accept_numbers_and_numeric_strings() {
        let location: Location = serde_json::from_value(json!({
            "location_id": 1, "longitude": 113.280212402, "latitude": "23.0350666046"
        }))
        .unwrap();
        assert_eq!(location.longitude, Some(113.280212402));
        assert_eq!(location.latitude, Some(23.0350666046));
        let location: Location =
            serde_json::from_value(json!({"location_id": 2, "longitude": "east"})).unwrap();
        assert_eq!(location.longitude, None);
        assert_eq!(location.latitude, None);
    }
}
