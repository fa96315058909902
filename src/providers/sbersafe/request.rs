//! Requests parsed and checked before a handler acts: each body becomes a typed request,
//! or the code that refuses it. Every field problem of a body is answered at once, as
//! one INVALID_REQUEST; what needs the scenario (merchants, magic values) is the
//! handler's.

use actix_web::HttpRequest;
use serde_json::{Map, Value};

use super::codes::SberError;
use super::state::Contact;
use super::wire::{self, is_phone};
use crate::input::{Blank, Text, header, header_text, json_object, url_pairs};

use wire::MAX_CONTACTS;
const CONTACT_FIELDS: [&str; 3] = ["type", "value", "contactStatus"];

/// Text fields: surrounding blanks dropped, a blank one is as good as absent.
const TEXT: Text = Text {
    max: wire::TEXT_MAX,
    blank: Blank::WhiteSpace,
    trim: true,
};

/// A text field; a problem is listed and the field is `None`.
fn text(obj: &Map<String, Value>, field: &str, problems: &mut Vec<String>) -> Option<String> {
    TEXT.optional(obj, field).unwrap_or_else(|p| {
        problems.push(p.describe(field));
        None
    })
}

/// A JSON object body and the problems found in it so far.
struct Body {
    obj: Map<String, Value>,
    problems: Vec<String>,
}

impl Body {
    /// The body as a JSON object; a field not in `allowed` is a problem.
    fn parse(body: &[u8], allowed: &[&str]) -> Result<Self, SberError> {
        let obj = json_object(body)
            .map_err(|e| SberError::MalformedJson(format!("body: not valid JSON: {e}")))?
            .map_err(|_| SberError::MalformedJson("body: must be a JSON object".into()))?;
        let problems = obj
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .map(|k| {
                format!(
                    "{k}: unknown field (expected one of {})",
                    allowed.join(", ")
                )
            })
            .collect();
        Ok(Self { obj, problems })
    }

    fn text(&mut self, field: &str) -> Option<String> {
        text(&self.obj, field, &mut self.problems)
    }

    /// Lists `problem` when `bad` holds for the field's value.
    fn refuse_if(&mut self, value: &Option<String>, bad: fn(&str) -> bool, problem: &str) {
        if value.as_deref().is_some_and(bad) {
            self.problems.push(problem.to_string());
        }
    }

    fn require(&mut self, value: &Option<String>, field: &str) {
        if value.is_none() {
            self.problems.push(format!("{field}: required"));
        }
    }

    /// `Ok` when no problem was found.
    fn check(self) -> Result<(), SberError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(SberError::InvalidRequest(self.problems))
        }
    }
}

/// A field read after the merchant is checked (see `routes::otp`): when absent, it is
/// an INVALID_REQUEST of its own.
pub fn required(value: Option<String>, field: &str) -> Result<String, SberError> {
    value.ok_or_else(|| SberError::InvalidRequest(vec![format!("{field}: required")]))
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty() && domain.contains('.') && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `/api/clients/find`: a phone or an email (lower-cased) of the client sought.
pub struct FindRequest {
    pub merchant: Option<String>,
    pub lookup: Lookup,
}

/// The phone or email a find looks for; both may be given (the phone is tried first).
pub struct Lookup {
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl Lookup {
    /// Checks the phone and the email (lower-cased), adding what is wrong to `problems`.
    fn checked(phone: Option<String>, email: Option<String>, problems: &mut Vec<String>) -> Self {
        if phone.as_deref().is_some_and(|p| !is_phone(p)) {
            problems.push("phone: must be 10 digits without the leading 7".into());
        }
        let email = email.map(|e| e.to_lowercase());
        if email.as_deref().is_some_and(|e| !is_email(e)) {
            problems.push("email: not an email address".into());
        }
        Self { phone, email }
    }

    pub fn is_empty(&self) -> bool {
        self.phone.is_none() && self.email.is_none()
    }

    /// The values a scenario may list as system errors.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.phone.iter().chain(&self.email).map(String::as_str)
    }
}

impl FindRequest {
    pub fn parse(body: &[u8]) -> Result<Self, SberError> {
        let mut body = Body::parse(body, &["phone", "email", "merchantLogin"])?;
        let merchant = body.text("merchantLogin");
        let phone = body.text("phone");
        let email = body.text("email");
        let lookup = Lookup::checked(phone, email, &mut body.problems);
        body.check()?;
        Ok(Self { merchant, lookup })
    }
}

/// `/client/find` of the web forms: `phone` or `email` in the query or in a form body,
/// read as a servlet reads parameters: the query first, then the body; the first value
/// of a name wins; other names are ignored. A body is read when its `Content-Type` is
/// `application/x-www-form-urlencoded` or absent, and ignored otherwise.
pub fn web_lookup(req: &HttpRequest, body: &[u8]) -> Result<Lookup, SberError> {
    let mut pairs = url_pairs(req.query_string().as_bytes());
    let form = header(req, "content-type").is_none_or(|t| {
        let mime = t.split(';').next().unwrap_or_default().trim();
        mime.eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if form {
        pairs.extend(url_pairs(body));
    }
    let mut problems = Vec::new();
    let mut param = |name: &str| {
        let first = pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        TEXT.value(first).unwrap_or_else(|p| {
            problems.push(p.describe(name));
            None
        })
    };
    let (phone, email) = (param("phone"), param("email"));
    let lookup = Lookup::checked(phone, email, &mut problems);
    if !problems.is_empty() {
        return Err(SberError::FindInvalid(problems));
    }
    if lookup.is_empty() {
        return Err(SberError::FindEmpty(
            "send `phone` or `email` in the query or in an application/x-www-form-urlencoded body"
                .into(),
        ));
    }
    Ok(lookup)
}

/// `/api/auth/otp`: the client (upper-case uuid) to send an OTP to.
pub struct OtpRequest {
    pub merchant: Option<String>,
    pub uuid: Option<String>,
}

impl OtpRequest {
    pub fn parse(body: &[u8]) -> Result<Self, SberError> {
        let mut body = Body::parse(body, &["merchantLogin", "uuid"])?;
        let merchant = body.text("merchantLogin");
        let uuid = body.text("uuid");
        body.refuse_if(
            &uuid,
            |u| !is_uuid(u),
            "uuid: must be 32 hexadecimal characters",
        );
        body.check()?;
        Ok(Self {
            merchant,
            uuid: uuid.map(|u| u.to_ascii_uppercase()),
        })
    }
}

/// `/api/auth/token`: an access code and the OTP sent for it.
pub struct TokenRequest {
    pub code: String,
    pub otp: String,
}

impl TokenRequest {
    pub fn parse(body: &[u8]) -> Result<Self, SberError> {
        let mut body = Body::parse(body, &["accessCode", "otp"])?;
        let code = body.text("accessCode");
        let otp = body.text("otp");
        body.require(&code, "accessCode");
        body.require(&otp, "otp");
        body.check()?;
        Ok(Self {
            code: code.unwrap_or_default(),
            otp: otp.unwrap_or_default(),
        })
    }
}

/// `/api/clients/`: the blocks asked for (in `wire::RESPONSE_TYPES` order), and the
/// client and merchant the caller believes the token is for.
pub struct ClientsRequest {
    pub blocks: [bool; 4],
    pub uuid: Option<String>,
    pub merchant: Option<String>,
}

impl ClientsRequest {
    pub fn parse(body: &[u8]) -> Result<Self, SberError> {
        let mut body = Body::parse(body, &["responseType", "uuid", "merchantLogin"])?;
        let response_type = body.text("responseType");
        let uuid = body.text("uuid");
        let merchant = body.text("merchantLogin");
        body.check()?;
        Ok(Self {
            blocks: blocks(response_type)?,
            uuid,
            merchant,
        })
    }
}

/// `contacts,bindings` as the blocks it names; an unknown name refuses it all.
fn blocks(response_type: Option<String>) -> Result<[bool; 4], SberError> {
    let Some(response_type) = response_type else {
        return Err(SberError::ResponseTypeInvalid(
            "responseType is empty".into(),
        ));
    };
    let mut wanted = [false; 4];
    for part in response_type.split(',').map(str::trim) {
        let slot = wire::RESPONSE_TYPES
            .iter()
            .position(|t| *t == part)
            .and_then(|i| wanted.get_mut(i))
            .ok_or_else(|| {
                SberError::ResponseTypeInvalid(format!(
                    "`{part}` is not one of {}",
                    wire::RESPONSE_TYPES.join(", ")
                ))
            })?;
        *slot = true;
    }
    Ok(wanted)
}

/// `/api/clients/create`: a new client's contacts, under a transaction number that
/// makes a repeated create answer the same client.
pub struct CreateRequest {
    pub merchant: Option<String>,
    pub transaction: Option<String>,
    pub contacts: Vec<Contact>,
    pub extra: Vec<Contact>,
}

impl CreateRequest {
    pub fn parse(body: &[u8]) -> Result<Self, SberError> {
        let allowed = [
            "transactionNumber",
            "merchantLogin",
            "contacts",
            "contactsExtra",
        ];
        let mut body = Body::parse(body, &allowed)?;
        // A number is taken as written: merchants send both.
        let transaction = match body.obj.get("transactionNumber") {
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => body.text("transactionNumber"),
        };
        let merchant = body.text("merchantLogin");
        let contacts = body.contact_list("contacts", &wire::CONTACT_TYPES);
        let extra = body.contact_list("contactsExtra", &wire::EXTRA_TYPES);
        body.check()?;
        Ok(Self {
            merchant,
            transaction,
            contacts,
            extra,
        })
    }
}

impl Body {
    /// `[{type, value, contactStatus?}]` whose types are among `types`; a contact with
    /// a problem is left out and its problems listed.
    fn contact_list(&mut self, field: &str, types: &[&str]) -> Vec<Contact> {
        let items = match self.obj.get(field) {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) if items.len() > MAX_CONTACTS => {
                let problem = format!("{field}: at most {MAX_CONTACTS} items");
                self.problems.push(problem);
                return Vec::new();
            }
            Some(Value::Array(items)) => items,
            Some(_) => {
                self.problems.push(format!("{field}: must be an array"));
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match contact(item, &format!("{field}[{i}]"), types) {
                Ok(c) => out.push(c),
                Err(problems) => self.problems.extend(problems),
            }
        }
        out
    }
}

/// One contact at `at` (`contacts[0]`), or all that is wrong with it.
fn contact(item: &Value, at: &str, types: &[&str]) -> Result<Contact, Vec<String>> {
    let Some(o) = item.as_object() else {
        return Err(vec![format!("{at}: must be an object")]);
    };
    let mut problems: Vec<String> = o
        .keys()
        .filter(|k| !CONTACT_FIELDS.contains(&k.as_str()))
        .map(|k| format!("{at}.{k}: unknown field"))
        .collect();
    let mut typed = Vec::new();
    let kind = text(o, "type", &mut typed);
    let value = text(o, "value", &mut typed);
    let status = text(o, "contactStatus", &mut typed).unwrap_or_else(|| "ACTIVE".into());
    problems.extend(typed.into_iter().map(|p| format!("{at}.{p}")));
    if !wire::CONTACT_STATUSES.contains(&status.as_str()) {
        problems.push(format!("{at}.contactStatus: ACTIVE or NOTACTIVE"));
    }
    let (kind, value) = match (kind, value) {
        (Some(kind), Some(value)) => (kind, value),
        _ => {
            problems.push(format!("{at}: `type` and `value` are required"));
            return Err(problems);
        }
    };
    problems.extend(kind_problem(&kind, &value, at, types));
    if !problems.is_empty() {
        return Err(problems);
    }
    let value = if kind == "EMAIL" {
        value.to_lowercase()
    } else {
        value
    };
    Ok(Contact {
        kind,
        value,
        status,
    })
}

/// What is wrong with a contact's type, or with its value for that type.
fn kind_problem(kind: &str, value: &str, at: &str, types: &[&str]) -> Option<String> {
    if !types.contains(&kind) {
        return Some(format!(
            "{at}.type: `{kind}` is not one of {}",
            types.join(", ")
        ));
    }
    match kind {
        "MPHONE" if !is_phone(value) => {
            Some(format!("{at}.value: 10 digits without the leading 7"))
        }
        "EMAIL" if !is_email(value) => Some(format!("{at}.value: not an email address")),
        _ => None,
    }
}

/// The token of `Authorization: <accessToken>`; SberSafe takes it bare, without `Bearer`.
pub fn authorization(req: &HttpRequest) -> Result<String, SberError> {
    let token = header_text(req, "authorization")
        .map_err(|_| SberError::TokenInvalid("Authorization is not ASCII".into()))?
        .ok_or(SberError::TokenMissing)?;
    if token
        .get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
    {
        return Err(SberError::TokenInvalid(
            "send the token as `Authorization: <accessToken>`, without `Bearer`".into(),
        ));
    }
    Ok(token.to_string())
}

/// `Accept` of `/api/clients/`: absent or empty is fine unless `strict`
/// (`require_accept`), which wants `application/json; version=1.0` spelled out.
pub fn check_accept(req: &HttpRequest, strict: bool) -> Result<(), SberError> {
    // A value that is not text is refused, not taken for an absent header.
    let accept = header_text(req, "accept").map_or("?", Option::unwrap_or_default);
    if strict && !accepts_json_v1_exactly(accept) {
        return Err(SberError::NotAcceptable(
            "send `Accept: application/json; version=1.0`".into(),
        ));
    }
    if accept.is_empty() || accepts_json_v1(accept) {
        return Ok(());
    }
    Err(SberError::NotAcceptable(
        "only `application/json; version=1.0` is served".into(),
    ))
}

/// Whether `Accept` admits `application/json; version=1.0`.
fn accepts_json_v1(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let version = parts.find_map(|p| {
            let (k, v) = p.split_once('=')?;
            (k.trim().eq_ignore_ascii_case("version"))
                .then(|| v.trim().trim_matches('"').to_string())
        });
        matches!(mime.as_str(), "application/json" | "application/*" | "*/*")
            && version.is_none_or(|v| v == "1.0" || v == "1")
    })
}

/// Whether `Accept` names `application/json` with `version=1.0` itself (strict mode).
fn accepts_json_v1_exactly(accept: &str) -> bool {
    accept.split(',').any(|range| {
        let mut parts = range.split(';');
        let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        mime == "application/json"
            && parts.any(|p| {
                p.split_once('=').is_some_and(|(k, v)| {
                    k.trim().eq_ignore_ascii_case("version") && v.trim().trim_matches('"') == "1.0"
                })
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header_forms() {
        assert!(accepts_json_v1("application/json; version=1.0"));
        assert!(accepts_json_v1("application/json"));
        assert!(accepts_json_v1("*/*"));
        assert!(accepts_json_v1("text/html, application/json;version=1.0"));
        assert!(!accepts_json_v1("application/xml"));
        assert!(!accepts_json_v1("application/json; version=2.0"));
        assert!(accepts_json_v1_exactly("application/json; version=1.0"));
        assert!(!accepts_json_v1_exactly("*/*"));
        assert!(!accepts_json_v1_exactly("application/json"));
    }

    fn with_accept(accept: &str) -> HttpRequest {
        actix_web::test::TestRequest::default()
            .insert_header((actix_web::http::header::ACCEPT, accept))
            .to_http_request()
    }

    #[test]
    fn strict_accept_wants_the_version_spelled_out_and_lenient_takes_none() {
        let none = actix_web::test::TestRequest::default().to_http_request();

        assert!(check_accept(&none, false).is_ok());
        assert!(check_accept(&none, true).is_err());
        assert!(check_accept(&with_accept("*/*"), false).is_ok());
        assert!(check_accept(&with_accept("*/*"), true).is_err());
        assert!(check_accept(&with_accept("application/json; version=1.0"), true).is_ok());
    }

    #[test]
    fn a_contact_lists_all_its_problems_and_is_left_out() {
        let item =
            serde_json::json!({ "type": "FAX", "value": "1", "contactStatus": "NO", "k": 1 });

        let problems = contact(&item, "contacts[0]", &wire::CONTACT_TYPES).unwrap_err();

        assert_eq!(
            problems,
            [
                "contacts[0].k: unknown field",
                "contacts[0].contactStatus: ACTIVE or NOTACTIVE",
                "contacts[0].type: `FAX` is not one of MPHONE, EMAIL",
            ]
        );
    }

    #[test]
    fn an_email_contact_is_kept_trimmed_and_lower_cased() {
        let item = serde_json::json!({ "type": "EMAIL", "value": " New@X.Ru " });

        let kept = contact(&item, "contacts[0]", &wire::CONTACT_TYPES).unwrap();

        assert_eq!(
            (kept.value.as_str(), kept.status.as_str()),
            ("new@x.ru", "ACTIVE")
        );
    }
}
