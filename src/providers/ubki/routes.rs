//! Thin handlers: parse and check the body, ask the state, answer.

use std::borrow::Cow;

use actix_web::HttpResponse;

use super::auth;
use super::codes::UbkiError;
use super::scenario::{Account, UbkiScenario};
use super::state::{UbkiState, kyiv};
use super::wire::{self, BonusAnswer, Client, Partner, Service};
use crate::input::{Blank, FieldProblem, Inn, JsonField, Text, json_pick};
use crate::provider::writer::json_bytes;
use crate::provider::{Body, Ctx, Routes};
use crate::scenario::PersonRecord;

pub fn routes(r: &mut Routes) {
    r.post("/b2_api_xml/ubki/auth", auth::auth)
        .post("/bonusservice/discount", discount)
        .post("/bonusservice/free", free);
}

const MAX_TEXT: usize = 250;

/// A checked bonus-service request; its texts borrowed from the body.
struct BonusRequest<'a> {
    sessid: Cow<'a, str>,
    reptype: &'static str,
    inn: Cow<'a, str>,
    email: Cow<'a, str>,
    phone: Option<Cow<'a, str>>,
}

/// Every problem of the body at once, as UBKI lists them in `details`.
fn parse_bonus(body: &[u8], with_phone: bool) -> Result<BonusRequest<'_>, UbkiError> {
    let refuse = |problem: String| UbkiError::InvalidAttributes(vec![problem]);
    let sent = json_pick(body, &["sessid", "reptype", "inn", "email", "phone"])
        .map_err(|e| refuse(format!("body: not valid JSON: {e}")))?
        .map_err(|_| refuse("body: must be a JSON object".into()))?;
    let [sessid, reptype, inn, email, phone_sent] = sent.fields;
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
fn field<'a>(
    sent: Option<JsonField<'a>>,
    name: &str,
    max: usize,
    required: bool,
    problems: &mut Vec<String>,
) -> Option<Cow<'a, str>> {
    let rules = Text {
        max,
        blank: if required { Blank::Empty } else { Blank::Kept },
        trim: false,
    };
    let read = match rules.taken(sent) {
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

/// Session, then subject checks shared by both bonus endpoints. The partner is
/// borrowed: the key is the one sent (sessions are found by it exactly), the rest is
/// the scenario's account of the session's login.
fn check_subject<'a>(
    ctx: &Ctx,
    ubki: &'a UbkiScenario,
    req: &'a BonusRequest,
) -> Result<Partner<'a>, UbkiError> {
    let now = ctx.now();
    let account = ctx
        .state(|s: &mut UbkiState| s.session(&req.sessid, now).map(|s| ubki.account(&s.login)))
        .ok_or(UbkiError::InvalidSessionKey)?;
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
    let text =
        |pick: fn(&Account) -> &String| Cow::Borrowed(account.map_or("", |a| pick(a).as_str()));
    Ok(Partner {
        sessid: Cow::Borrowed(&req.sessid),
        userid: text(|a| &a.userid),
        bankid: text(|a| &a.bankid),
        bankokpo: text(|a| &a.bankokpo),
        bankname: text(|a| &a.bankname),
    })
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
pub(super) async fn discount(ctx: Ctx, body: Body) -> Result<HttpResponse, UbkiError> {
    let ctx = &ctx;
    let req = parse_bonus(&body, false)?;
    let ubki = ctx.section::<UbkiScenario>();
    let partner = check_subject(ctx, &ubki, &req)?;
    let now = ctx.now();
    let term = ubki
        .discount_term_days
        .get(req.reptype)
        .copied()
        .unwrap_or(7);
    // The subject's name is only needed for a discount not yet in the store.
    let subject = || match ctx.world().people.by_inn(&req.inn) {
        Some(p) => full_name(p),
        None => full_name(&PersonRecord::stranger(ctx.seed(), "inn", &req.inn)),
    };
    let (email, term_days, start, end) = ctx.state(|s: &mut UbkiState| {
        if s.status_control(&req.inn, now).is_some() {
            return Err(UbkiError::StatusControlActive);
        }
        s.discount(&req.inn, req.reptype, &req.email, subject, term, now)
            .map(|d| (d.email.clone(), d.term_days, d.start, d.end))
            .map_err(|_| UbkiError::SystemError("discount store is full".into()))
    })?;
    let client = Client {
        inn: Cow::Borrowed(&req.inn),
        email: Cow::Owned(email),
        phone: None,
    };
    let service = Service {
        discount_term: Some(term_days.to_string().into()),
        discount_start_date: Some(kyiv(start).into()),
        discount_end_date: Some(kyiv(end).into()),
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
    let ok = ctx.codes(super::NAME).by_key("ok");
    let code = ok.map_or("0", |e| e.code.as_str());
    let body = BonusAnswer {
        result_code: Cow::Borrowed(code),
        message: Cow::Borrowed(ok.map_or("", |e| e.message.as_str())),
        details: Vec::new(),
        partner: Some(partner),
        client: Some(client),
        service: Some(service),
    };
    json_bytes(200, body.to_json(), code)
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
pub(super) async fn free(ctx: Ctx, body: Body) -> Result<HttpResponse, UbkiError> {
    let ctx = &ctx;
    let req = parse_bonus(&body, true)?;
    let ubki = ctx.section::<UbkiScenario>();
    let partner = check_subject(ctx, &ubki, &req)?;
    let now = ctx.now();
    let bought = if matches!(req.reptype, "SKN" | "SKN_3") {
        let phone = req.phone.as_deref().unwrap_or_default();
        let sc = ctx.state(|s: &mut UbkiState| {
            if s.status_control(&req.inn, now).is_some() {
                return Err(UbkiError::StatusControlActive);
            }
            s.buy_status_control(&req.inn, req.reptype, phone, now)
                .map_err(|_| UbkiError::SystemError("StatusControl store is full".into()))
        })?;
        Some(sc)
    } else {
        None
    };
    let client = Client {
        inn: Cow::Borrowed(&req.inn),
        email: Cow::Borrowed(&req.email),
        phone: req.phone.as_deref().map(Cow::Borrowed),
    };
    let date = |t| Cow::Owned(kyiv(t));
    let service = Service {
        service_start_date: bought.as_ref().and_then(|b| b.start).map(date),
        service_end_date: bought.as_ref().and_then(|b| b.end).map(date),
        ..Service::priced(req.reptype, true)
    };
    Ok(bonus_ok(ctx, partner, client, service))
}
