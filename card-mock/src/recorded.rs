//! Recorded WeChat responses (and a few request bodies) shipped with the crate.
//!
//! Every file of the crate's `recorded/` folder is embedded at compile time, so tests never read
//! the file system. Files are named after the endpoint path (`/` becomes `_`), with a variant after
//! a dot where there are several: `card_code_get.json` is the success answer of `/card/code/get`,
//! `card_code_get.invalid-code-error.json` an error answer, and `*.request.json` request bodies.
//! `recorded/SOURCES.md` gives each file's provenance and marks the few that were synthesized from
//! the documented field lists rather than recorded.
//!
//! ```
//! let body = card_mock::recorded::get("card_code_get.json").unwrap();
//! let value: serde_json::Value = serde_json::from_str(body).unwrap();
//! assert_eq!(value["user_card_status"], "NORMAL");
//! ```

/// The default success answer of one endpoint, as served by [`MockTransport::recorded`].
///
/// [`MockTransport::recorded`]: crate::MockTransport::recorded
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordedEndpoint {
    /// The HTTP method: `"GET"` or `"POST"`.
    pub method: &'static str,
    /// The request path, such as `"/card/code/get"`.
    pub path: &'static str,
    /// The recorded file answering it (a name accepted by [`get`]).
    pub response_file: &'static str,
}

/// Declares the embedded files: one `(name, contents)` pair per file of `recorded/`.
macro_rules! recorded_files {
    ($($name:literal),* $(,)?) => {
        const FILES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../recorded/", $name)))),*
        ];
    };
}

recorded_files![
    "card_batchget.json",
    "card_batchget.request.json",
    "card_boardingpass_checkin.json",
    "card_boardingpass_checkin.request.json",
    "card_code_checkcode.json",
    "card_code_checkcode.request.json",
    "card_code_consume.json",
    "card_code_consume.request.json",
    "card_code_decrypt.json",
    "card_code_decrypt.request.json",
    "card_code_deposit.json",
    "card_code_deposit.request.json",
    "card_code_get.card-status-error.json",
    "card_code_get.invalid-code-error.json",
    "card_code_get.json",
    "card_code_get.request.json",
    "card_code_getdepositcount.json",
    "card_code_getdepositcount.request.json",
    "card_code_unavailable.custom-code.request.json",
    "card_code_unavailable.json",
    "card_code_unavailable.request.json",
    "card_code_update.json",
    "card_code_update.request.json",
    "card_create.groupon.request.json",
    "card_create.json",
    "card_create.member_card.request.json",
    "card_delete.json",
    "card_delete.request.json",
    "card_get.discount.json",
    "card_get.request.json",
    "card_getcolors.json",
    "card_landingpage_create.json",
    "card_landingpage_create.request.json",
    "card_location_batchadd.json",
    "card_location_batchadd.partial-failure.json",
    "card_location_batchadd.request.json",
    "card_location_batchget.json",
    "card_location_batchget.request.json",
    "card_luckymoney_updateuserbalance.json",
    "card_luckymoney_updateuserbalance.request.json",
    "card_membercard_activate.json",
    "card_membercard_activate.request.json",
    "card_membercard_activate_geturl.json",
    "card_membercard_activatetempinfo_get.json",
    "card_membercard_activateuserform_set.json",
    "card_membercard_activateuserform_set.request.json",
    "card_membercard_updateuser.json",
    "card_membercard_updateuser.request.json",
    "card_membercard_userinfo_get.json",
    "card_membercard_userinfo_get.request.json",
    "card_modifystock.json",
    "card_modifystock.request.json",
    "card_movieticket_updateuser.json",
    "card_movieticket_updateuser.request.json",
    "card_mpnews_gethtml.json",
    "card_mpnews_gethtml.request.json",
    "card_paycell_set.json",
    "card_paycell_set.request.json",
    "card_paygiftcard_add.json",
    "card_paygiftcard_batchget.json",
    "card_paygiftcard_batchget.single-pay.json",
    "card_paygiftcard_delete.json",
    "card_paygiftcard_getbyid.json",
    "card_qrcode_create.json",
    "card_qrcode_create.multiple.request.json",
    "card_qrcode_create.request.json",
    "card_testwhitelist_set.json",
    "card_testwhitelist_set.request.json",
    "card_update.json",
    "card_user_getcardlist.json",
    "card_user_getcardlist.request.json",
    "cgi-bin_stable_token.json",
    "cgi-bin_stable_token.quota-error.json",
    "cgi-bin_stable_token.request.json",
    "cgi-bin_ticket_getticket.wx_card.json",
    "cgi-bin_token.doc.json",
    "cgi-bin_token.invalid-appid-error.json",
    "cgi-bin_token.json",
    "error.40001.json",
    "error.45009.json",
    "error.45009.legacy.json",
];

/// Shorthand for one [`ENDPOINTS`] row.
const fn endpoint(
    method: &'static str,
    path: &'static str,
    response_file: &'static str,
) -> RecordedEndpoint {
    RecordedEndpoint {
        method,
        path,
        response_file,
    }
}

/// The default success answer of every endpoint the SDK calls: the token and ticket endpoints,
/// then the 35 card endpoints.
pub const ENDPOINTS: &[RecordedEndpoint] = &[
    endpoint("GET", "/cgi-bin/token", "cgi-bin_token.json"),
    endpoint("POST", "/cgi-bin/stable_token", "cgi-bin_stable_token.json"),
    endpoint(
        "GET",
        "/cgi-bin/ticket/getticket",
        "cgi-bin_ticket_getticket.wx_card.json",
    ),
    endpoint("POST", "/card/create", "card_create.json"),
    endpoint("POST", "/card/get", "card_get.discount.json"),
    endpoint("POST", "/card/update", "card_update.json"),
    endpoint("POST", "/card/delete", "card_delete.json"),
    endpoint("POST", "/card/batchget", "card_batchget.json"),
    endpoint("POST", "/card/modifystock", "card_modifystock.json"),
    endpoint("POST", "/card/code/deposit", "card_code_deposit.json"),
    endpoint(
        "POST",
        "/card/code/getdepositcount",
        "card_code_getdepositcount.json",
    ),
    endpoint("POST", "/card/code/checkcode", "card_code_checkcode.json"),
    endpoint("POST", "/card/code/get", "card_code_get.json"),
    endpoint("POST", "/card/code/consume", "card_code_consume.json"),
    endpoint("POST", "/card/code/decrypt", "card_code_decrypt.json"),
    endpoint("POST", "/card/code/update", "card_code_update.json"),
    endpoint(
        "POST",
        "/card/code/unavailable",
        "card_code_unavailable.json",
    ),
    endpoint("POST", "/card/qrcode/create", "card_qrcode_create.json"),
    endpoint(
        "POST",
        "/card/location/batchadd",
        "card_location_batchadd.json",
    ),
    endpoint(
        "POST",
        "/card/location/batchget",
        "card_location_batchget.json",
    ),
    endpoint(
        "POST",
        "/card/landingpage/create",
        "card_landingpage_create.json",
    ),
    endpoint("POST", "/card/mpnews/gethtml", "card_mpnews_gethtml.json"),
    endpoint(
        "POST",
        "/card/user/getcardlist",
        "card_user_getcardlist.json",
    ),
    endpoint("POST", "/card/paycell/set", "card_paycell_set.json"),
    endpoint(
        "POST",
        "/card/testwhitelist/set",
        "card_testwhitelist_set.json",
    ),
    endpoint(
        "POST",
        "/card/membercard/activate",
        "card_membercard_activate.json",
    ),
    endpoint(
        "POST",
        "/card/membercard/updateuser",
        "card_membercard_updateuser.json",
    ),
    endpoint(
        "POST",
        "/card/membercard/userinfo/get",
        "card_membercard_userinfo_get.json",
    ),
    endpoint(
        "POST",
        "/card/membercard/activateuserform/set",
        "card_membercard_activateuserform_set.json",
    ),
    endpoint(
        "POST",
        "/card/membercard/activate/geturl",
        "card_membercard_activate_geturl.json",
    ),
    endpoint(
        "POST",
        "/card/membercard/activatetempinfo/get",
        "card_membercard_activatetempinfo_get.json",
    ),
    endpoint("POST", "/card/paygiftcard/add", "card_paygiftcard_add.json"),
    endpoint(
        "POST",
        "/card/paygiftcard/delete",
        "card_paygiftcard_delete.json",
    ),
    endpoint(
        "POST",
        "/card/paygiftcard/getbyid",
        "card_paygiftcard_getbyid.json",
    ),
    endpoint(
        "POST",
        "/card/paygiftcard/batchget",
        "card_paygiftcard_batchget.json",
    ),
    endpoint(
        "POST",
        "/card/movieticket/updateuser",
        "card_movieticket_updateuser.json",
    ),
    endpoint(
        "POST",
        "/card/boardingpass/checkin",
        "card_boardingpass_checkin.json",
    ),
    endpoint(
        "POST",
        "/card/luckymoney/updateuserbalance",
        "card_luckymoney_updateuserbalance.json",
    ),
];

/// The contents of a recorded file, by file name (such as `"card_code_get.json"`).
pub fn get(name: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map(|(_, body)| *body)
}

/// Every recorded file as `(name, contents)`, in name order.
pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
    FILES.iter().copied()
}

/// The [`ENDPOINTS`] row for a method and path, if there is one.
pub fn endpoint_for(method: &str, path: &str) -> Option<&'static RecordedEndpoint> {
    ENDPOINTS
        .iter()
        .find(|row| row.method.eq_ignore_ascii_case(method) && row.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_file_in_the_folder_is_embedded_and_none_twice() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/recorded");
        let on_disk: BTreeSet<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".json"))
            .collect();
        let embedded: Vec<&str> = all().map(|(name, _)| name).collect();
        let unique: BTreeSet<String> = embedded.iter().map(|name| name.to_string()).collect();
        assert_eq!(unique.len(), embedded.len(), "a file is listed twice");
        assert_eq!(unique, on_disk);
    }

    #[test]
    fn every_embedded_file_is_strict_json() {
        for (name, body) in all() {
            if let Err(err) = serde_json::from_str::<serde_json::Value>(body) {
                panic!("{name} is not JSON: {err}");
            }
        }
    }

    #[test]
    fn every_endpoint_answers_a_success_file() {
        let mut seen = BTreeSet::new();
        for row in ENDPOINTS {
            assert!(matches!(row.method, "GET" | "POST"), "{row:?}");
            assert!(row.path.starts_with('/'), "{row:?}");
            assert!(seen.insert((row.method, row.path)), "duplicate row {row:?}");
            let body = get(row.response_file)
                .unwrap_or_else(|| panic!("{} is not a recorded file", row.response_file));
            let value: serde_json::Value = serde_json::from_str(body)
                .unwrap_or_else(|err| panic!("{} is not JSON: {err}", row.response_file));
            let errcode = value
                .get("errcode")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0);
            assert_eq!(errcode, 0, "{} is not a success answer", row.response_file);
            assert!(!row.response_file.contains("error"), "{row:?}");
            assert!(!row.response_file.ends_with(".request.json"), "{row:?}");
        }
    }

    #[test]
    fn covers_the_token_ticket_and_all_card_endpoints() {
        assert_eq!(ENDPOINTS.len(), 3 + 35);
        assert_eq!(
            ENDPOINTS
                .iter()
                .filter(|row| row.path.starts_with("/card/"))
                .count(),
            35
        );
        assert_eq!(
            endpoint_for("get", "/cgi-bin/ticket/getticket")
                .unwrap()
                .response_file,
            "cgi-bin_ticket_getticket.wx_card.json"
        );
        assert!(endpoint_for("GET", "/card/code/get").is_none());
    }

    #[test]
    fn get_finds_files_by_name_only() {
        assert!(get("card_code_get.json")
            .unwrap()
            .contains("user_card_status"));
        assert!(get("card_code_get").is_none());
        assert!(get("nope.json").is_none());
    }
}
