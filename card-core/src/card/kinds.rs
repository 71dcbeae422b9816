//! The coupon and ticket bodies: one type per `card_type`, each with its own fields next to
//! `base_info` and `advanced_info`.

use super::validate::{
    at_most, invalid, max_chinese, required, required_text, unix_seconds,
    BOARDING_PLACE_MAX_CHINESE,
};
use super::{BaseInfo, CardType};
use crate::error::Result;
use crate::wire_enum::wire_enum;

card_body! {
    /// A group-buying voucher (`GROUPON`, 团购券).
    Groupon {
        /// What the deal contains (`deal_detail`, required).
        deal_detail: String,
    }
}

impl Groupon {
    /// A group-buying voucher for `deal_detail`.
    pub fn new(base_info: BaseInfo, deal_detail: impl Into<String>) -> Self {
        Self {
            base_info: Some(base_info),
            deal_detail: Some(deal_detail.into()),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::Groupon)?;
        required_text("deal_detail", &self.deal_detail)?;
        Ok(())
    }
}

card_body! {
    /// A cash voucher (`CASH`, 代金券): `reduce_cost` off a spend of at least `least_cost`.
    Cash {
        /// Minimum spend in fen (`least_cost`; 0 or absent: none).
        least_cost: u64,
        /// Amount taken off, in fen (`reduce_cost`, required).
        reduce_cost: u64,
    }
}

impl Cash {
    /// `reduce_cost` fen off any spend.
    pub fn new(base_info: BaseInfo, reduce_cost: u64) -> Self {
        Self {
            base_info: Some(base_info),
            reduce_cost: Some(reduce_cost),
            ..Self::default()
        }
    }

    /// Only on a spend of at least `least_cost` fen.
    pub fn with_least_cost(mut self, least_cost: u64) -> Self {
        self.least_cost = Some(least_cost);
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::Cash)?;
        // 创建卡券: "reduce_cost 代金券专用，表示减免金额（单位为分）" (required).
        if *required("reduce_cost", &self.reduce_cost)? == 0 {
            return Err(invalid("reduce_cost", "must be at least 1 fen"));
        }
        Ok(())
    }
}

card_body! {
    /// A discount voucher (`DISCOUNT`, 折扣券).
    Discount {
        /// Percentage off (`discount`, required): 30 means 30 % off (七折), so 1..=99.
        discount: u64,
    }
}

impl Discount {
    /// `discount` percent off.
    pub fn new(base_info: BaseInfo, discount: u64) -> Self {
        Self {
            base_info: Some(base_info),
            discount: Some(discount),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::Discount)?;
        // 创建卡券: "discount 折扣券专用，表示打折额度（百分比）。填30就是七折".
        let discount = *required("discount", &self.discount)?;
        if discount == 0 {
            return Err(invalid("discount", "must be 1..=99 percent off, not 0"));
        }
        at_most(
            "discount",
            discount,
            99,
            "a percentage off must leave something to pay",
        )
    }
}

card_body! {
    /// A gift voucher (`GIFT`, 兑换券).
    Gift {
        /// What is given (`gift`, required).
        gift: String,
    }
}

impl Gift {
    /// A voucher for `gift`.
    pub fn new(base_info: BaseInfo, gift: impl Into<String>) -> Self {
        Self {
            base_info: Some(base_info),
            gift: Some(gift.into()),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::Gift)?;
        required_text("gift", &self.gift)?;
        Ok(())
    }
}

card_body! {
    /// A general coupon (`GENERAL_COUPON`, 优惠券).
    GeneralCoupon {
        /// What the coupon offers (`default_detail`, required).
        default_detail: String,
    }
}

impl GeneralCoupon {
    /// A coupon offering `default_detail`.
    pub fn new(base_info: BaseInfo, default_detail: impl Into<String>) -> Self {
        Self {
            base_info: Some(base_info),
            default_detail: Some(default_detail.into()),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::GeneralCoupon)?;
        required_text("default_detail", &self.default_detail)?;
        Ok(())
    }
}

card_body! {
    /// A scenic-spot ticket (`SCENIC_TICKET`, 景点门票).
    ScenicTicket {
        /// Ticket class ("平日全票", "套票").
        ticket_class: String,
        /// Guide map URL.
        guide_url: String,
    }
}

impl ScenicTicket {
    /// A ticket with no type-specific fields set yet.
    pub fn new(base_info: BaseInfo) -> Self {
        Self {
            base_info: Some(base_info),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::ScenicTicket)
    }
}

card_body! {
    /// A cinema ticket (`MOVIE_TICKET`, 电影票).
    MovieTicket {
        /// Film, show time and seat details (`detail`, required).
        detail: String,
    }
}

impl MovieTicket {
    /// A ticket described by `detail`.
    pub fn new(base_info: BaseInfo, detail: impl Into<String>) -> Self {
        Self {
            base_info: Some(base_info),
            detail: Some(detail.into()),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::MovieTicket)?;
        required_text("detail", &self.detail)?;
        Ok(())
    }
}

card_body! {
    /// A boarding pass (`BOARDING_PASS`, 飞机票).
    BoardingPass {
        /// Departure city (`from`, required, at most 18 Chinese characters).
        from: String,
        /// Arrival city (`to`, required, at most 18 Chinese characters).
        to: String,
        /// Flight number (`flight`, required).
        flight: String,
        /// Departure time, Unix seconds.
        departure_time: i64,
        /// Landing time, Unix seconds.
        landing_time: i64,
        /// Online check-in link.
        check_in_url: String,
        /// Gate.
        gate: String,
        /// Boarding time, Unix seconds (WeChat shows only hours and minutes).
        boarding_time: i64,
        /// Aircraft model.
        air_model: String,
    }
}

impl BoardingPass {
    /// A boarding pass for `flight` from `from` to `to`.
    pub fn new(
        base_info: BaseInfo,
        from: impl Into<String>,
        to: impl Into<String>,
        flight: impl Into<String>,
    ) -> Self {
        Self {
            base_info: Some(base_info),
            from: Some(from.into()),
            to: Some(to.into()),
            flight: Some(flight.into()),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::BoardingPass)?;
        required_text("from", &self.from)?;
        max_chinese("from", &self.from, BOARDING_PLACE_MAX_CHINESE)?;
        required_text("to", &self.to)?;
        max_chinese("to", &self.to, BOARDING_PLACE_MAX_CHINESE)?;
        required_text("flight", &self.flight)?;
        check_times(self.departure_time, self.landing_time, self.boarding_time)
    }
}

/// Boarding-pass times are "unsigned int" Unix seconds (创建卡券, 飞机票).
pub(crate) fn check_times(
    departure_time: Option<i64>,
    landing_time: Option<i64>,
    boarding_time: Option<i64>,
) -> Result<()> {
    for (name, value) in [
        ("departure_time", departure_time),
        ("landing_time", landing_time),
        ("boarding_time", boarding_time),
    ] {
        if let Some(value) = value {
            unix_seconds(name, value)?;
        }
    }
    Ok(())
}

card_body! {
    /// A meeting or conference ticket (`MEETING_TICKET`, 会议门票).
    MeetingTicket {
        /// Meeting details (`meeting_detail`, required).
        meeting_detail: String,
        /// Venue map URL.
        map_url: String,
    }
}

impl MeetingTicket {
    /// A ticket for the meeting described by `meeting_detail`.
    pub fn new(base_info: BaseInfo, meeting_detail: impl Into<String>) -> Self {
        Self {
            base_info: Some(base_info),
            meeting_detail: Some(meeting_detail.into()),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::MeetingTicket)?;
        required_text("meeting_detail", &self.meeting_detail)?;
        Ok(())
    }
}

card_body! {
    /// A bus ticket (`BUS_TICKET`, 汽车票). WeChat documents no fields of its own for it; any
    /// it returns are kept in `extra`.
    BusTicket {}
}

impl BusTicket {
    /// A bus ticket.
    pub fn new(base_info: BaseInfo) -> Self {
        Self {
            base_info: Some(base_info),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::BusTicket)
    }
}

wire_enum! {
    /// The kind of a `GENERAL_CARD` (`sub_card_type`).
    pub enum SubCardType {
        /// A gift card (礼品卡).
        GiftCard = "GIFT_CARD",
    }
}

card_body! {
    /// A general card (`GENERAL_CARD`, 通用卡), the basis of WeChat gift cards.
    GeneralCard {
        /// Its kind (`GIFT_CARD` for gift cards).
        sub_card_type: SubCardType,
        /// Custom card face, uploaded through `media/uploadimg`.
        background_pic_url: String,
        /// Activate on receipt.
        auto_activate: bool,
        /// Show points.
        supply_bonus: bool,
        /// Show a stored balance.
        supply_balance: bool,
    }
}

impl GeneralCard {
    /// A general card with no type-specific fields set yet.
    pub fn new(base_info: BaseInfo) -> Self {
        Self {
            base_info: Some(base_info),
            ..Self::default()
        }
    }

    pub(crate) fn check(&self) -> Result<()> {
        self.check_common(&CardType::GeneralCard)
    }
}
