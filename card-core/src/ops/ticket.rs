//! Ticket cards: a user's seat on a movie ticket (电影票) and the check-in of a boarding pass
//! (飞机票).

use serde::{Deserialize, Serialize};

use crate::client::CardClient;
use crate::error::Result;
use crate::model::Ack;
use crate::operation::operation;
use crate::wire_enum::wire_enum;

/// `card/movieticket/updateuser`: the show and seats of a user's movie ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateMovieTicket {
    /// The user's code.
    pub code: String,
    /// The kind of show (`2D`, `3D`, `IMAX`, ...).
    pub ticket_class: String,
    /// When the show starts (Unix seconds).
    pub show_time: i64,
    /// How long it lasts, in minutes.
    pub duration: i64,
    /// The screening room (`5号厅`).
    pub screening_room: String,
    /// The seats (`5排14号`).
    pub seat_number: Vec<String>,
    /// The card (required for custom-code cards); left out of the body when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
}

operation!(UpdateMovieTicket => Ack, "update_movie_ticket", "/card/movieticket/updateuser", idempotent = true);

wire_enum! {
    /// The cabin class printed on a boarding pass (sent under the key `class`).
    ///
    /// WeChat takes free text (at most five Chinese characters); the variants name the usual
    /// cabins and [`SeatClass::Other`] carries any other label as given (`"F"`, say).
    pub enum SeatClass {
        /// First class.
        First = "头等舱",
        /// Business class.
        Business = "商务舱",
        /// Economy class.
        Economy = "经济舱",
    }
}

impl From<&str> for SeatClass {
    fn from(label: &str) -> Self {
        Self::from_wire(label)
    }
}

/// The optional parameters of `checkin_boardingpass` (wechatpy's keyword defaults).
///
/// As in wechatpy, `seat`, `gate` and `is_cancel` are always sent (`""`, `""` and `false` by
/// default). Differs from wechatpy: `boarding_time`, `qrcode_data` and `card_id` are sent
/// whenever they are `Some`, `Some(0)` and `Some("")` included, where wechatpy drops any falsy
/// value (so a `boarding_time` of 0 never reached WeChat).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardingPassCheckin {
    /// The seat (`12A`).
    #[serde(default)]
    pub seat: String,
    /// The gate.
    #[serde(default)]
    pub gate: String,
    /// True to cancel the check-in.
    #[serde(default)]
    pub is_cancel: bool,
    /// Boarding time (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boarding_time: Option<i64>,
    /// Content of the boarding QR code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qrcode_data: Option<String>,
    /// The card (required for custom-code cards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
}

/// `card/boardingpass/checkin`: check a passenger in on a boarding-pass card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinBoardingPass {
    /// The user's code.
    pub code: String,
    /// The passenger's name.
    pub passenger_name: String,
    /// The cabin class (wechatpy's `seat_class`, sent under the key `class`).
    #[serde(rename = "class")]
    pub seat_class: SeatClass,
    /// The e-ticket number.
    pub etkt_bnr: String,
    /// Seat, gate, boarding time and the rest.
    #[serde(flatten)]
    pub checkin: BoardingPassCheckin,
}

operation!(CheckinBoardingPass => Ack, "checkin_boardingpass", "/card/boardingpass/checkin", idempotent = true);

impl CardClient {
    /// Set the show and seats of a user's movie ticket (`card/movieticket/updateuser`).
    ///
    /// Differs from wechatpy, which passes any value through: `show_time` (Unix seconds) and
    /// `duration` (minutes) are integers, the types WeChat documents.
    #[allow(clippy::too_many_arguments)] // wechatpy's positional signature, kept on purpose
    pub async fn update_movie_ticket(
        &self,
        code: &str,
        ticket_class: &str,
        show_time: i64,
        duration: i64,
        screening_room: &str,
        seat_number: Vec<String>,
        card_id: Option<&str>,
    ) -> Result<Ack> {
        self.execute(&UpdateMovieTicket {
            code: code.to_owned(),
            ticket_class: ticket_class.to_owned(),
            show_time,
            duration,
            screening_room: screening_room.to_owned(),
            seat_number,
            card_id: card_id.map(str::to_owned),
        })
        .await
    }

    /// Check a passenger in (`card/boardingpass/checkin`); `seat_class` goes under the key
    /// `class`. See [`BoardingPassCheckin`] for what is always sent and what only when set.
    pub async fn checkin_boardingpass(
        &self,
        code: &str,
        passenger_name: &str,
        seat_class: impl Into<SeatClass>,
        etkt_bnr: &str,
        checkin: BoardingPassCheckin,
    ) -> Result<Ack> {
        self.execute(&CheckinBoardingPass {
            code: code.to_owned(),
            passenger_name: passenger_name.to_owned(),
            seat_class: seat_class.into(),
            etkt_bnr: etkt_bnr.to_owned(),
            checkin,
        })
        .await
    }
}
