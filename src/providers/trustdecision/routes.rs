//! Thin handlers: authenticate, check the body, ask the state, answer. The order of the
//! checks is documented in the README ("Order of checks").

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::codes::TdError;
use super::errors::Reply;
use super::scenario::{Country, Package, Partner, Subject, TrustDecisionScenario};
use super::state::{AccountPatch, MAX_RECORDED_BODY, TrustDecisionState, indicators};
use super::wire::{FIELDS, ID_TYPE, Indicator, MAX_TEXT, Query};
use crate::input::{Blank, FieldProblem, Text, json_object, url_pairs};
use crate::provider::{Ctx, Routes, sandbox_error};

/// The real path is not public: the bare prefix and every path below it serve the API.
pub fn routes(r: &mut Routes) {
    r.post("", query).post("/{tail:.*}", query);
}

pub fn admin(r: &mut Routes) {
    r.get("/partners", partners)
        .patch("/partners/{code}", patch_partner);
}

/// The phone rule of `country`: digits only, the right count, the right start.
fn phone_matches(country: &Country, phone: &str) -> bool {
    phone.len() == country.phone_digits
        && phone.bytes().all(|b| b.is_ascii_digit())
        && phone.starts_with(country.phone_prefix.as_str())
}

/// Query `partner_code` and `partner_key` against the scenario's partners.
fn authenticate<'a>(td: &'a TrustDecisionScenario, query: &str) -> Result<&'a Partner, TdError> {
    let pairs = url_pairs(query.as_bytes());
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| TdError::Empty(name.to_string()))
    };
    let code = get("partner_code")?;
    let key = get("partner_key")?;
    let partner = td
        .partners
        .iter()
        .find(|p| p.code == code)
        .ok_or_else(|| TdError::Invalid("partner_code".into()))?;
    if partner.key != key {
        return Err(TdError::Invalid("partner_key".into()));
    }
    Ok(partner)
}

/// A partner located in a country the sandbox does not serve: 9055 on every call.
fn located_unserved(td: &TrustDecisionScenario, partner: &Partner) -> bool {
    partner
        .country
        .as_ref()
        .is_some_and(|home| td.country(home).is_none())
}

/// A field's text, kept as sent (a padded `id_type` is an error): absent, `null` or
/// blank is `{field} empty` when required; another type or an over-long text is
/// `{field} error`.
fn text(obj: &Map<String, Value>, field: &str, required: bool) -> Result<Option<String>, TdError> {
    const RULES: Text = Text {
        max: MAX_TEXT,
        blank: Blank::WhiteSpace,
        trim: false,
    };
    match RULES.optional(obj, field) {
        Ok(None) if required => Err(TdError::Empty(field.into())),
        Ok(text) => Ok(text),
        Err(FieldProblem::Missing) => Err(TdError::Empty(field.into())),
        Err(FieldProblem::NotText | FieldProblem::TooLong(_)) => {
            Err(TdError::Invalid(field.into()))
        }
    }
}

fn required(obj: &Map<String, Value>, field: &str) -> Result<String, TdError> {
    text(obj, field, true)?.ok_or_else(|| TdError::Empty(field.into()))
}

/// The body as an object; a blank body is an empty one, so it asks for the first field.
fn body_object(body: &[u8]) -> Result<Map<String, Value>, TdError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match json_object(body) {
        Ok(Ok(obj)) => Ok(obj),
        _ => Err(TdError::Invalid("body".into())),
    }
}

/// The body's fields in the document's order; the first problem answers.
fn parse(td: &TrustDecisionScenario, body: &[u8]) -> Result<Query, TdError> {
    let obj = body_object(body)?;
    let id_number = required(&obj, "id_number")?;
    let id_type = required(&obj, "id_type")?;
    if id_type != ID_TYPE {
        return Err(TdError::Invalid("id_type".into()));
    }
    let country = required(&obj, "country")?;
    if td.country(&country).is_none() {
        return Err(TdError::Invalid("country".into()));
    }
    let name = required(&obj, "name")?;
    let phone_number = required(&obj, "phone_number")?;
    let package_name = required(&obj, "package_name")?;
    if td.package(&package_name).is_none() {
        return Err(TdError::Invalid("package_name".into()));
    }
    let app_name = text(&obj, "app_name", false)?;
    if !td.allow_unknown_fields
        && let Some(unknown) = obj.keys().find(|k| !FIELDS.contains(&k.as_str()))
    {
        return Err(TdError::Invalid(unknown.clone()));
    }
    Ok(Query {
        id_number,
        id_type,
        country,
        name,
        phone_number,
        package_name,
        app_name,
    })
}

/// What the partner may ask for: its countries, the country's packages and phone rule,
/// then its own packages.
fn check_offer<'a>(
    td: &'a TrustDecisionScenario,
    partner: &Partner,
    q: &Query,
) -> Result<&'a Package, TdError> {
    if !partner.countries.is_empty() && !partner.countries.contains(&q.country) {
        return Err(TdError::CountryNoService);
    }
    let country = td
        .country(&q.country)
        .ok_or_else(|| TdError::Invalid("country".into()))?;
    if !country.packages.contains(&q.package_name) {
        return Err(TdError::Invalid("package_name".into()));
    }
    if !phone_matches(country, &q.phone_number) {
        return Err(TdError::PhoneMismatch);
    }
    if partner
        .packages
        .as_ref()
        .is_some_and(|p| !p.contains(&q.package_name))
    {
        return Err(TdError::PackageNotPurchased);
    }
    td.package(&q.package_name)
        .ok_or_else(|| TdError::Invalid("package_name".into()))
}

/// The subject a request is about: by its `id_number`, or a shared person's INN or
/// identity document.
fn subject<'a>(ctx: &Ctx, td: &'a TrustDecisionScenario, id_number: &str) -> Option<&'a Subject> {
    let people = &ctx.world().people;
    td.subjects.iter().find(|s| {
        (!s.id_number.is_empty() && s.id_number == id_number)
            || s.person
                .as_deref()
                .and_then(|id| people.by_id(id))
                .is_some_and(|p| {
                    p.inn == id_number || p.id_document.eq_ignore_ascii_case(id_number)
                })
    })
}

/// Everything that needs no state, after authentication: the body, what the partner
/// may ask for, and a subject's forced result.
fn prepare(
    ctx: &Ctx,
    td: &TrustDecisionScenario,
    partner: &Partner,
    body: &[u8],
) -> Result<Vec<Indicator>, TdError> {
    if partner.packages.as_ref().is_some_and(Vec::is_empty) {
        // A partner without any package is "not purchased" before the body is read.
        return Err(TdError::NotEffective);
    }
    let q = parse(td, body)?;
    let package = check_offer(td, partner, &q)?;
    let subject = subject(ctx, td, &q.id_number);
    if let Some(err) = subject
        .and_then(|s| s.result.as_deref())
        .and_then(TdError::from_key)
    {
        return Err(err);
    }
    Ok(indicators(
        ctx.seed(),
        package,
        &q.id_number,
        &q.phone_number,
        subject,
    ))
}

/// A partner let past its credentials and location, with what its body asks for.
struct Admitted<'a> {
    code: &'a str,
    indicators: Result<Vec<Indicator>, TdError>,
}

/// A partner located in a country the sandbox does not serve answers 9055 before its
/// account or body is looked at.
fn admit<'a>(
    ctx: &Ctx,
    td: &TrustDecisionScenario,
    partner: &'a Partner,
    body: &[u8],
) -> Result<Admitted<'a>, TdError> {
    if located_unserved(td, partner) {
        return Err(TdError::CountryNoService);
    }
    Ok(Admitted {
        code: &partner.code,
        indicators: prepare(ctx, td, partner, body),
    })
}

/// Under the state's lock: the account's state answers before the body, and only a
/// success spends a call.
fn decide(
    s: &mut TrustDecisionState,
    admitted: Result<Admitted, TdError>,
    now: DateTime<Utc>,
) -> Result<Vec<Indicator>, TdError> {
    let Admitted { code, indicators } = admitted?;
    s.usable(code, now)?;
    let data = indicators?;
    s.spend(code)?;
    Ok(data)
}

/// What the record keeps of the request: the partner code (never the key) and the body.
fn recorded_request(partner_code: Option<&str>, body: &[u8]) -> Value {
    let body = if body.len() > MAX_RECORDED_BODY {
        Value::from(format!("[{} bytes, not kept]", body.len()))
    } else {
        serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(body).into_owned()))
    };
    serde_json::json!({ "partner_code": partner_code, "body": body })
}

/// Every call, served or refused, is answered here rather than through `?`: its answer
/// takes the next `sequence_id` and is recorded with the request, in the same lock
/// that spends the balance (`TrustDecisionState::answer`).
async fn query(ctx: Ctx, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let td = &*ctx.section::<TrustDecisionScenario>();
    let partner = authenticate(td, req.query_string());
    let partner_code = partner.as_ref().ok().map(|p| p.code.clone());
    let request = recorded_request(partner_code.as_deref(), &body);
    let admitted = partner.and_then(|p| admit(&ctx, td, p, &body));
    let (now, table) = (ctx.now(), ctx.codes(super::NAME));
    ctx.state(|s: &mut TrustDecisionState| {
        let reply = Reply::of(table, decide(s, admitted, now));
        s.answer(reply, now, partner_code, Some(request))
    })
    .send()
}

async fn partners(ctx: Ctx) -> HttpResponse {
    let now = ctx.now();
    let view = ctx.state(|s: &mut TrustDecisionState| s.partners(now));
    HttpResponse::Ok().json(serde_json::json!({ "partners": view }))
}

async fn patch_partner(ctx: Ctx, code: web::Path<String>, body: web::Bytes) -> HttpResponse {
    let patch: AccountPatch = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => return sandbox_error(StatusCode::BAD_REQUEST, "bad-body", &e.to_string(), None),
    };
    match ctx.state(|s: &mut TrustDecisionState| s.patch(&code, &patch)) {
        Some(account) => HttpResponse::Ok().json(account),
        None => sandbox_error(
            StatusCode::NOT_FOUND,
            "unknown-partner",
            &format!("no trustdecision partner `{code}` in this tenant"),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: Value, required: bool) -> Result<Option<String>, TdError> {
        let obj = serde_json::json!({ "f": value });
        text(obj.as_object().unwrap(), "f", required)
    }

    #[test]
    fn text_is_kept_as_given_and_blank_means_empty() {
        assert_eq!(read(" MX ".into(), true), Ok(Some(" MX ".into())));
        assert_eq!(read("  ".into(), true), Err(TdError::Empty("f".into())));
        assert_eq!(read("  ".into(), false), Ok(None));
        // Blank is empty before it is too long.
        assert_eq!(
            read(" ".repeat(201).into(), true),
            Err(TdError::Empty("f".into()))
        );
        assert_eq!(
            read("x".repeat(201).into(), true),
            Err(TdError::Invalid("f".into()))
        );
        assert_eq!(read(1.into(), false), Err(TdError::Invalid("f".into())));
    }
}
