//! SberSafe bodies exactly as on the wire (camelCase, `POST_ADRESS` as the provider spells it),
//! and their OpenAPI schemas: the answers are the types the handlers serialize; the
//! request bodies, which `request` reads field by field to list every problem at once,
//! are described by the `*Body` types below with the limits `request` enforces.

use serde::Serialize;
use utoipa::ToSchema;

/// A request's text field: at most this many characters (`request::TEXT`).
pub const TEXT_MAX: usize = 256;
/// At most this many contacts in `contacts` or `contactsExtra` (`request::MAX_CONTACTS`).
pub const MAX_CONTACTS: usize = 10;

/// The merchant API's one error body.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::ErrorBody, example = json!({
    "status": "FAIL", "errorCode": "MERCHANT_LOGIN_EMPTY",
    "errorMessage": "[merchantLogin] is empty.",
    "requestId": "gbhjnkme-rdcfgv-hbjnkm-7689ui-okp3ew"
}))]
pub struct ErrorBody {
    #[schema(pattern = "^FAIL$")]
    pub status: &'static str,
    pub error_code: String,
    pub error_message: String,
    /// What was wrong, several problems joined by `; `.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_detail: Option<String>,
    #[schema(pattern = "^[a-z0-9]{8}(-[a-z0-9]{6}){4}$")]
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::ClientRef)]
pub struct ClientRef {
    /// 32 upper-case hexadecimal characters.
    #[schema(example = "C2BC84C12AD6438DAA0D87517C7AE187")]
    pub uuid: String,
    /// Moscow time, `dd.MM.yyyy HH:mm:ss.SSS`.
    #[schema(example = "25.04.2023 14:43:41.000")]
    pub created_date: String,
}

/// A client as `find` answers it: with the contact it was found by, masked
/// (`maskedPhone` or `maskedEmail`); `create` gives neither.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::FoundClient)]
pub struct FoundClient {
    #[serde(flatten)]
    pub client: ClientRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "+7 (916) ***-**-67")]
    pub masked_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "c***@sandbox.test")]
    pub masked_email: Option<String>,
}

/// Answer of `find` and `create`; `client` is absent when nobody matches.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::FindAnswer)]
pub struct FindAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<FoundClient>,
    #[schema(pattern = "^[a-z0-9]{8}(-[a-z0-9]{6}){4}$")]
    pub request_id: String,
    #[schema(pattern = "^SUCCESS$")]
    pub status: &'static str,
}

/// The web forms' lookup when a client is found: no `requestId`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = sbersafe::WebFound)]
pub struct WebFound {
    pub client: FoundClient,
    #[schema(pattern = "^SUCCESS$")]
    pub status: &'static str,
}

/// The web forms' lookup when it fails: `{"error":{...}}` alone.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = sbersafe::WebErrorBody, example = json!({
    "error": { "code": "client.find.failed", "message": "Client not found." }
}))]
pub struct WebErrorBody {
    pub error: WebError,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = sbersafe::WebError)]
pub struct WebError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::OtpAnswer)]
pub struct OtpAnswer {
    /// The code the OTP was sent for, to give back to `/api/auth/token`.
    pub access_code: String,
    #[schema(pattern = "^[a-z0-9]{8}(-[a-z0-9]{6}){4}$")]
    pub request_id: String,
    #[schema(pattern = "^SUCCESS$")]
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::TokenAnswer)]
pub struct TokenAnswer {
    /// Sent as `Authorization: <accessToken>` to `/api/clients/`.
    pub access_token: String,
    #[schema(pattern = "^[a-z0-9]{8}(-[a-z0-9]{6}){4}$")]
    pub request_id: String,
    #[schema(pattern = "^SUCCESS$")]
    pub status: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::ContactOut)]
pub struct ContactOut {
    #[schema(value_type = ContactStatus)]
    pub contact_status: String,
    /// `MPHONE`, `EMAIL` or `POST_ADRESS`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Masked: `+7 *** ***-45-67`, `en@test.ru`; a postal address as given.
    pub value: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::Card)]
pub struct Card {
    /// The first six and the last four digits.
    #[schema(example = "5111111199")]
    pub masked_pan: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::Binding)]
pub struct BindingOut {
    pub uuid: String,
    pub created_date: String,
    pub mnemonic: String,
    #[schema(pattern = "^CARD$")]
    pub payment_type: String,
    /// `VISA`, `MASTERCARD` or `MIR`.
    pub payment_system: String,
    pub card: Card,
    pub extended_info: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::Permissions)]
pub struct Permissions {
    pub card_virtual: bool,
}

/// Answer of `/api/clients/`: exactly the blocks `responseType` asked for.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = sbersafe::ClientsAnswer)]
pub struct ClientsAnswer {
    pub client: ClientRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<ContactOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contacts_extra: Option<Vec<ContactOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bindings: Option<Vec<BindingOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
    #[schema(pattern = "^[a-z0-9]{8}(-[a-z0-9]{6}){4}$")]
    pub request_id: String,
    #[schema(pattern = "^SUCCESS$")]
    pub status: &'static str,
}

/// `POST /api/clients/find`: `phone` or `email` (or both: the phone is tried first).
#[allow(dead_code)] // a schema: `request::FindRequest` reads the body
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = sbersafe::FindBody, example = json!({
    "phone": "9161234567", "merchantLogin": "sandbox"
}))]
pub struct FindBody {
    /// A merchant of the scenario (`sbersafe.merchants`); blank is absent.
    #[schema(min_length = 1, max_length = 256)]
    pub merchant_login: String,
    /// 10 digits without the country's leading 7.
    #[schema(pattern = "^[0-9]{10}$")]
    pub phone: Option<String>,
    /// Compared lower-cased.
    #[schema(max_length = 256, pattern = "^[^@\\s]+@\\S*\\.\\S*$")]
    pub email: Option<String>,
}

/// The web forms' lookup: `phone` or `email`, in the query or in this form body.
#[allow(dead_code)] // a schema: `request::web_lookup` reads the parameters
#[derive(Serialize, ToSchema)]
#[schema(as = sbersafe::WebFindForm)]
pub struct WebFindForm {
    /// 10 digits without the country's leading 7.
    #[schema(pattern = "^[0-9]{10}$")]
    pub phone: Option<String>,
    #[schema(max_length = 256, pattern = "^[^@\\s]+@\\S*\\.\\S*$")]
    pub email: Option<String>,
}

/// `POST /api/auth/otp`: send a one-time password to the client.
#[allow(dead_code)] // a schema: `request::OtpRequest` reads the body
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = sbersafe::OtpBody, example = json!({
    "merchantLogin": "sandbox", "uuid": "C2BC84C12AD6438DAA0D87517C7AE187"
}))]
pub struct OtpBody {
    #[schema(min_length = 1, max_length = 256)]
    pub merchant_login: String,
    /// The client's uuid (case does not matter).
    #[schema(pattern = "^[0-9A-Fa-f]{32}$")]
    pub uuid: String,
}

/// `POST /api/auth/token`: the access code and the OTP the client received.
#[allow(dead_code)] // a schema: `request::TokenRequest` reads the body
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = sbersafe::TokenBody, example = json!({
    "accessCode": "A1B2C3", "otp": "000000"
}))]
pub struct TokenBody {
    #[schema(min_length = 1, max_length = 256)]
    pub access_code: String,
    #[schema(min_length = 1, max_length = 256)]
    pub otp: String,
}

/// `POST /api/clients/`: the blocks wanted, comma-separated.
#[allow(dead_code)] // a schema: `request::ClientsRequest` reads the body
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = sbersafe::ClientsBody, example = json!({
    "responseType": "contacts,contactsExtra,bindings,permissions"
}))]
pub struct ClientsBody {
    #[schema(
        pattern = "^ *(contacts|contactsExtra|bindings|permissions)( *, *(contacts|contactsExtra|bindings|permissions))* *$"
    )]
    pub response_type: String,
    /// The token's client, if given.
    #[schema(max_length = 256)]
    pub uuid: Option<String>,
    /// The token's merchant, if given.
    #[schema(max_length = 256)]
    pub merchant_login: Option<String>,
}

/// `POST /api/clients/create`: a new client; a repeated `transactionNumber` answers
/// the same client.
#[allow(dead_code)] // a schema: `request::CreateRequest` reads the body
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = sbersafe::CreateBody, example = json!({
    "transactionNumber": "42", "merchantLogin": "sandbox",
    "contacts": [{ "type": "MPHONE", "value": "9031234567" }],
    "contactsExtra": [{ "type": "POST_ADRESS", "value": "Moscow, Vavilova 19" }]
}))]
pub struct CreateBody {
    pub transaction_number: TransactionNumber,
    #[schema(min_length = 1, max_length = 256)]
    pub merchant_login: String,
    /// An MPHONE (10 digits) or EMAIL contact at least.
    #[schema(min_items = 1, max_items = 10)]
    pub contacts: Vec<ContactBody>,
    #[schema(max_items = 10)]
    pub contacts_extra: Option<Vec<ExtraContactBody>>,
}

/// A text or a number, taken as written.
#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = sbersafe::TransactionNumber)]
pub enum TransactionNumber {
    Text(String),
    Number(f64),
}

#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = sbersafe::Contact)]
pub struct ContactBody {
    #[serde(rename = "type")]
    pub kind: ContactType,
    /// MPHONE: 10 digits without the leading 7; EMAIL: an address.
    #[schema(min_length = 1, max_length = 256)]
    pub value: String,
    pub contact_status: Option<ContactStatus>,
}

#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(as = sbersafe::ExtraContact)]
pub struct ExtraContactBody {
    #[serde(rename = "type")]
    pub kind: ExtraType,
    #[schema(min_length = 1, max_length = 256)]
    pub value: String,
    pub contact_status: Option<ContactStatus>,
}

#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
#[schema(as = sbersafe::ContactType)]
pub enum ContactType {
    #[serde(rename = "MPHONE")]
    Mphone,
    #[serde(rename = "EMAIL")]
    Email,
}

/// As the provider spells it.
#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
#[schema(as = sbersafe::ExtraType)]
pub enum ExtraType {
    #[serde(rename = "POST_ADRESS")]
    PostAdress,
}

#[allow(dead_code)]
#[derive(Serialize, ToSchema)]
#[schema(as = sbersafe::ContactStatus)]
pub enum ContactStatus {
    #[serde(rename = "ACTIVE")]
    Active,
    #[serde(rename = "NOTACTIVE")]
    NotActive,
}

pub const RESPONSE_TYPES: [&str; 4] = ["contacts", "contactsExtra", "bindings", "permissions"];
pub const CONTACT_TYPES: [&str; 2] = ["MPHONE", "EMAIL"];
pub const EXTRA_TYPES: [&str; 1] = ["POST_ADRESS"];
pub const CONTACT_STATUSES: [&str; 2] = ["ACTIVE", "NOTACTIVE"];
pub const PAYMENT_SYSTEMS: [&str; 3] = ["VISA", "MASTERCARD", "MIR"];

/// An MPHONE value: 10 digits, without the country's leading 7.
pub fn is_phone(s: &str) -> bool {
    s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `+7 *** ***-45-67` for `9161234567`: only the last four digits show.
pub fn mask_phone(digits: &str) -> String {
    let tail = last_chars(digits, 4);
    let a = first_chars(tail, 2);
    let mut out = String::with_capacity(12 + tail.len());
    out.push_str("+7 *** ***-");
    out.push_str(a);
    out.push('-');
    out.push_str(&tail[a.len()..]);
    out
}

/// `en@test.ru` for `stephen@test.ru`: the last two characters of the local part and
/// the domain, as the document's example shows. A short local part still loses at least
/// its first character (`b@x.ru` for `ab@x.ru`), so no address ever comes back whole.
pub fn mask_email(email: &str) -> String {
    fn tail(local: &str) -> &str {
        let keep = local.chars().count().saturating_sub(1).min(2);
        last_chars(local, keep)
    }
    match email.rsplit_once('@') {
        Some((local, domain)) => [tail(local), "@", domain].concat(),
        None => tail(email).to_string(),
    }
}

/// The last `n` characters of `s` (all of it when shorter). The masks slice the text
/// rather than collect its characters: they ran on every contact of an answer.
fn last_chars(s: &str, n: usize) -> &str {
    let Some(back) = n.checked_sub(1) else {
        return "";
    };
    let start = s.char_indices().rev().nth(back).map_or(0, |(i, _)| i);
    &s[start..]
}

/// The first `n` characters of `s` (all of it when shorter).
fn first_chars(s: &str, n: usize) -> &str {
    let end = s.char_indices().nth(n).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

/// `+7 (916) ***-**-67` for `9161234567`, the `maskedPhone` of a find: the three digits
/// after the country code and the last two.
pub fn masked_phone(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    let code: String = chars.iter().take(3).collect();
    let tail: String = chars.iter().skip(chars.len().saturating_sub(2)).collect();
    format!("+7 ({code}) ***-**-{tail}")
}

/// `c***@sandbox.test` for `client@sandbox.test`, the `maskedEmail` of a find: the
/// first character of the local part, `***`, the domain. A one-character local part
/// is hidden whole (`***@x.ru`), so the address never comes back readable.
pub fn masked_email(email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    let first: String = match local.chars().count() {
        0 | 1 => String::new(),
        _ => local.chars().take(1).collect(),
    };
    format!("{first}***@{domain}")
}

/// `5111111199` for `5111111111111199`: the first six and the last four digits, as in
/// the document's example.
pub fn mask_pan(pan: &str) -> String {
    let digits = || pan.bytes().filter(u8::is_ascii_digit);
    let count = digits().count();
    let shown = |i: &usize| count <= 10 || *i < 6 || *i >= count - 4;
    let mut out = String::with_capacity(count.min(10));
    for (_, d) in digits().enumerate().filter(|(i, _)| shown(i)) {
        out.push(char::from(d));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_follow_the_document() {
        assert_eq!(mask_phone("9161234567"), "+7 *** ***-45-67");
        assert_eq!(mask_phone("123"), "+7 *** ***-12-3");
        assert_eq!(mask_phone(""), "+7 *** ***--");
        assert_eq!(mask_email("анна@пример.рф"), "на@пример.рф");
        assert_eq!(mask_email("ab"), "b");
        assert_eq!(mask_email("a"), "");
        assert_eq!(mask_pan("4276 3800 1234 5678"), "4276385678");
        assert_eq!(mask_pan("12-34"), "1234");
        assert_eq!(mask_pan("№ 5111111111111199"), "5111111199");
        assert_eq!(mask_email("stephen@test.ru"), "en@test.ru");
        assert_eq!(mask_email("abc@test.ru"), "bc@test.ru");
        assert_eq!(mask_email("ab@test.ru"), "b@test.ru");
        assert_eq!(mask_email("a@test.ru"), "@test.ru");
        assert_eq!(mask_email("ab"), "b");
        assert_eq!(mask_pan("5111111111111199"), "5111111199");
    }

    #[test]
    fn find_masks_show_the_area_code_and_the_first_letter() {
        assert_eq!(masked_phone("9161234567"), "+7 (916) ***-**-67");
        assert_eq!(masked_email("client@sandbox.test"), "c***@sandbox.test");
        assert_eq!(masked_email("ab@x.ru"), "a***@x.ru");
        assert_eq!(masked_email("a@x.ru"), "***@x.ru");
    }
}
