//! Card documents: recorded documents round-trip, one golden request body per card type is
//! built by the typed API, and the client sends (or refuses) typed cards.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use card_core::*;
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let text = match name {
        "card_create.groupon.request.json" => {
            include_str!("fixtures/card_create.groupon.request.json")
        }
        "card_create.member_card.request.json" => {
            include_str!("fixtures/card_create.member_card.request.json")
        }
        "card_get.discount.json" => include_str!("fixtures/card_get.discount.json"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).unwrap()
}

fn golden(card_type: &str) -> Value {
    let text = match card_type {
        "groupon" => include_str!("golden/groupon.json"),
        "cash" => include_str!("golden/cash.json"),
        "discount" => include_str!("golden/discount.json"),
        "gift" => include_str!("golden/gift.json"),
        "general_coupon" => include_str!("golden/general_coupon.json"),
        "member_card" => include_str!("golden/member_card.json"),
        "scenic_ticket" => include_str!("golden/scenic_ticket.json"),
        "movie_ticket" => include_str!("golden/movie_ticket.json"),
        "boarding_pass" => include_str!("golden/boarding_pass.json"),
        "meeting_ticket" => include_str!("golden/meeting_ticket.json"),
        "bus_ticket" => include_str!("golden/bus_ticket.json"),
        "general_card" => include_str!("golden/general_card.json"),
        other => panic!("no golden file for {other}"),
    };
    serde_json::from_str(text).unwrap()
}

/// Decode `document` as a card, check it re-encodes to the identical value, and return it.
#[track_caller]
fn round_trip(document: &Value) -> Card {
    let card: Card = serde_json::from_value(document.clone()).unwrap();
    assert_eq!(&serde_json::to_value(&card).unwrap(), document);
    card
}

// ---- recorded documents ----

#[test]
fn recorded_groupon_create_request_round_trips_typed() {
    let request = fixture("card_create.groupon.request.json");
    let card = round_trip(&request["card"]);
    let CardBody::Groupon(groupon) = &card.body else {
        panic!("not typed: {card:?}")
    };
    assert!(groupon.extra.is_empty());
    let base = groupon.base_info.as_ref().unwrap();
    assert!(base.extra.is_empty(), "unexpected extra: {:?}", base.extra);
    assert_eq!(base.title.as_deref(), Some("132元双人火锅套餐"));
    assert_eq!(base.location_id_list, Some(vec![123, 12321, 345345]));
    assert_eq!(
        base.date_info,
        Some(DateInfo::fix_time_range(1_397_577_600, 1_472_724_261))
    );
    let advanced = groupon.advanced_info.as_ref().unwrap();
    assert_eq!(
        advanced.time_limit.as_ref().unwrap()[1],
        TimeLimit::day(TimeLimitType::Holiday)
    );
    assert_eq!(
        advanced.business_service.as_ref().unwrap().services().len(),
        4
    );
    // The official sample is a valid card, and encodes to the same request body.
    card.validate().unwrap();
    assert_eq!(
        serde_json::to_value(json!({ "card": card })).unwrap(),
        request
    );
}

#[test]
fn recorded_member_card_create_request_round_trips_typed() {
    let request = fixture("card_create.member_card.request.json");
    let card = round_trip(&request["card"]);
    let CardBody::MemberCard(member) = &card.body else {
        panic!("not typed: {card:?}")
    };
    assert_eq!(member.supply_bonus, Some(true));
    assert_eq!(member.wx_activate, Some(false));
    let base = member.base_info.as_ref().unwrap();
    assert_eq!(base.date_info, Some(DateInfo::permanent()));
    assert_eq!(base.color, Some(Color::Color090));
    // This real-world document sends business_service as one joined string: kept as read,
    // but not sent again as it is.
    let services = member
        .advanced_info
        .as_ref()
        .unwrap()
        .business_service
        .as_ref();
    assert!(matches!(services, Some(BusinessServices::Joined(_))));
    assert_eq!(services.unwrap().services()[1], BizService::WithPet);
    assert!(card.validate().is_err());
}

#[test]
fn recorded_discount_get_answer_round_trips_typed() {
    let answer = fixture("card_get.discount.json");
    let card = round_trip(&answer["card"]);
    assert_eq!(card.card_type(), CardType::Discount);
    assert_eq!(card.id(), Some("pbLatjnP97_F9PudzBARQhn7xR7A"));
    let CardBody::Discount(discount) = &card.body else {
        panic!("not typed: {card:?}")
    };
    assert_eq!(discount.discount, Some(10));
    let base = discount.base_info.as_ref().unwrap();
    assert_eq!(base.status, Some(CardStatus::VerifyOk));
    assert_eq!(base.color, Some(Color::Other("#10AD61".into())));
    assert_eq!(base.sku.as_ref().unwrap().total_quantity, Some(100_100));
    assert_eq!(base.create_time, Some(1_457_525_546));
    assert_eq!(base.date_info, Some(DateInfo::fix_term(30, 0)));
    assert_eq!(base.extra["area_code_list"], json!([]));
    let advanced = discount.advanced_info.as_ref().unwrap();
    assert_eq!(advanced.text_image_list, Some(vec![]));
    assert_eq!(
        advanced.business_service,
        Some(BusinessServices::List(vec![]))
    );
    assert_eq!(advanced.extra["share_friends"], json!(false));
    assert_eq!(advanced.extra["consume_share_card_list"], json!([]));
    // The whole answer decodes as the card/get result too.
    let document: CardDocument = serde_json::from_value(answer.clone()).unwrap();
    assert_eq!(document.card, card);
}

// ---- golden request bodies, one per card type ----

const LOGO: &str = "http://mmbiz.qpic.cn/mmbiz/iaL1LJM1mF9aRKPZ/0";

fn range() -> DateInfo {
    DateInfo::fix_time_range(1_717_171_200, 1_735_660_799)
}

fn base(
    brand: &str,
    title: &str,
    color: Color,
    notice: &str,
    description: &str,
    date: DateInfo,
    quantity: u64,
) -> BaseInfoBuilder {
    BaseInfo::builder()
        .logo_url(LOGO)
        .brand_name(brand)
        .code_type(CodeType::QrCode)
        .title(title)
        .color(color)
        .notice(notice)
        .service_phone("020-88888888")
        .description(description)
        .date_info(date)
        .quantity(quantity)
}

fn build(card_type: &str) -> Result<Card> {
    Ok(match card_type {
        "groupon" => {
            let base = base(
                "春风火锅",
                "双人火锅套餐",
                Color::Color010,
                "使用时向服务员出示此券",
                "不可与其他优惠同享\n仅限堂食，节假日通用",
                range(),
                5000,
            )
            .get_limit(2)
            .use_limit(2)
            .can_share(true)
            .can_give_friend(false)
            .location_ids([290_512_345, 290_512_346])
            .build()?;
            Groupon::new(base, "锅底任选一份\n精选肥牛一份\n时蔬拼盘一份")
                .with_advanced_info(AdvancedInfo {
                    use_condition: Some(UseCondition {
                        accept_category: Some("火锅套餐".into()),
                        can_use_with_other_discount: Some(false),
                        ..UseCondition::default()
                    }),
                    r#abstract: Some(Abstract::new(
                        "春季新品双人套餐",
                        "http://mmbiz.qpic.cn/mmbiz/cover/0",
                    )),
                    text_image_list: Some(vec![
                        TextImage::new("http://mmbiz.qpic.cn/mmbiz/dish1/0", "精选肥牛，现切现涮"),
                        TextImage::new(
                            "http://mmbiz.qpic.cn/mmbiz/dish2/0",
                            "秘制锅底，熬制八小时",
                        ),
                    ]),
                    time_limit: Some(vec![
                        TimeLimit::hours(TimeLimitType::Monday, (10, 0), (22, 0)),
                        TimeLimit::day(TimeLimitType::Holiday),
                    ]),
                    business_service: Some([BizService::FreeWifi, BizService::FreePark].into()),
                    ..AdvancedInfo::default()
                })
                .into()
        }
        "cash" => {
            let base = base(
                "城南咖啡",
                "50元代金券",
                Color::Color020,
                "结账时出示此券",
                "满200元可用，不找零",
                DateInfo::fix_term(30, 0),
                10_000,
            )
            .get_limit(1)
            .can_share(true)
            .build()?;
            Cash::new(base, 5000)
                .with_least_cost(20_000)
                .with_advanced_info(AdvancedInfo {
                    use_condition: Some(UseCondition {
                        accept_category: Some("饮品".into()),
                        reject_category: Some("酒类".into()),
                        least_cost: Some(20_000),
                        ..UseCondition::default()
                    }),
                    ..AdvancedInfo::default()
                })
                .into()
        }
        "discount" => {
            let base = base(
                "城南咖啡",
                "全场八五折",
                Color::Color030,
                "结账时出示此券",
                "特价商品除外",
                DateInfo::fix_term_until(30, 1, 1_735_660_799),
                20_000,
            )
            .get_limit(3)
            .build()?;
            Card::discount(base, 15)
        }
        "gift" => {
            let base = base(
                "城南咖啡",
                "免费咖啡一杯",
                Color::Color040,
                "兑换时出示此券",
                "每张限兑换一杯",
                range(),
                3000,
            )
            .can_give_friend(true)
            .build()?;
            Gift::new(base, "任意中杯咖啡一杯")
                .with_advanced_info(AdvancedInfo {
                    use_condition: Some(UseCondition {
                        object_use_for: Some("任意甜点".into()),
                        ..UseCondition::default()
                    }),
                    ..AdvancedInfo::default()
                })
                .into()
        }
        "general_coupon" => {
            let base = base(
                "春风火锅",
                "满百减二十",
                Color::Color050,
                "结账时出示此券",
                "消费满100元可用",
                range(),
                8000,
            )
            .center_title("立即使用")
            .center_sub_title("到店出示")
            .center_url("http://www.example.com/use")
            .custom_url_name("查看菜单")
            .custom_url("http://www.example.com/menu")
            .custom_url_sub_title("新品上市")
            .promotion_url_name("更多优惠")
            .promotion_url("http://www.example.com/offers")
            .source("大众点评")
            .build()?;
            Card::general_coupon(base, "消费满100元立减20元")
        }
        "member_card" => {
            let base = base(
                "春风火锅",
                "春风会员卡",
                Color::Color090,
                "使用时向服务员出示会员卡",
                "会员权益以门店公告为准",
                DateInfo::permanent(),
                50_000_000,
            )
            .code_type(CodeType::Barcode)
            .get_limit(1)
            .use_custom_code(false)
            .can_give_friend(false)
            .need_push_on_view(true)
            .build()?;
            MemberCard {
                background_pic_url: Some("http://mmbiz.qpic.cn/mmbiz/background/0".into()),
                wx_activate: Some(true),
                custom_field1: Some(
                    CustomField::typed(FieldNameType::Level)
                        .with_url("http://www.example.com/level"),
                ),
                custom_field2: Some(
                    CustomField::typed(FieldNameType::Coupon)
                        .with_url("http://www.example.com/coupons"),
                ),
                bonus_cleared: Some("每年12月31日积分清零".into()),
                bonus_rules: Some("每消费1元积1分".into()),
                custom_cell1: Some(CustomCell::new(
                    "会员点餐",
                    "扫码点餐",
                    "http://www.example.com/order",
                )),
                bonus_rule: Some(BonusRule {
                    cost_money_unit: Some(100),
                    increase_bonus: Some(1),
                    max_increase_bonus: Some(500),
                    init_increase_bonus: Some(50),
                    cost_bonus_unit: Some(100),
                    reduce_money: Some(100),
                    least_money_to_use_bonus: Some(5000),
                    max_reduce_bonus: Some(1000),
                    ..BonusRule::default()
                }),
                discount: Some(10),
                ..MemberCard::new(
                    base,
                    "会员到店消费享九折\n生日当月赠送甜品一份",
                    true,
                    false,
                )
            }
            .into()
        }
        "scenic_ticket" => {
            let base = base(
                "西湖景区",
                "西湖游船票",
                Color::Color060,
                "检票时出示二维码",
                "当日有效，过期作废",
                range(),
                2000,
            )
            .build()?;
            ScenicTicket {
                ticket_class: Some("平日全票".into()),
                guide_url: Some("http://www.example.com/guide".into()),
                ..ScenicTicket::new(base)
            }
            .into()
        }
        "movie_ticket" => {
            let base = base(
                "星光影城",
                "双人观影券",
                Color::Color070,
                "入场时出示二维码",
                "开场前30分钟可退",
                range(),
                500,
            )
            .build()?;
            MovieTicket::new(
                base,
                "影片：流浪地球2\n放映时间：2024年6月1日 19:30\n影厅：3号厅 IMAX",
            )
            .into()
        }
        "boarding_pass" => {
            let base = base(
                "东方航空",
                "电子登机牌",
                Color::Color080,
                "登机时出示二维码",
                "请提前45分钟到达登机口",
                range(),
                1000,
            )
            .build()?;
            BoardingPass {
                departure_time: Some(1_717_225_200),
                landing_time: Some(1_717_232_400),
                check_in_url: Some("http://www.example.com/checkin".into()),
                gate: Some("C12".into()),
                boarding_time: Some(1_717_223_400),
                air_model: Some("空客A330".into()),
                ..BoardingPass::new(base, "北京", "上海", "MU5101")
            }
            .into()
        }
        "meeting_ticket" => {
            let base = base(
                "开发者大会",
                "大会入场券",
                Color::Color081,
                "入场时出示二维码",
                "凭券入场，一人一券",
                range(),
                3000,
            )
            .build()?;
            MeetingTicket {
                map_url: Some("http://www.example.com/map".into()),
                ..MeetingTicket::new(base, "2024年6月15日 09:00\n国家会议中心三层主会场")
            }
            .into()
        }
        "bus_ticket" => {
            let base = base(
                "长途客运",
                "汽车票",
                Color::Color082,
                "上车时出示二维码",
                "请提前15分钟检票",
                range(),
                800,
            )
            .build()?;
            BusTicket::new(base).into()
        }
        "general_card" => {
            let base = base(
                "城南咖啡",
                "心意礼品卡",
                Color::Color100,
                "使用时出示礼品卡",
                "可在全国门店使用",
                range(),
                1000,
            )
            .giftcard_info(GiftCardInfo {
                price: Some(10_000),
                ..GiftCardInfo::default()
            })
            .max_give_friend_times(1)
            .build()?;
            GeneralCard {
                sub_card_type: Some(SubCardType::GiftCard),
                background_pic_url: Some("http://mmbiz.qpic.cn/mmbiz/giftcard/0".into()),
                auto_activate: Some(true),
                supply_bonus: Some(false),
                supply_balance: Some(false),
                ..GeneralCard::new(base)
            }
            .into()
        }
        other => panic!("no builder for {other}"),
    })
}

const ALL_TYPES: [(&str, CardType); 12] = [
    ("groupon", CardType::Groupon),
    ("cash", CardType::Cash),
    ("discount", CardType::Discount),
    ("gift", CardType::Gift),
    ("general_coupon", CardType::GeneralCoupon),
    ("member_card", CardType::MemberCard),
    ("scenic_ticket", CardType::ScenicTicket),
    ("movie_ticket", CardType::MovieTicket),
    ("boarding_pass", CardType::BoardingPass),
    ("meeting_ticket", CardType::MeetingTicket),
    ("bus_ticket", CardType::BusTicket),
    ("general_card", CardType::GeneralCard),
];

#[test]
fn every_card_type_builds_its_golden_request_body() {
    for (key, card_type) in ALL_TYPES {
        let card = build(key).unwrap_or_else(|e| panic!("{key}: {e}"));
        card.validate().unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(card.card_type(), card_type);
        assert_eq!(card.body_key(), key);
        let body = serde_json::to_value(json!({ "card": card })).unwrap();
        assert_eq!(body, golden(key), "{key}");
    }
}

#[test]
fn every_golden_body_reads_back_typed_and_valid() {
    for (key, card_type) in ALL_TYPES {
        let document = golden(key);
        let card = round_trip(&document["card"]);
        assert_eq!(card.card_type(), card_type);
        assert!(!matches!(card.body, CardBody::Raw(_)), "{key} read raw");
        card.validate().unwrap_or_else(|e| panic!("{key}: {e}"));
        assert_eq!(card, build(key).unwrap(), "{key}");
    }
}

// ---- the client ----

type Sent = Arc<Mutex<Vec<(String, Bytes)>>>;

fn client(answer: &'static str) -> (CardClient, Sent) {
    let sent: Sent = Arc::default();
    let log = sent.clone();
    let transport = transport_fn(move |request: HttpRequest| {
        let log = log.clone();
        async move {
            log.lock()
                .unwrap()
                .push((request.uri().path().to_owned(), request.body().clone()));
            Ok(http::Response::new(Bytes::from_static(answer.as_bytes())))
        }
    });
    let client = CardClient::builder(transport)
        .access_token_provider(FixedToken::new("TOKEN"))
        .build()
        .unwrap();
    (client, sent)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn create_sends_the_card_in_its_envelope_as_raw_utf8() {
    let (client, sent) = client(include_str!("fixtures/card_create.json"));
    let card = build("member_card").unwrap();
    let card_id = block_on(client.create(&card)).unwrap();
    assert_eq!(card_id, "plqmg1eUNAIyv2sc6lzpQ0o695YI");
    let sent = sent.lock().unwrap();
    assert_eq!(sent.len(), 1);
    let (path, body) = &sent[0];
    assert_eq!(path, "/card/create");
    let value: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(value, golden("member_card"));
    let text = std::str::from_utf8(body).unwrap();
    assert!(text.contains("春风会员卡"), "{text}");
    assert!(!text.contains("\\u"), "{text}");
}

#[test]
fn an_invalid_card_is_refused_and_nothing_is_sent() {
    let (client, sent) = client(include_str!("fixtures/card_create.json"));
    let mut card = build("groupon").unwrap();
    card.base_info_mut().unwrap().title = Some("这个卡券名称实在是太长了".into());
    match block_on(client.create(&card)) {
        Err(Error::InvalidArgument { field, .. }) => assert_eq!(field, "base_info.title"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(sent.lock().unwrap().is_empty());
}

#[test]
fn raw_documents_still_go_through_execute() {
    let (client, sent) = client(include_str!("fixtures/card_create.json"));
    let raw =
        json!({"card": {"card_type": "GROUPON", "groupon": {"base_info": {"title": "团购"}}}});
    let created = block_on(client.execute(&CreateCard(&raw))).unwrap();
    assert_eq!(created.card_id, "plqmg1eUNAIyv2sc6lzpQ0o695YI");
    let body: Value = serde_json::from_slice(&sent.lock().unwrap()[0].1).unwrap();
    assert_eq!(body, raw);
}

#[test]
fn get_returns_the_typed_card_with_everything_wechat_sent() {
    let (client, sent) = client(include_str!("fixtures/card_get.discount.json"));
    let card = block_on(client.get("pbLatjnP97_F9PudzBARQhn7xR7A")).unwrap();
    let (path, body) = &sent.lock().unwrap()[0];
    assert_eq!(path, "/card/get");
    assert_eq!(
        serde_json::from_slice::<Value>(body).unwrap(),
        json!({"card_id": "pbLatjnP97_F9PudzBARQhn7xR7A"})
    );
    assert!(matches!(card.body, CardBody::Discount(_)));
    assert_eq!(
        serde_json::to_value(&card).unwrap(),
        fixture("card_get.discount.json")["card"]
    );
}

#[test]
fn update_sends_only_the_fields_set() {
    let (client, sent) = client(include_str!("fixtures/card_update.json"));
    let update = CardUpdate::member_card(
        "pbLatjnP97_F9PudzBARQhn7xR7A",
        MemberCardUpdate {
            prerogative: Some("会员全场八折".into()),
            ..MemberCardUpdate::default()
        },
    )
    .with_base_info(BaseInfoUpdate {
        date_info: Some(DateInfo::fix_time_range(1_717_171_200, 1_767_196_799)),
        ..BaseInfoUpdate::default()
    });
    let answer = block_on(client.update(&update)).unwrap();
    assert_eq!(answer.send_check, Some(false));
    let (path, body) = &sent.lock().unwrap()[0];
    assert_eq!(path, "/card/update");
    assert_eq!(
        serde_json::from_slice::<Value>(body).unwrap(),
        json!({
            "card_id": "pbLatjnP97_F9PudzBARQhn7xR7A",
            "member_card": {
                "base_info": {"date_info": {
                    "type": "DATE_TYPE_FIX_TIME_RANGE",
                    "begin_timestamp": 1_717_171_200,
                    "end_timestamp": 1_767_196_799
                }},
                "prerogative": "会员全场八折"
            }
        })
    );
}

#[test]
fn an_invalid_update_is_refused_and_nothing_is_sent() {
    let (client, sent) = client(include_str!("fixtures/card_update.json"));
    let update = CardUpdate::new("pC", CardType::Groupon).with_base_info(BaseInfoUpdate {
        date_info: Some(DateInfo::fix_term(30, 0)),
        ..BaseInfoUpdate::default()
    });
    match block_on(client.update(&update)) {
        Err(Error::InvalidArgument { field, .. }) => assert_eq!(field, "base_info.date_info"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(sent.lock().unwrap().is_empty());
}
