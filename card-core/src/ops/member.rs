//! Member cards (会员卡): activation, the activation form, member data and points/balance
//! updates.
//!
//! wechatpy takes the optional parameters of these methods as `**kwargs`; here they are a
//! struct of optional fields ([`MemberActivation`], [`MemberUpdate`], [`UserFormSettings`]),
//! each left out of the body when not set, and flattened into the request beside the required
//! parameters (which, as in wechatpy, come after them in the body).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::CardClient;
use crate::error::Result;
use crate::model::{Ack, UserCardStatus};
use crate::operation::operation;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// A standard member-form field (wechatpy's `UserFormInfoFlag`, "格式化的选项类型").
    pub enum UserFormInfoFlag {
        /// Mobile phone number.
        Mobile = "USER_FORM_INFO_FLAG_MOBILE",
        /// Sex.
        Sex = "USER_FORM_INFO_FLAG_SEX",
        /// Name.
        Name = "USER_FORM_INFO_FLAG_NAME",
        /// Birthday.
        Birthday = "USER_FORM_INFO_FLAG_BIRTHDAY",
        /// Identity card number.
        IdCard = "USER_FORM_INFO_FLAG_IDCARD",
        /// E-mail address.
        Email = "USER_FORM_INFO_FLAG_EMAIL",
        /// Detailed address.
        Location = "USER_FORM_INFO_FLAG_LOCATION",
        /// Education. The wire string is truncated (`..._EDUCATION_BACKGRO`) in WeChat's own
        /// API, and is sent that way.
        EducationBackground = "USER_FORM_INFO_FLAG_EDUCATION_BACKGRO",
        /// Industry.
        Industry = "USER_FORM_INFO_FLAG_INDUSTRY",
        /// Income.
        Income = "USER_FORM_INFO_FLAG_INCOME",
        /// Hobbies.
        Habit = "USER_FORM_INFO_FLAG_HABIT",
    }
}

wire_enum! {
    /// The kind of a custom choice field of the activation form (`rich_field_list[].type`).
    pub enum FormFieldType {
        /// Single choice shown as radio buttons.
        Radio = "FORM_FIELD_RADIO",
        /// Single choice shown as a drop-down list.
        Select = "FORM_FIELD_SELECT",
        /// Multiple choice.
        CheckBox = "FORM_FIELD_CHECK_BOX",
    }
}

/// The optional parameters of `activate_membercard` (wechatpy's `**kwargs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberActivation {
    /// The card (required for custom-code cards).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_id: Option<String>,
    /// A background picture for this member's card (uploaded through WeChat's image API).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_pic_url: Option<String>,
    /// Start of validity of the membership (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activate_begin_time: Option<i64>,
    /// End of validity of the membership (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activate_end_time: Option<i64>,
    /// Initial points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_bonus: Option<i64>,
    /// Why the member starts with these points, shown to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_bonus_record: Option<String>,
    /// Initial balance, in fen (分).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_balance: Option<i64>,
    /// Initial value of custom field 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_custom_field_value1: Option<String>,
    /// Initial value of custom field 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_custom_field_value2: Option<String>,
    /// Initial value of custom field 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub init_custom_field_value3: Option<String>,
}

/// `card/membercard/activate`: activate a member card with its member number and initial
/// values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivateMemberCard {
    /// The optional values; sent before the required keys, as wechatpy orders them.
    #[serde(flatten)]
    pub activation: MemberActivation,
    /// The member number shown on the card.
    pub membership_number: String,
    /// The user's code.
    pub code: String,
}

// Not idempotent: once applied, a repeat may be refused for the now active card, which would
// hide the success.
operation!(ActivateMemberCard => Ack, "activate_membercard", "/card/membercard/activate", idempotent = false);

/// Which changes of a member update WeChat announces to the user in a template message.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyOptional {
    /// Announce a points change (WeChat's default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_notify_bonus: Option<bool>,
    /// Announce a balance change (WeChat's default: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_notify_balance: Option<bool>,
    /// Announce a change of custom field 1 (WeChat's default: false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_notify_custom_field1: Option<bool>,
    /// Announce a change of custom field 2 (WeChat's default: false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_notify_custom_field2: Option<bool>,
    /// Announce a change of custom field 3 (WeChat's default: false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_notify_custom_field3: Option<bool>,
}

/// The optional parameters of `update_membercard` (wechatpy's `**kwargs`).
///
/// Points and balance each take an absolute value (`bonus`, `balance`) and a delta
/// (`add_bonus`, `add_balance`), all optional and independent; unset ones are not sent.
/// **Send both to make a retried sync safe**: WeChat shows the delta in the user's change
/// record and sets the total to the absolute value, so a repeated request cannot count the
/// delta twice. With only the delta, a repeat adds it again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberUpdate {
    /// A new background picture for this member's card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_pic_url: Option<String>,
    /// The member's points after this change (absolute).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bonus: Option<i64>,
    /// The points change (negative to deduct).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_bonus: Option<i64>,
    /// Why the points changed, shown to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_bonus: Option<String>,
    /// The member's balance after this change, in fen (absolute).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balance: Option<i64>,
    /// The balance change, in fen (negative to deduct).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add_balance: Option<i64>,
    /// Why the balance changed, shown to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_balance: Option<String>,
    /// New value of custom field 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_value1: Option<String>,
    /// New value of custom field 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_value2: Option<String>,
    /// New value of custom field 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_field_value3: Option<String>,
    /// Which changes to announce to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_optional: Option<NotifyOptional>,
}

/// `card/membercard/updateuser`: change a member's points, balance or custom fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateMemberCard {
    /// The changes; sent before `code` and `card_id`, as wechatpy orders them.
    #[serde(flatten)]
    pub changes: MemberUpdate,
    /// The member's code.
    pub code: String,
    /// The card.
    pub card_id: String,
}

/// Answer of `card/membercard/updateuser`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberUpdated {
    /// The member's points after the change.
    #[serde(default)]
    pub result_bonus: Option<i64>,
    /// The member's balance after the change, in fen.
    #[serde(default)]
    pub result_balance: Option<i64>,
    /// The member.
    #[serde(default)]
    pub openid: Option<String>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

// Not idempotent: a delta (`add_bonus`, `add_balance`) applies again on every repeat.
operation!(UpdateMemberCard => MemberUpdated, "update_membercard", "/card/membercard/updateuser", idempotent = false);

/// `card/membercard/userinfo/get`: a member's data and form answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetMemberCardUserInfo {
    /// The card.
    pub card_id: String,
    /// The member's code.
    pub code: String,
}

/// A standard form field's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommonFieldValue {
    /// Which field.
    pub name: UserFormInfoFlag,
    /// The answer.
    #[serde(default)]
    pub value: Option<String>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A custom form field's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldValue {
    /// The field's label.
    pub name: String,
    /// A single answer.
    #[serde(default)]
    pub value: Option<String>,
    /// The chosen options of a choice field.
    #[serde(default)]
    pub value_list: Vec<String>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What a member entered in the activation form (`user_info` of `userinfo/get`, `info` of
/// `activatetempinfo/get`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemberFormValues {
    /// Answers to the standard fields.
    #[serde(default)]
    pub common_field_list: Vec<CommonFieldValue>,
    /// Answers to the custom fields.
    #[serde(default)]
    pub custom_field_list: Vec<CustomFieldValue>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Answer of `card/membercard/userinfo/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberCardUserInfo {
    /// The member.
    #[serde(default)]
    pub openid: Option<String>,
    /// The member's nickname.
    #[serde(default)]
    pub nickname: Option<String>,
    /// The member number.
    #[serde(default)]
    pub membership_number: Option<String>,
    /// Points.
    #[serde(default)]
    pub bonus: Option<i64>,
    /// Balance, in fen.
    #[serde(default)]
    pub balance: Option<i64>,
    /// `MALE`, `FEMALE` or `UNKNOWN`, as WeChat sends it.
    #[serde(default)]
    pub sex: Option<String>,
    /// The form answers.
    #[serde(default)]
    pub user_info: Option<MemberFormValues>,
    /// The state of the member's card.
    #[serde(default)]
    pub user_card_status: Option<UserCardStatus>,
    /// Whether the card is activated.
    #[serde(default)]
    pub has_active: Option<bool>,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(GetMemberCardUserInfo => MemberCardUserInfo, "get_membercard_user_info", "/card/membercard/userinfo/get", idempotent = true);

/// `card/membercard/activate/geturl`: the link to the activation component (开卡组件).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetActivateUrl {
    /// The card.
    pub card_id: String,
    /// A channel tag carried through the activation. Left out of the body when `None`, where
    /// wechatpy sends `"outer_str": null`: null carries nothing, and every other optional
    /// parameter is left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outer_str: Option<String>,
}

/// Answer of `card/membercard/activate/geturl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivateUrl {
    /// The activation link.
    pub url: String,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(GetActivateUrl => ActivateUrl, "get_activate_url", "/card/membercard/activate/geturl", idempotent = true);

/// `card/membercard/activatetempinfo/get`: what a user entered in the activation component.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetActivateTempInfo {
    /// The `activate_ticket` the component handed to the merchant's page.
    pub activate_ticket: String,
}

/// Answer of `card/membercard/activatetempinfo/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivateTempInfo {
    /// The form answers.
    pub info: MemberFormValues,
    /// Other fields, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

operation!(GetActivateTempInfo => ActivateTempInfo, "get_activate_info", "/card/membercard/activatetempinfo/get", idempotent = true);

/// A named link of the activation form (`service_statement`, `bind_old_card`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormLink {
    /// The link's text.
    pub name: String,
    /// Where it leads.
    pub url: String,
}

/// A custom choice field of the activation form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RichField {
    /// Radio buttons, drop-down list or check boxes.
    #[serde(rename = "type")]
    pub field_type: FormFieldType,
    /// The field's label.
    pub name: String,
    /// The options.
    pub values: Vec<String>,
}

/// One part of the activation form (`required_form` or `optional_form`). Empty lists are left
/// out of the body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserForm {
    /// Whether the member may change the answers later.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_modify: Option<bool>,
    /// Custom choice fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rich_field_list: Vec<RichField>,
    /// Standard fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub common_field_id_list: Vec<UserFormInfoFlag>,
    /// Custom text fields, by label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_field_list: Vec<String>,
}

/// The optional parameters of `set_activate_user_form` (wechatpy's `**kwargs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserFormSettings {
    /// A link to the membership terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_statement: Option<FormLink>,
    /// A link for existing members to bind their old card.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind_old_card: Option<FormLink>,
    /// Fields the member must fill in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_form: Option<UserForm>,
    /// Fields the member may fill in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional_form: Option<UserForm>,
}

/// `card/membercard/activateuserform/set`: the form of one-click activation (一键激活).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetActivateUserForm {
    /// The form; sent before `card_id`, as wechatpy orders them.
    #[serde(flatten)]
    pub form: UserFormSettings,
    /// The card.
    pub card_id: String,
}

operation!(SetActivateUserForm => Ack, "set_activate_user_form", "/card/membercard/activateuserform/set", idempotent = true);

impl CardClient {
    /// Activate a member card (`card/membercard/activate`) with its member number and the
    /// optional initial values. Not idempotent.
    pub async fn activate_membercard(
        &self,
        membership_number: &str,
        code: &str,
        activation: MemberActivation,
    ) -> Result<Ack> {
        self.execute(&ActivateMemberCard {
            activation,
            membership_number: membership_number.to_owned(),
            code: code.to_owned(),
        })
        .await
    }

    /// Change a member's points, balance or custom fields (`card/membercard/updateuser`).
    ///
    /// Not idempotent when it carries a delta. Set the absolute `bonus`/`balance` alongside
    /// `add_bonus`/`add_balance` to make a retried sync safe (see [`MemberUpdate`]).
    pub async fn update_membercard(
        &self,
        code: &str,
        card_id: &str,
        changes: MemberUpdate,
    ) -> Result<MemberUpdated> {
        self.execute(&UpdateMemberCard {
            changes,
            code: code.to_owned(),
            card_id: card_id.to_owned(),
        })
        .await
    }

    /// A member's data and form answers (`card/membercard/userinfo/get`).
    pub async fn get_membercard_user_info(
        &self,
        card_id: &str,
        code: &str,
    ) -> Result<MemberCardUserInfo> {
        self.execute(&GetMemberCardUserInfo {
            card_id: card_id.to_owned(),
            code: code.to_owned(),
        })
        .await
    }

    /// The activation-component link (`card/membercard/activate/geturl`); returns the `url`,
    /// as wechatpy does.
    ///
    /// Differs from wechatpy: `outer_str == None` is left out of the body, where wechatpy
    /// sends `"outer_str": null`.
    pub async fn get_activate_url(&self, card_id: &str, outer_str: Option<&str>) -> Result<String> {
        Ok(self
            .execute(&GetActivateUrl {
                card_id: card_id.to_owned(),
                outer_str: outer_str.map(str::to_owned),
            })
            .await?
            .url)
    }

    /// What a user entered in the activation component
    /// (`card/membercard/activatetempinfo/get`); returns the `info`, as wechatpy does.
    pub async fn get_activate_info(&self, activate_ticket: &str) -> Result<MemberFormValues> {
        Ok(self
            .execute(&GetActivateTempInfo {
                activate_ticket: activate_ticket.to_owned(),
            })
            .await?
            .info)
    }

    /// Set the one-click activation form (`card/membercard/activateuserform/set`). Standard
    /// fields are [`UserFormInfoFlag`] values, sent as WeChat's strings (wechatpy makes the
    /// caller pass the strings).
    pub async fn set_activate_user_form(
        &self,
        card_id: &str,
        form: UserFormSettings,
    ) -> Result<Ack> {
        self.execute(&SetActivateUserForm {
            form,
            card_id: card_id.to_owned(),
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_eleven_form_flags_round_trip() {
        let all = [
            UserFormInfoFlag::Mobile,
            UserFormInfoFlag::Sex,
            UserFormInfoFlag::Name,
            UserFormInfoFlag::Birthday,
            UserFormInfoFlag::IdCard,
            UserFormInfoFlag::Email,
            UserFormInfoFlag::Location,
            UserFormInfoFlag::EducationBackground,
            UserFormInfoFlag::Industry,
            UserFormInfoFlag::Income,
            UserFormInfoFlag::Habit,
        ];
        for flag in &all {
            assert!(flag.as_str().starts_with("USER_FORM_INFO_FLAG_"), "{flag}");
            assert_eq!(&UserFormInfoFlag::from_wire(flag.as_str()), flag);
        }
        assert_eq!(
            UserFormInfoFlag::EducationBackground.as_str(),
            "USER_FORM_INFO_FLAG_EDUCATION_BACKGRO"
        );
        let unknown: UserFormInfoFlag =
            serde_json::from_value(json!("USER_FORM_INFO_FLAG_NEW")).unwrap();
        assert_eq!(
            serde_json::to_value(&unknown).unwrap(),
            json!("USER_FORM_INFO_FLAG_NEW")
        );
    }

    #[test]
    fn f11_both_absolute_and_delta_are_sent_and_unset_ones_are_not() {
        let request = UpdateMemberCard {
            changes: MemberUpdate {
                add_bonus: Some(30),
                bonus: Some(3000),
                record_bonus: Some("消费30元，获得3积分".into()),
                ..MemberUpdate::default()
            },
            code: "111122223333".into(),
            card_id: "pFAKE1".into(),
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"code":"111122223333","card_id":"pFAKE1","add_bonus":30,"bonus":3000,"record_bonus":"消费30元，获得3积分"})
        );
        // Zero is a value, not "unset".
        let request = UpdateMemberCard {
            changes: MemberUpdate {
                balance: Some(0),
                ..MemberUpdate::default()
            },
            code: "C1".into(),
            card_id: "p".into(),
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({"balance": 0, "code": "C1", "card_id": "p"})
        );
    }
}
