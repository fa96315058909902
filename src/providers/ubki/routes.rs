//! Thin handlers: parse and check the body, ask the state, answer.

use actix_web::{HttpResponse, web};

use super::auth;
use super::codes::UbkiError;
use super::scenario::{Account, UbkiScenario};
use super::state::{UbkiState, kyiv};
use super::wire::{self, BonusAnswer, Client, Partner, Service};
use crate::input::{Blank, FieldProblem, Inn, JsonField, Text, json_pick};
use crate::provider::writer::json_bytes;
use crate::provider::{Ctx, Routes};
use crate::scenario::PersonRecord;

pub fn routes(r: &mut Routes) {
    r.post("/b2_api_xml/ubki/auth", auth::auth)
        .post("/bonusservice/discount", discount)
        .post("/bonusservice/free", free);
}

const MAX_TEXT: usize = 250;

/// A checked bonus-service request.
struct BonusRequest {
    sessid: String,
    reptype: &'static str,
    inn: String,
    email: String,
    phone: Option<String>,
}

/// Every problem of the body at once, as UBKI lists them in `details`.
fn parse_bonus(body: &[u8], with_phone: bool) -> Result<BonusRequest, UbkiError> {
    let refuse = |problem: String| UbkiError::InvalidAttributes(vec![problem]);
    let sent = json_pick(body, &["sessid", "reptype", "inn", "email", "phone"])
        .map_err(|e| refuse(format!("body: not valid JSON: {e}")))?
        .map_err(|_| refuse("body: must be a JSON object".into()))?;
    let [sessid, reptype, inn, email, phone_sent] = sent.fields.each_ref().map(Option::as_ref);
    let mut problems = Vec::new();
    let sessid = field(sessid, "sessid", MAX_TEXT, true, &mut problems);
    let reptype_text = field(reptype, "reptype", 10, true, &mut problems);
    let reptype = reptype_text
        .as_deref()
        .and_then(|r| wire::reptype(r).map(|t| t.0));
    if reptype_text.is_some() && reptype.is_none() {
        problems.push("reptype: must be one of ALB, BLC, SKN, SKN_3".into());
    }
    let inn = field(inn, "inn", 10, true, &mut problems);
    if let Some(inn) = &inn
        && Inn::parse(inn).is_none()
    {
        problems.push("inn: must be exactly 10 digits".into());
    }
    let email = field(email, "email", MAX_TEXT, false, &mut problems).unwrap_or_default();
    if !email.is_empty() && !looks_like_email(&email) {
        problems.push("email: not an email address".into());
    }
    let mut phone = None;
    if with_phone {
        let needs_phone = matches!(reptype, Some("SKN" | "SKN_3"));
        phone = field(phone_sent, "phone", 13, needs_phone, &mut problems);
        if let Some(p) = &phone
            && !is_ua_phone(p)
        {
            problems.push("phone: must be +380 and 9 digits".into());
        }
    }
    match (sessid, reptype, inn) {
        (Some(sessid), Some(reptype), Some(inn)) if problems.is_empty() => Ok(BonusRequest {
            sessid,
            reptype,
            inn,
            email,
            phone,
        }),
        _ => Err(UbkiError::InvalidAttributes(problems)),
    }
}

/// A text field; a problem is listed and the field is `None`. A required field may
/// not be `""`; an optional one may.
fn field(
    sent: Option<&JsonField<'_>>,
    name: &str,
    max: usize,
    required: bool,
    problems: &mut Vec<String>,
) -> Option<String> {
    let rules = Text {
        max,
        blank: if required { Blank::Empty } else { Blank::Kept },
        trim: false,
    };
    let read = match rules.picked(sent) {
        Ok(None) if required => Err(FieldProblem::Missing),
        read => read,
    };
    read.unwrap_or_else(|p| {
        problems.push(p.describe(name));
        None
    })
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn is_ua_phone(s: &str) -> bool {
    s.len() == 13 && s.starts_with("+380") && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Session, then subject checks shared by both bonus endpoints.
/// Only the session's login and key leave the state: the rest is not cloned.
fn check_subject(ctx: &Ctx, req: &BonusRequest) -> Result<Partner, UbkiError> {
    let now = ctx.now();
    let (sessid, login) = ctx
        .state(|s: &mut UbkiState| {
            s.session(&req.sessid, now)
                .map(|s| (s.sessid.clone(), s.login.clone()))
        })
        .ok_or(UbkiError::InvalidSessionKey)?;
    let ubki = ctx.section::<UbkiScenario>();
    let subject = ubki.subjects.iter().find(|s| s.inn == req.inn);
    if let Some(err) = subject
        .and_then(|s| s.result.as_deref())
        .and_then(UbkiError::from_key)
    {
        return Err(err);
    }
    if subject.is_some_and(|s| s.absent) {
        return Err(UbkiError::SubjectAbsent);
    }
    if ubki.strict_subjects && subject.is_none() && ctx.world().people.by_inn(&req.inn).is_none() {
        return Err(UbkiError::SubjectAbsent);
    }
    let none = Account::default();
    let account = ubki.account(&login).unwrap_or(&none);
    Ok(Partner {
        sessid,
        userid: account.userid.clone(),
        bankid: account.bankid.clone(),
        bankokpo: account.bankokpo.clone(),
        bankname: account.bankname.clone(),
    })
}

fn ok_message(ctx: &Ctx) -> (String, String) {
    ctx.codes(super::NAME)
        .by_key("ok")
        .map(|e| (e.code.clone(), e.message.clone()))
        .unwrap_or_else(|| ("0".into(), String::new()))
}

#[utoipa::path(
    post,
    path = "/bonusservice/discount",
    description = "A discount on a service for a subject. Takes the session key of the authorization API as the body member `sessid` (scheme `ubki_session`).",
    request_body = crate::providers::ubki::openapi::DiscountRequest,
    responses(
        (status = 200, description = "`result_code` `0` with partner, client and service, or an error code with `details`.", body = BonusAnswer),
    )
)]
pub(super) async fn discount(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, UbkiError> {
    let ctx = &ctx;
    let req = parse_bonus(&body, false)?;
    let partner = check_subject(ctx, &req)?;
    let now = ctx.now();
    let term = ctx
        .section::<UbkiScenario>()
        .discount_term_days
        .get(req.reptype)
        .copied()
        .unwrap_or(7);
    let subject = match ctx.world().people.by_inn(&req.inn) {
        Some(p) => full_name(p),
        None => full_name(&PersonRecord::stranger(ctx.seed(), "inn", &req.inn)),
    };
    let discount = ctx.state(|s: &mut UbkiState| {
        if s.status_control(&req.inn, now).is_some() {
            return Err(UbkiError::StatusControlActive);
        }
        s.discount(&req.inn, req.reptype, &req.email, &subject, term, now)
            .map_err(|_| UbkiError::SystemError("discount store is full".into()))
    })?;
    let client = Client {
        inn: req.inn,
        email: discount.email.clone(),
        phone: None,
    };
    let service = Service {
        discount_term: Some(discount.term_days.to_string()),
        discount_start_date: Some(kyiv(discount.start)),
        discount_end_date: Some(kyiv(discount.end)),
        ..Service::priced(req.reptype, false)
    };
    Ok(bonus_ok(ctx, partner, client, service))
}

/// `last first middle`, as the discount store keeps its subject.
fn full_name(p: &PersonRecord) -> String {
    format!("{} {} {}", p.last_name, p.first_name, p.middle_name)
}

/// The bonus service's success answer.
fn bonus_ok(ctx: &Ctx, partner: Partner, client: Client, service: Service) -> HttpResponse {
    let (code, message) = ok_message(ctx);
    let body = BonusAnswer {
        result_code: code.clone(),
        message,
        details: Vec::new(),
        partner: Some(partner),
        client: Some(client),
        service: Some(service),
    };
    json_bytes(200, body.to_json(), &code)
}

#[utoipa::path(
    post,
    path = "/bonusservice/free",
    description = "A service paid by the partner (sold at 0); SKN and SKN_3 start a StatusControl. Takes the session key of the authorization API as the body member `sessid` (scheme `ubki_session`).",
    request_body = crate::providers::ubki::openapi::FreeRequest,
    responses(
        (status = 200, description = "`result_code` `0` with partner, client and service, or an error code with `details`.", body = BonusAnswer),
    )
)]
pub(super) async fn free(ctx: Ctx, body: web::Bytes) -> Result<HttpResponse, UbkiError> {
    let ctx = &ctx;
    let req = parse_bonus(&body, true)?;
    let partner = check_subject(ctx, &req)?;
    let now = ctx.now();
    let bought = if matches!(req.reptype, "SKN" | "SKN_3") {
        let phone = req.phone.clone().unwrap_or_default();
        let sc = ctx.state(|s: &mut UbkiState| {
            if s.status_control(&req.inn, now).is_some() {
                return Err(UbkiError::StatusControlActive);
            }
            s.buy_status_control(&req.inn, req.reptype, &phone, now)
                .map_err(|_| UbkiError::SystemError("StatusControl store is full".into()))
        })?;
        Some(sc)
    } else {
        None
    };
    let client = Client {
        inn: req.inn,
        email: req.email,
        phone: req.phone,
    };
    let service = Service {
        service_start_date: bought.as_ref().and_then(|b| b.start).map(kyiv),
        service_end_date: bought.as_ref().and_then(|b| b.end).map(kyiv),
        ..Service::priced(req.reptype, true)
    };
    Ok(bonus_ok(ctx, partner, client, service))
}
