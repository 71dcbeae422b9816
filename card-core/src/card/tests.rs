//! One test per validation rule: each asserts the exact field path the refusal names.

use serde_json::{json, Map, Value};

use super::*;
use crate::error::{Error, Result};

fn base_builder() -> BaseInfoBuilder {
    BaseInfo::builder()
        .logo_url("http://mmbiz.qpic.cn/mmbiz/logo/0")
        .brand_name("微信餐厅")
        .code_type(CodeType::QrCode)
        .title("双人火锅套餐")
        .color(Color::Color010)
        .notice("使用时向服务员出示此券")
        .description("不可与其他优惠同享")
        .quantity(1_000)
        .date_info(DateInfo::fix_time_range(1_717_171_200, 1_735_660_799))
}

fn base() -> BaseInfo {
    base_builder().build().expect("valid base_info")
}

fn groupon_with(edit: impl FnOnce(&mut BaseInfo)) -> Card {
    let mut base = base();
    edit(&mut base);
    Card::groupon(base, "双人套餐一份")
}

fn member_with(edit: impl FnOnce(&mut MemberCard)) -> Card {
    let mut card = MemberCard::new(base(), "会员享九折", true, false);
    edit(&mut card);
    Card::from(card)
}

#[track_caller]
fn refused(result: Result<impl std::fmt::Debug>, field: &str) {
    match result {
        Err(Error::InvalidArgument { field: got, reason }) => {
            assert_eq!(got, field, "refused for {reason}");
            assert!(!reason.is_empty());
        }
        other => panic!("expected InvalidArgument on {field}, got {other:?}"),
    }
}

fn chinese(n: usize) -> String {
    "汉".repeat(n)
}

#[test]
fn a_complete_card_passes() {
    groupon_with(|_| {}).validate().unwrap();
    member_with(|_| {}).validate().unwrap();
}

// ---- base_info: required fields (创建卡券, 是否必填 = 是) ----

#[test]
fn logo_url_is_required() {
    refused(
        groupon_with(|b| b.logo_url = None).validate(),
        "base_info.logo_url",
    );
    refused(
        groupon_with(|b| b.logo_url = Some(String::new())).validate(),
        "base_info.logo_url",
    );
}

#[test]
fn code_type_is_required() {
    refused(
        groupon_with(|b| b.code_type = None).validate(),
        "base_info.code_type",
    );
}

#[test]
fn brand_name_is_required() {
    refused(
        groupon_with(|b| b.brand_name = None).validate(),
        "base_info.brand_name",
    );
}

#[test]
fn title_is_required() {
    refused(
        groupon_with(|b| b.title = None).validate(),
        "base_info.title",
    );
}

#[test]
fn color_is_required() {
    refused(
        groupon_with(|b| b.color = None).validate(),
        "base_info.color",
    );
}

#[test]
fn notice_is_required() {
    refused(
        groupon_with(|b| b.notice = None).validate(),
        "base_info.notice",
    );
}

#[test]
fn description_is_required() {
    refused(
        groupon_with(|b| b.description = None).validate(),
        "base_info.description",
    );
}

#[test]
fn sku_and_quantity_are_required() {
    refused(groupon_with(|b| b.sku = None).validate(), "base_info.sku");
    refused(
        groupon_with(|b| b.sku = Some(Sku::default())).validate(),
        "base_info.sku.quantity",
    );
}

#[test]
fn date_info_is_required() {
    refused(
        groupon_with(|b| b.date_info = None).validate(),
        "base_info.date_info",
    );
}

#[test]
fn builder_reports_the_first_missing_field() {
    refused(BaseInfo::builder().build(), "base_info.logo_url");
    refused(base_builder().title("").build(), "base_info.title");
}

// ---- base_info: documented lengths, as WeChat measures them ----

#[test]
fn title_is_at_most_nine_chinese_characters() {
    refused(base_builder().title(chinese(10)).build(), "base_info.title");
    base_builder().title(chinese(9)).build().unwrap();
    // WeChat's own sample: ten characters, 24 bytes, within string(27).
    base_builder().title("132元双人火锅套餐").build().unwrap();
    refused(
        base_builder().title("x".repeat(28)).build(),
        "base_info.title",
    );
}

#[test]
fn brand_name_is_at_most_twelve_chinese_characters() {
    refused(
        base_builder().brand_name(chinese(13)).build(),
        "base_info.brand_name",
    );
    base_builder().brand_name(chinese(12)).build().unwrap();
}

#[test]
fn sub_title_is_at_most_eighteen_chinese_characters() {
    refused(
        base_builder().sub_title(chinese(19)).build(),
        "base_info.sub_title",
    );
    base_builder().sub_title(chinese(18)).build().unwrap();
}

#[test]
fn notice_is_at_most_sixteen_chinese_characters() {
    refused(
        base_builder().notice(chinese(17)).build(),
        "base_info.notice",
    );
    base_builder().notice(chinese(16)).build().unwrap();
}

#[test]
fn description_is_at_most_1024_chinese_characters() {
    refused(
        base_builder().description(chinese(1025)).build(),
        "base_info.description",
    );
    base_builder().description(chinese(1024)).build().unwrap();
}

#[test]
fn custom_url_sub_title_is_at_most_six_chinese_characters() {
    refused(
        base_builder().custom_url_sub_title(chinese(7)).build(),
        "base_info.custom_url_sub_title",
    );
    // WeChat's own sample value.
    base_builder()
        .custom_url_sub_title("6个汉字tips")
        .build()
        .unwrap();
}

// ---- base_info: values ----

#[test]
fn color_must_be_a_name_not_the_hex_card_get_returns() {
    refused(
        base_builder().color(Color::from_wire("#10AD61")).build(),
        "base_info.color",
    );
    base_builder()
        .color(Color::from_wire("Color103"))
        .build()
        .unwrap();
}

#[test]
fn quantity_is_at_most_one_hundred_million() {
    refused(
        base_builder().quantity(100_000_001).build(),
        "base_info.sku.quantity",
    );
    base_builder().quantity(100_000_000).build().unwrap();
}

#[test]
fn deposit_mode_needs_zero_quantity() {
    refused(
        base_builder()
            .use_custom_code(true)
            .get_custom_code_mode(GetCustomCodeMode::Deposit)
            .build(),
        "base_info.sku.quantity",
    );
    base_builder()
        .use_custom_code(true)
        .get_custom_code_mode(GetCustomCodeMode::Deposit)
        .quantity(0)
        .build()
        .unwrap();
}

#[test]
fn use_all_locations_excludes_a_location_list() {
    refused(
        base_builder()
            .use_all_locations(true)
            .location_ids([1, 2])
            .build(),
        "base_info.use_all_locations",
    );
    base_builder().use_all_locations(true).build().unwrap();
}

#[test]
fn builder_extra_cannot_repeat_a_field() {
    refused(
        base_builder().extra("title", "别的").build(),
        "base_info.title",
    );
    base_builder().extra("new_field", 1).build().unwrap();
}

// ---- date_info (F14) ----

#[test]
fn begin_must_not_be_after_end() {
    refused(
        base_builder()
            .date_info(DateInfo::fix_time_range(20, 10))
            .build(),
        "base_info.date_info.end_timestamp",
    );
    base_builder()
        .date_info(DateInfo::fix_time_range(10, 10))
        .build()
        .unwrap();
}

#[test]
fn timestamps_are_unsigned_seconds() {
    refused(
        base_builder()
            .date_info(DateInfo::fix_time_range(-1, 10))
            .build(),
        "base_info.date_info.begin_timestamp",
    );
    refused(
        base_builder()
            .date_info(DateInfo::fix_time_range(1_717_171_200, 1_735_660_799_000))
            .build(),
        "base_info.date_info.end_timestamp",
    );
    refused(
        base_builder()
            .date_info(DateInfo::fix_term_until(30, 0, 1_735_660_799_000))
            .build(),
        "base_info.date_info.end_timestamp",
    );
}

#[test]
fn fixed_term_cannot_be_zero() {
    refused(
        base_builder().date_info(DateInfo::fix_term(0, 0)).build(),
        "base_info.date_info.fixed_term",
    );
    base_builder()
        .date_info(DateInfo::fix_term(1, 0))
        .build()
        .unwrap();
}

#[test]
fn undocumented_date_info_is_not_sent() {
    let legacy: DateInfo =
        serde_json::from_value(json!({"type": 1, "begin_timestamp": 1, "end_timestamp": 2}))
            .unwrap();
    refused(
        base_builder().date_info(legacy).build(),
        "base_info.date_info",
    );
}

#[test]
fn permanent_is_for_member_cards_only() {
    refused(
        groupon_with(|b| b.date_info = Some(DateInfo::permanent())).validate(),
        "base_info.date_info",
    );
    member_with(|m| {
        m.base_info.as_mut().unwrap().date_info = Some(DateInfo::permanent());
    })
    .validate()
    .unwrap();
}

// ---- advanced_info ----

fn with_advanced(advanced: AdvancedInfo) -> Card {
    Card::from(Groupon::new(base(), "套餐").with_advanced_info(advanced))
}

#[test]
fn time_limit_hours_are_0_to_23() {
    let card = with_advanced(AdvancedInfo {
        time_limit: Some(vec![
            TimeLimit::day(TimeLimitType::Monday),
            TimeLimit::hours(TimeLimitType::Tuesday, (9, 0), (24, 0)),
        ]),
        ..AdvancedInfo::default()
    });
    refused(card.validate(), "advanced_info.time_limit[1].end_hour");
}

#[test]
fn time_limit_minutes_are_0_to_59() {
    let card = with_advanced(AdvancedInfo {
        time_limit: Some(vec![TimeLimit::hours(
            TimeLimitType::Friday,
            (9, 60),
            (21, 30),
        )]),
        ..AdvancedInfo::default()
    });
    refused(card.validate(), "advanced_info.time_limit[0].begin_minute");
}

#[test]
fn abstract_takes_one_cover_picture() {
    let mut cover = Abstract::new("新品上市", "http://mmbiz.qpic.cn/a/0");
    cover
        .icon_url_list
        .as_mut()
        .unwrap()
        .push("http://mmbiz.qpic.cn/b/0".into());
    let card = with_advanced(AdvancedInfo {
        r#abstract: Some(cover),
        ..AdvancedInfo::default()
    });
    refused(card.validate(), "advanced_info.abstract.icon_url_list");
}

#[test]
fn business_service_is_sent_as_a_list() {
    let joined = with_advanced(AdvancedInfo {
        business_service: Some(BusinessServices::Joined("BIZ_SERVICE_FREE_PARK".into())),
        ..AdvancedInfo::default()
    });
    refused(joined.validate(), "advanced_info.business_service");
    with_advanced(AdvancedInfo {
        business_service: Some([BizService::FreePark].into()),
        ..AdvancedInfo::default()
    })
    .validate()
    .unwrap();
}

// ---- type-specific fields ----

#[test]
fn base_info_is_required_in_every_body() {
    refused(Card::from(Groupon::default()).validate(), "base_info");
    refused(Card::from(BusTicket::default()).validate(), "base_info");
}

#[test]
fn groupon_needs_deal_detail() {
    refused(Card::groupon(base(), "").validate(), "deal_detail");
}

#[test]
fn cash_needs_a_positive_reduce_cost() {
    let mut cash = Cash::new(base(), 1_000);
    cash.reduce_cost = None;
    refused(Card::from(cash).validate(), "reduce_cost");
    refused(Card::cash(base(), 0, 0).validate(), "reduce_cost");
    Card::cash(base(), 10_000, 1_000).validate().unwrap();
}

#[test]
fn discount_is_1_to_99_percent_off() {
    refused(Card::discount(base(), 0).validate(), "discount");
    refused(Card::discount(base(), 100).validate(), "discount");
    refused(
        Card::from(Discount {
            discount: None,
            ..Discount::new(base(), 1)
        })
        .validate(),
        "discount",
    );
    Card::discount(base(), 30).validate().unwrap();
}

#[test]
fn gift_needs_its_gift() {
    refused(Card::gift(base(), "").validate(), "gift");
}

#[test]
fn general_coupon_needs_default_detail() {
    refused(
        Card::general_coupon(base(), "").validate(),
        "default_detail",
    );
}

#[test]
fn movie_ticket_needs_detail() {
    refused(
        Card::from(MovieTicket::new(base(), "")).validate(),
        "detail",
    );
}

#[test]
fn meeting_ticket_needs_meeting_detail() {
    refused(
        Card::from(MeetingTicket::new(base(), "")).validate(),
        "meeting_detail",
    );
}

#[test]
fn boarding_pass_needs_from_to_and_flight() {
    refused(
        Card::from(BoardingPass::new(base(), "", "上海", "MU5101")).validate(),
        "from",
    );
    refused(
        Card::from(BoardingPass::new(base(), "北京", "", "MU5101")).validate(),
        "to",
    );
    refused(
        Card::from(BoardingPass::new(base(), "北京", "上海", "")).validate(),
        "flight",
    );
}

#[test]
fn boarding_pass_places_are_at_most_eighteen_chinese_characters() {
    refused(
        Card::from(BoardingPass::new(base(), chinese(19), "上海", "MU5101")).validate(),
        "from",
    );
}

#[test]
fn boarding_pass_times_are_unsigned_seconds() {
    let pass = BoardingPass {
        departure_time: Some(1_717_171_200_000),
        ..BoardingPass::new(base(), "北京", "上海", "MU5101")
    };
    refused(Card::from(pass).validate(), "departure_time");
}

// ---- member card (创建会员卡) ----

#[test]
fn member_card_needs_prerogative() {
    refused(
        member_with(|m| m.prerogative = None).validate(),
        "prerogative",
    );
}

#[test]
fn prerogative_is_at_most_1024_chinese_characters() {
    refused(
        member_with(|m| m.prerogative = Some(chinese(1025))).validate(),
        "prerogative",
    );
}

#[test]
fn member_card_needs_supply_bonus_and_supply_balance() {
    refused(
        member_with(|m| m.supply_bonus = None).validate(),
        "supply_bonus",
    );
    refused(
        member_with(|m| m.supply_balance = None).validate(),
        "supply_balance",
    );
}

#[test]
fn wx_activate_excludes_activate_url() {
    refused(
        member_with(|m| {
            m.wx_activate = Some(true);
            m.activate_url = Some("http://www.qq.com".into());
        })
        .validate(),
        "activate_url",
    );
    member_with(|m| m.wx_activate = Some(true))
        .validate()
        .unwrap();
}

#[test]
fn custom_field_needs_a_name() {
    refused(
        member_with(|m| m.custom_field2 = Some(CustomField::default().with_url("http://a")))
            .validate(),
        "custom_field2.name_type",
    );
    member_with(|m| m.custom_field2 = Some(CustomField::named("等级")))
        .validate()
        .unwrap();
}

#[test]
fn custom_cell_needs_name_and_url_and_short_tips() {
    refused(
        member_with(|m| m.custom_cell1 = Some(CustomCell::new("", "提示", "http://a"))).validate(),
        "custom_cell1.name",
    );
    refused(
        member_with(|m| m.custom_cell1 = Some(CustomCell::new("入口", "提示", ""))).validate(),
        "custom_cell1.url",
    );
    refused(
        member_with(|m| m.custom_cell1 = Some(CustomCell::new("入口", chinese(7), "http://a")))
            .validate(),
        "custom_cell1.tips",
    );
}

#[test]
fn member_discount_is_below_100() {
    refused(
        member_with(|m| m.discount = Some(100)).validate(),
        "discount",
    );
    member_with(|m| m.discount = Some(10)).validate().unwrap();
}

// ---- raw bodies (F15) ----

#[test]
fn raw_card_type_must_be_upper_case() {
    let card = Card::new(CardBody::Raw(RawCardBody {
        card_type: CardType::from_wire("groupon"),
        body: json!({"base_info": {}}),
    }));
    refused(card.validate(), "card_type");
}

#[test]
fn raw_body_must_be_an_object() {
    let card = Card::new(CardBody::Raw(RawCardBody {
        card_type: CardType::from_wire("LUCKY_MONEY"),
        body: json!([]),
    }));
    refused(card.validate(), "lucky_money");
}

// ---- card/update (更改卡券信息接口) ----

#[test]
fn update_needs_a_card_id() {
    refused(CardUpdate::new("", CardType::Groupon).validate(), "card_id");
}

#[test]
fn update_card_type_must_be_upper_case() {
    refused(
        CardUpdate::new("pC", CardType::from_wire("groupon")).validate(),
        "card_type",
    );
}

#[test]
fn update_date_info_must_be_a_fixed_range() {
    let update = CardUpdate::new("pC", CardType::Groupon).with_base_info(BaseInfoUpdate {
        date_info: Some(DateInfo::fix_term(30, 0)),
        ..BaseInfoUpdate::default()
    });
    refused(update.validate(), "base_info.date_info");
    let update = CardUpdate::new("pC", CardType::Groupon).with_base_info(BaseInfoUpdate {
        date_info: Some(DateInfo::fix_time_range(30, 20)),
        ..BaseInfoUpdate::default()
    });
    refused(update.validate(), "base_info.date_info.end_timestamp");
}

#[test]
fn update_keeps_the_create_limits() {
    let update = CardUpdate::new("pC", CardType::Cash).with_base_info(BaseInfoUpdate {
        notice: Some(chinese(17)),
        ..BaseInfoUpdate::default()
    });
    refused(update.validate(), "base_info.notice");
    let update = CardUpdate::new("pC", CardType::Cash).with_base_info(BaseInfoUpdate {
        color: Some(Color::from_wire("#63b359")),
        ..BaseInfoUpdate::default()
    });
    refused(update.validate(), "base_info.color");
    let update = CardUpdate::member_card(
        "pC",
        MemberCardUpdate {
            wx_activate: Some(true),
            activate_url: Some("http://a".into()),
            ..MemberCardUpdate::default()
        },
    );
    refused(update.validate(), "activate_url");
    let update = CardUpdate::boarding_pass(
        "pC",
        BoardingPassUpdate {
            boarding_time: Some(-5),
            ..BoardingPassUpdate::default()
        },
    );
    refused(update.validate(), "boarding_time");
}

// ---- serialisation ----

#[test]
fn type_and_key_follow_the_body() {
    let expected = [
        (Card::groupon(base(), "x"), "GROUPON", "groupon"),
        (Card::cash(base(), 0, 1), "CASH", "cash"),
        (Card::discount(base(), 1), "DISCOUNT", "discount"),
        (Card::gift(base(), "x"), "GIFT", "gift"),
        (
            Card::general_coupon(base(), "x"),
            "GENERAL_COUPON",
            "general_coupon",
        ),
        (member_with(|_| {}), "MEMBER_CARD", "member_card"),
        (
            Card::from(ScenicTicket::new(base())),
            "SCENIC_TICKET",
            "scenic_ticket",
        ),
        (
            Card::from(MovieTicket::new(base(), "x")),
            "MOVIE_TICKET",
            "movie_ticket",
        ),
        (
            Card::from(BoardingPass::new(base(), "a", "b", "c")),
            "BOARDING_PASS",
            "boarding_pass",
        ),
        (
            Card::from(MeetingTicket::new(base(), "x")),
            "MEETING_TICKET",
            "meeting_ticket",
        ),
        (
            Card::from(BusTicket::new(base())),
            "BUS_TICKET",
            "bus_ticket",
        ),
        (
            Card::from(GeneralCard::new(base())),
            "GENERAL_CARD",
            "general_card",
        ),
    ];
    for (card, card_type, key) in expected {
        card.validate().unwrap();
        let value = serde_json::to_value(&card).unwrap();
        let object = value.as_object().unwrap();
        assert_eq!(object.len(), 2, "{value}");
        assert_eq!(object["card_type"], card_type);
        assert!(object[key].is_object(), "{value}");
        let back: Card = serde_json::from_value(value).unwrap();
        assert_eq!(back, card);
        assert!(!matches!(back.body, CardBody::Raw(_)));
    }
}

#[test]
fn unknown_types_and_inexact_bodies_stay_raw() {
    let lucky =
        json!({"card_type": "LUCKY_MONEY", "lucky_money": {"base_info": {"title": "红包"}}});
    let card: Card = serde_json::from_value(lucky.clone()).unwrap();
    assert_eq!(card.card_type(), CardType::Other("LUCKY_MONEY".into()));
    assert!(matches!(card.body, CardBody::Raw(_)));
    assert_eq!(serde_json::to_value(&card).unwrap(), lucky);

    // A null the typed form would drop: kept raw, and still readable on request.
    let nulls = json!({"card_type": "GIFT", "gift": {"gift": "咖啡一杯", "base_info": {"location_id_list": null}}});
    let card: Card = serde_json::from_value(nulls.clone()).unwrap();
    let CardBody::Raw(raw) = &card.body else {
        panic!("typed: {card:?}")
    };
    assert_eq!(serde_json::to_value(&card).unwrap(), nulls);
    let Some(CardBody::Gift(gift)) = raw.try_typed() else {
        panic!("not a gift")
    };
    assert_eq!(gift.gift.as_deref(), Some("咖啡一杯"));

    // A number sent as a string.
    let stringly = json!({"card_type": "DISCOUNT", "discount": {"discount": "30"}});
    let card: Card = serde_json::from_value(stringly.clone()).unwrap();
    assert!(matches!(card.body, CardBody::Raw(_)));
    assert_eq!(serde_json::to_value(&card).unwrap(), stringly);
}

#[test]
fn malformed_documents_are_errors_not_panics() {
    for bad in [
        json!({"groupon": {}}),
        json!({"card_type": 1, "groupon": {}}),
        json!({"card_type": "GROUPON"}),
        json!({"card_type": "GROUPON", "GROUPON": {}}),
        json!([]),
    ] {
        assert!(serde_json::from_value::<Card>(bad).is_err());
    }
}

#[test]
fn document_extra_keys_round_trip() {
    let mut extra = Map::new();
    extra.insert("something_new".into(), Value::from(true));
    let card = Card {
        extra,
        ..Card::groupon(base(), "x")
    };
    let value = serde_json::to_value(&card).unwrap();
    assert_eq!(value["something_new"], true);
    assert_eq!(serde_json::from_value::<Card>(value).unwrap(), card);
}

#[test]
fn business_services_read_both_forms() {
    let list: BusinessServices =
        serde_json::from_value(json!(["BIZ_SERVICE_FREE_WIFI", "BIZ_SERVICE_NEW"])).unwrap();
    assert_eq!(
        list.services(),
        vec![
            BizService::FreeWifi,
            BizService::Other("BIZ_SERVICE_NEW".into())
        ]
    );
    let joined: BusinessServices =
        serde_json::from_value(json!("BIZ_SERVICE_FREE_PARK, BIZ_SERVICE_WITH_PET")).unwrap();
    assert_eq!(
        joined.services(),
        vec![BizService::FreePark, BizService::WithPet]
    );
}

#[test]
fn update_sends_only_what_is_set() {
    let update = CardUpdate::boarding_pass(
        "pC",
        BoardingPassUpdate {
            gate: Some("3号".into()),
            ..BoardingPassUpdate::default()
        },
    );
    update.validate().unwrap();
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"card_id": "pC", "boarding_pass": {"gate": "3号"}})
    );
    let update = CardUpdate::new("pC", CardType::Groupon);
    assert_eq!(
        serde_json::to_value(&update).unwrap(),
        json!({"card_id": "pC", "groupon": {}})
    );
}
