//! SberSafe bodies exactly as on the wire (camelCase, `POST_ADRESS` as the provider spells it).

use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub status: &'static str,
    pub error_code: String,
    pub error_message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_detail: Option<String>,
    pub request_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientRef {
    pub uuid: String,
    pub created_date: String,
}

/// A client as `find` answers it: with the contact it was found by, masked
/// (`maskedPhone` or `maskedEmail`); `create` gives neither.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FoundClient {
    #[serde(flatten)]
    pub client: ClientRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_email: Option<String>,
}

/// Answer of `find` and `create`; `client` is absent when nobody matches.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<FoundClient>,
    pub request_id: String,
    pub status: &'static str,
}

/// The web forms' lookup when a client is found: no `requestId`.
#[derive(Debug, Serialize)]
pub struct WebFound {
    pub client: FoundClient,
    pub status: &'static str,
}

/// The web forms' lookup when it fails: `{"error":{...}}` alone.
#[derive(Debug, Serialize)]
pub struct WebErrorBody {
    pub error: WebError,
}

#[derive(Debug, Serialize)]
pub struct WebError {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtpAnswer {
    pub access_code: String,
    pub request_id: String,
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenAnswer {
    pub access_token: String,
    pub request_id: String,
    pub status: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactOut {
    pub contact_status: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub masked_pan: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingOut {
    pub uuid: String,
    pub created_date: String,
    pub mnemonic: String,
    pub payment_type: String,
    pub payment_system: String,
    pub card: Card,
    pub extended_info: bool,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    pub card_virtual: bool,
}

/// Answer of `/api/clients/`: exactly the blocks `responseType` asked for.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
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
    pub request_id: String,
    pub status: &'static str,
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
    let chars: Vec<char> = digits.chars().collect();
    let tail = chars.len().saturating_sub(4);
    let a: String = chars.iter().skip(tail).take(2).collect();
    let b: String = chars.iter().skip(tail + 2).collect();
    format!("+7 *** ***-{a}-{b}")
}

/// `en@test.ru` for `stephen@test.ru`: the last two characters of the local part and
/// the domain, as the document's example shows. A short local part still loses at least
/// its first character (`b@x.ru` for `ab@x.ru`), so no address ever comes back whole.
pub fn mask_email(email: &str) -> String {
    fn tail(local: &str) -> String {
        let len = local.chars().count();
        let keep = len.saturating_sub(1).min(2);
        local.chars().skip(len - keep).collect()
    }
    match email.rsplit_once('@') {
        Some((local, domain)) => format!("{}@{domain}", tail(local)),
        None => tail(email),
    }
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
    let digits: Vec<char> = pan.chars().filter(char::is_ascii_digit).collect();
    if digits.len() <= 10 {
        return digits.into_iter().collect();
    }
    let tail = digits.len().saturating_sub(4);
    digits
        .iter()
        .take(6)
        .chain(digits.iter().skip(tail))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_follow_the_document() {
        assert_eq!(mask_phone("9161234567"), "+7 *** ***-45-67");
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
