//! Thin handlers: authenticate, check the body, ask the state, answer. The order of the
//! checks is documented in the README ("Order of checks").

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::{DateTime, Utc};
use std::borrow::Cow;

use super::body::Fields;
use super::codes::TdError;
use super::errors::Reply;
use super::record;
use super::scenario::{Country, Package, Partner, Subject, TrustDecisionScenario};
use super::state::{AccountPatch, TrustDecisionState, indicators};
use super::wire::{FIELDS, ID_TYPE, Indicator, MAX_TEXT};
use crate::input::{JsonField, url_pairs};
use crate::provider::{Body, Ctx, Routes, sandbox_error};

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

/// The query keys `authenticate` reads, in the order it checks them.
const CREDENTIALS: [&str; 2] = ["partner_code", "partner_key"];

/// The value of each key's first pair in a query, as `url_pairs` decodes it. A query
/// without `%` or `+` decodes to itself, so it is read in place, in one pass over its
/// bytes, without the owned pairs `url_pairs` makes; any other goes through
/// `url_pairs`.
fn credentials(query: &str) -> [Option<Cow<'_, str>>; 2] {
    let mut found = [None, None];
    let (mut start, mut eq) = (0, None);
    // A final `&` ends the last pair. Every cut is at an ASCII byte, so on a character
    // boundary.
    for (i, b) in query.bytes().chain([b'&']).enumerate() {
        match b {
            b'%' | b'+' => return decoded(query),
            b'=' if eq.is_none() => eq = Some(i),
            b'&' => {
                let key = query.get(start..eq.unwrap_or(i));
                let value = eq.map_or(Some(""), |at| query.get(at + 1..i));
                if i > start
                    && let (Some(key), Some(value)) = (key, value)
                    && let Some(k) = CREDENTIALS.iter().position(|c| *c == key)
                    && found[k].is_none()
                {
                    found[k] = Some(Cow::Borrowed(value));
                }
                (start, eq) = (i + 1, None);
            }
            _ => {}
        }
    }
    found
}

/// `credentials` of a query that has escapes, through `url_pairs`.
fn decoded(query: &str) -> [Option<Cow<'_, str>>; 2] {
    let mut found = [None, None];
    for (key, value) in url_pairs(query.as_bytes()) {
        if let Some(k) = CREDENTIALS.iter().position(|c| *c == key)
            && found[k].is_none()
        {
            found[k] = Some(Cow::Owned(value));
        }
    }
    found
}

/// Query `partner_code` and `partner_key` against the scenario's partners.
fn authenticate<'a>(td: &'a TrustDecisionScenario, query: &str) -> Result<&'a Partner, TdError> {
    let [code, key] = credentials(query).map(|v| v.filter(|v| !v.trim().is_empty()));
    let code = code.ok_or_else(|| TdError::Empty(CREDENTIALS[0].into()))?;
    let key = key.ok_or_else(|| TdError::Empty(CREDENTIALS[1].into()))?;
    let partner = td
        .partners
        .iter()
        .find(|p| p.code == *code)
        .ok_or_else(|| TdError::Invalid("partner_code".into()))?;
    if partner.key != *key {
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

/// A checked request, its texts borrowed from the body where they can be.
struct Checked<'a> {
    id_number: Cow<'a, str>,
    country: Cow<'a, str>,
    phone_number: Cow<'a, str>,
    package_name: Cow<'a, str>,
}

fn field_name(index: usize) -> &'static str {
    FIELDS.get(index).copied().unwrap_or_default()
}

/// A field's text, kept as sent (a padded `id_type` is an error): absent, `null` or
/// blank is `{field} empty` when required; another type or an over-long text is
/// `{field} error`. The rules of `input::Text` with `Blank::WhiteSpace`, no trimming
/// and `MAX_TEXT`, applied without making a `String` of each field.
fn text<'a>(
    fields: &Fields<'a>,
    index: usize,
    required: bool,
) -> Result<Option<Cow<'a, str>>, TdError> {
    let field = field_name(index);
    match fields.get(index) {
        None | Some(JsonField::Null) => {}
        Some(JsonField::Text(s)) if s.trim().is_empty() => {}
        // A text of at most MAX_TEXT bytes has at most MAX_TEXT characters: only a
        // longer one is counted.
        Some(JsonField::Text(s)) if s.len() > MAX_TEXT && s.chars().count() > MAX_TEXT => {
            return Err(TdError::Invalid(field.into()));
        }
        Some(JsonField::Text(s)) => return Ok(Some(s.clone())),
        Some(JsonField::Other) => return Err(TdError::Invalid(field.into())),
    }
    if required {
        Err(TdError::Empty(field.into()))
    } else {
        Ok(None)
    }
}

// Positions in `FIELDS`.
const ID_NUMBER: usize = 0;
const ID_TYPE_FIELD: usize = 1;
const COUNTRY: usize = 2;
const NAME: usize = 3;
const PHONE_NUMBER: usize = 4;
const PACKAGE_NAME: usize = 5;
const APP_NAME: usize = 6;

fn required<'a>(fields: &Fields<'a>, index: usize) -> Result<Cow<'a, str>, TdError> {
    text(fields, index, true)?.ok_or_else(|| TdError::Empty(field_name(index).into()))
}

/// The body's fields in the document's order (`FIELDS`); the first problem answers.
fn parse<'a>(td: &TrustDecisionScenario, body: &'a [u8]) -> Result<Checked<'a>, TdError> {
    let fields = Fields::read(body).ok_or_else(|| TdError::Invalid("body".into()))?;
    let id_number = required(&fields, ID_NUMBER)?;
    if required(&fields, ID_TYPE_FIELD)? != ID_TYPE {
        return Err(TdError::Invalid("id_type".into()));
    }
    let country = required(&fields, COUNTRY)?;
    if td.country(&country).is_none() {
        return Err(TdError::Invalid("country".into()));
    }
    required(&fields, NAME)?;
    let phone_number = required(&fields, PHONE_NUMBER)?;
    let package_name = required(&fields, PACKAGE_NAME)?;
    if td.package(&package_name).is_none() {
        return Err(TdError::Invalid("package_name".into()));
    }
    text(&fields, APP_NAME, false)?;
    if !td.allow_unknown_fields
        && let Some(unknown) = fields.unknown
    {
        return Err(TdError::Invalid(unknown.into_owned()));
    }
    Ok(Checked {
        id_number,
        country,
        phone_number,
        package_name,
    })
}

/// What the partner may ask for: its countries, the country's packages and phone rule,
/// then its own packages.
fn check_offer<'a>(
    td: &'a TrustDecisionScenario,
    partner: &Partner,
    q: &Checked,
) -> Result<&'a Package, TdError> {
    let asked = |list: &[String], name: &str| list.iter().any(|x| x == name);
    if !partner.countries.is_empty() && !asked(&partner.countries, &q.country) {
        return Err(TdError::CountryNoService);
    }
    let country = td
        .country(&q.country)
        .ok_or_else(|| TdError::Invalid("country".into()))?;
    if !asked(&country.packages, &q.package_name) {
        return Err(TdError::Invalid("package_name".into()));
    }
    if !phone_matches(country, &q.phone_number) {
        return Err(TdError::PhoneMismatch);
    }
    if partner
        .packages
        .as_ref()
        .is_some_and(|p| !asked(p, &q.package_name))
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

/// Every call, served or refused, is answered here rather than through `?`: its answer
/// takes the next `sequence_id` and is recorded with the request, in the same lock
/// that spends the balance (`TrustDecisionState::answer`).
async fn query(ctx: Ctx, req: HttpRequest, body: Body) -> HttpResponse {
    let td = &*ctx.section::<TrustDecisionScenario>();
    let partner = authenticate(td, req.query_string());
    let partner_code = partner.as_ref().ok().map(|p| p.code.clone());
    let request = record::Asked::new(partner_code.clone(), &body);
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

async fn patch_partner(ctx: Ctx, code: web::Path<String>, body: Body) -> HttpResponse {
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
    use crate::input::{Blank, FieldProblem, Text, json_object};
    use serde_json::{Map, Value, json};

    fn read(value: Value, required: bool) -> Result<Option<String>, TdError> {
        let body = json!({ "id_number": value }).to_string();
        let fields = Fields::read(body.as_bytes()).expect("an object");
        text(&fields, ID_NUMBER, required).map(|t| t.map(Cow::into_owned))
    }

    #[test]
    fn text_is_kept_as_given_and_blank_means_empty() {
        let empty = || Err(TdError::Empty("id_number".into()));
        let invalid = || Err(TdError::Invalid("id_number".into()));
        assert_eq!(read(" MX ".into(), true), Ok(Some(" MX ".into())));
        assert_eq!(read("  ".into(), true), empty());
        assert_eq!(read("  ".into(), false), Ok(None));
        // Blank is empty before it is too long.
        assert_eq!(read(" ".repeat(201).into(), true), empty());
        assert_eq!(read("x".repeat(201).into(), true), invalid());
        assert_eq!(read(1.into(), false), invalid());
    }

    /// The body check as it was, over a `serde_json::Map`: the reference `parse` keeps.
    fn old_parse(td: &TrustDecisionScenario, body: &[u8]) -> Result<Vec<String>, TdError> {
        const RULES: Text = Text {
            max: MAX_TEXT,
            blank: Blank::WhiteSpace,
            trim: false,
        };
        let text = |obj: &Map<String, Value>, field: &str, required: bool| match RULES
            .optional(obj, field)
        {
            Ok(None) if required => Err(TdError::Empty(field.into())),
            Ok(text) => Ok(text),
            Err(FieldProblem::Missing) => Err(TdError::Empty(field.into())),
            Err(_) => Err(TdError::Invalid(field.into())),
        };
        let req = |obj: &Map<String, Value>, f: &str| {
            text(obj, f, true)?.ok_or_else(|| TdError::Empty(f.into()))
        };
        let obj = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match json_object(body) {
                Ok(Ok(obj)) => obj,
                _ => return Err(TdError::Invalid("body".into())),
            }
        };
        let id_number = req(&obj, "id_number")?;
        if req(&obj, "id_type")? != ID_TYPE {
            return Err(TdError::Invalid("id_type".into()));
        }
        let country = req(&obj, "country")?;
        if td.country(&country).is_none() {
            return Err(TdError::Invalid("country".into()));
        }
        req(&obj, "name")?;
        let phone_number = req(&obj, "phone_number")?;
        let package_name = req(&obj, "package_name")?;
        if td.package(&package_name).is_none() {
            return Err(TdError::Invalid("package_name".into()));
        }
        text(&obj, "app_name", false)?;
        if !td.allow_unknown_fields
            && let Some(unknown) = obj.keys().find(|k| !FIELDS.contains(&k.as_str()))
        {
            return Err(TdError::Invalid(unknown.clone()));
        }
        Ok(vec![id_number, country, phone_number, package_name])
    }

    fn new_parse(td: &TrustDecisionScenario, body: &[u8]) -> Result<Vec<String>, TdError> {
        let q = parse(td, body)?;
        let texts = [q.id_number, q.country, q.phone_number, q.package_name];
        Ok(texts.into_iter().map(Cow::into_owned).collect())
    }

    fn scenario(allow_unknown_fields: bool) -> TrustDecisionScenario {
        TrustDecisionScenario {
            countries: vec![Country {
                code: "MX".into(),
                ..Default::default()
            }],
            packages: vec![Package {
                name: "p".into(),
                ..Default::default()
            }],
            allow_unknown_fields,
            ..Default::default()
        }
    }

    /// Bodies around every check: each field absent, null, blank, of another type,
    /// too long, escaped, given twice; unknown fields; what is not JSON or not an object.
    fn bodies() -> Vec<Vec<u8>> {
        let good = json!({
            "id_number": "X1", "id_type": "national_id", "country": "MX", "name": "N",
            "phone_number": "5512345678", "package_name": "p", "app_name": "A",
        });
        let mut out: Vec<Vec<u8>> = Vec::new();
        let values = [
            Value::Null,
            json!(""),
            json!(" \t\u{3000}"),
            json!(7),
            json!(-1.5),
            json!(true),
            json!([1, {"a": null}]),
            json!({"a": [1]}),
            json!("x".repeat(200)),
            json!("x".repeat(201)),
            json!("é".repeat(200)),
            json!("é".repeat(201)),
            json!(" MX"),
        ];
        for field in &FIELDS {
            let mut without = good.clone();
            without.as_object_mut().map(|o| o.remove(*field));
            out.push(without.to_string().into_bytes());
            for v in &values {
                let mut with = good.clone();
                with[*field] = v.clone();
                out.push(with.to_string().into_bytes());
            }
        }
        for extra in [json!({"zz": 1, "aa": 2}), json!({"b": {"deep": [[]]}})] {
            let mut with = good.clone();
            if let (Some(o), Some(extra)) = (with.as_object_mut(), extra.as_object()) {
                o.extend(extra.clone());
            }
            out.push(with.to_string().into_bytes());
        }
        let text = good.to_string();
        let raw: [&str; 16] = [
            "",
            "  \n",
            "{}",
            "[]",
            "null",
            "\"x\"",
            "1",
            "{",
            "{\"id_number\":",
            "{\"id_number\":\"X\",\"id_number\":null}",
            "{\"id_number\":null,\"id_number\":\"X\",\"id_type\":1}",
            "{\"id\\u005fnumber\":\"\\u0041\",\"id_type\":\"national_\\u0069d\"}",
            "{\"id_number\":\"\\ud800\"}",
            "{\"x\":1e999,\"id_number\":\"X\"}",
            "{\"id_number\":\"X\"} x",
            "{\"z\\u00e9\":1,\"\\u00e9\":2,\"a\":3}",
        ];
        out.extend(raw.iter().map(|r| r.as_bytes().to_vec()));
        out.push(format!("{text}  ").into_bytes());
        out.push(format!("{{\"b\":{}{}}}", "[".repeat(130), "]".repeat(130)).into_bytes());
        out.push(format!("{{\"b\":{}{}}}", "[".repeat(120), "]".repeat(120)).into_bytes());
        out.push(b"\xff\xfe".to_vec());
        out
    }

    #[test]
    fn the_body_is_checked_as_the_map_was() {
        for allow in [false, true] {
            let td = scenario(allow);
            for body in bodies() {
                assert_eq!(
                    new_parse(&td, &body),
                    old_parse(&td, &body),
                    "{}",
                    String::from_utf8_lossy(&body)
                );
            }
        }
    }

    #[test]
    fn a_query_value_is_what_url_pairs_decodes() {
        let queries = [
            "",
            "partner_code=a&partner_key=b",
            "partner_code=&partner_key=b",
            "partner_code&partner_key=b",
            "&&partner_code=a&&",
            "partner_code=a=b&partner_code=c",
            "x=1&partner_code=a;b",
            "partner_code=a%20b",
            "partner_code=a+b",
            "partner%5Fcode=a",
            "partner_code=%zz",
            "partner_code=%ff",
            "PARTNER_CODE=a",
            "partner_code=é",
            "partner_key=k&partner_code=c&partner_key=x",
            "partner_key=k+1&partner_code=c",
            "partner_key&partner_code",
            "partner_code==a&partner_key=b=",
            "=&partner_code=&=x&partner_key=é€&",
            "partner_codepartner_code=a",
        ];
        for query in queries {
            let new = credentials(query).map(|v| v.map(Cow::into_owned));
            let old = CREDENTIALS.map(|name| {
                url_pairs(query.as_bytes())
                    .into_iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v)
            });
            assert_eq!(new, old, "{query}");
        }
    }
}
