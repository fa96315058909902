//! UBKI bodies exactly as on the wire.

use std::borrow::Cow;

use serde::Serialize;
use serde::ser::SerializeMap;
use utoipa::ToSchema;

use crate::provider::writer::{Object, object_json};

/// `{"doc":{"auth":{...}}}` of the authorization API, success or error.
#[derive(Debug, Serialize)]
pub struct AuthDoc<T: Serialize> {
    pub doc: AuthWrap<T>,
}

#[derive(Debug, Serialize)]
pub struct AuthWrap<T: Serialize> {
    pub auth: T,
}

pub fn auth_doc<T: Serialize>(auth: T) -> AuthDoc<T> {
    AuthDoc {
        doc: AuthWrap { auth },
    }
}

/// The members of `doc.auth` in wire order: JSON members, or the attributes of
/// `<auth .../>` in the XML dialect. A success carries no `errcode`, `errtext` or
/// `errtextclient` (clients take their presence for a failure); an error carries
/// those three only.
#[derive(Debug, Default)]
pub struct AuthFields(pub Vec<(&'static str, String)>);

impl AuthFields {
    pub fn error(errcode: &str, errtext: String, errtextclient: &str) -> Self {
        AuthError {
            errcode: errcode.to_string(),
            errtext,
            errtextclient: errtextclient.to_string(),
        }
        .fields()
    }
}

/// `doc.auth` of a refusal: JSON members, or attributes of `<auth/>` in XML.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ubki::AuthError)]
pub struct AuthError {
    /// The code (`13`, `16`...).
    #[schema(xml(attribute), example = "13")]
    pub errcode: String,
    /// The message, then `: ` and what the sandbox found, when it says more.
    #[schema(xml(attribute), example = "Невірний логін або пароль")]
    pub errtext: String,
    /// The bare message, for the client's user.
    #[schema(xml(attribute), example = "Невірний логін або пароль")]
    pub errtextclient: String,
}

impl AuthError {
    pub fn fields(self) -> AuthFields {
        AuthFields(vec![
            ("errcode", self.errcode),
            ("errtext", self.errtext),
            ("errtextclient", self.errtextclient),
        ])
    }
}

/// `doc.auth` of a success: the key and every field of its account, in wire order.
/// JSON dates are `YYYY-MM-DD HH:MM:SS` Kyiv time (`dateed` the key's last second);
/// XML dates `d.m.Y G:i` (`dateed` the instant it stops working).
#[derive(Debug, Default, Serialize, ToSchema)]
#[schema(as = ubki::AuthSession)]
pub struct AuthSession {
    /// The session key the bonus service takes as `sessid`.
    #[schema(xml(attribute), example = "5A0C3C0A9C2A4F2C8E1D2B3A4C5D6E7F")]
    pub sessid: String,
    #[schema(xml(attribute), example = "2026-12-01 10:00:00")]
    pub datecr: String,
    #[schema(xml(attribute), example = "2026-12-01 23:59:59")]
    pub dateed: String,
    #[schema(xml(attribute), example = "sandbox")]
    pub userlogin: String,
    #[schema(xml(attribute))]
    pub userid: String,
    #[schema(xml(attribute))]
    pub userfname: String,
    #[schema(xml(attribute))]
    pub userlname: String,
    #[schema(xml(attribute))]
    pub usermname: String,
    #[schema(xml(attribute))]
    pub rolegroupid: String,
    #[schema(xml(attribute))]
    pub rolegroupname: String,
    #[schema(xml(attribute))]
    pub agrid: String,
    #[schema(xml(attribute))]
    pub agrname: String,
    #[schema(xml(attribute))]
    pub role: String,
    /// `1` when the password must be changed, else `0`.
    #[schema(xml(attribute), pattern = "^[01]$", example = "0")]
    pub mustchngpass: String,
}

impl AuthSession {
    pub fn fields(self) -> AuthFields {
        AuthFields(vec![
            ("sessid", self.sessid),
            ("datecr", self.datecr),
            ("dateed", self.dateed),
            ("userlogin", self.userlogin),
            ("userid", self.userid),
            ("userfname", self.userfname),
            ("userlname", self.userlname),
            ("usermname", self.usermname),
            ("rolegroupid", self.rolegroupid),
            ("rolegroupname", self.rolegroupname),
            ("agrid", self.agrid),
            ("agrname", self.agrname),
            ("role", self.role),
            ("mustchngpass", self.mustchngpass),
        ])
    }
}

impl Serialize for AuthFields {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Answer of `/bonusservice/discount` and `/bonusservice/free`: `result_code` `0` with
/// `partner`, `client` and `service`, or an error code with its `details`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ubki::BonusAnswer)]
pub struct BonusAnswer<'a> {
    /// `0` on success, else the error code (`1`..`5`).
    #[schema(example = "0")]
    pub result_code: Cow<'a, str>,
    pub message: Cow<'a, str>,
    /// What was wrong, one line per problem (errors only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false)]
    pub details: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<Partner<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<Client<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Service<'a>>,
}

impl BonusAnswer<'_> {
    /// The answer's JSON as serde_json writes the derived `Serialize` (a test compares
    /// them), through `provider::writer`.
    pub fn to_json(&self) -> Vec<u8> {
        object_json(512, |o| self.write(o))
    }

    fn write(&self, o: &mut Object) {
        o.str("result_code", &self.result_code)
            .str("message", &self.message)
            .strs("details", &self.details)
            .object("partner", self.partner.as_ref(), |o, p| {
                o.str("sessid", &p.sessid)
                    .str("userid", &p.userid)
                    .str("bankid", &p.bankid)
                    .str("bankokpo", &p.bankokpo)
                    .str("bankname", &p.bankname);
            })
            .object("client", self.client.as_ref(), |o, c| {
                o.str("inn", &c.inn)
                    .str("email", &c.email)
                    .opt("phone", c.phone.as_deref());
            })
            .object("service", self.service.as_ref(), Service::write);
    }
}

impl Service<'_> {
    fn write(o: &mut Object, s: &Service) {
        o.str("reptype", &s.reptype)
            .str("reptyperef", &s.reptyperef)
            .str("def_price", &s.def_price)
            .str("sale_price", &s.sale_price)
            .opt("discount_term", s.discount_term.as_deref())
            .opt("discount_start_date", s.discount_start_date.as_deref())
            .opt("discount_end_date", s.discount_end_date.as_deref())
            .opt("service_start_date", s.service_start_date.as_deref())
            .opt("service_end_date", s.service_end_date.as_deref());
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ubki::Partner)]
pub struct Partner<'a> {
    pub sessid: Cow<'a, str>,
    pub userid: Cow<'a, str>,
    pub bankid: Cow<'a, str>,
    pub bankokpo: Cow<'a, str>,
    pub bankname: Cow<'a, str>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ubki::Client)]
pub struct Client<'a> {
    pub inn: Cow<'a, str>,
    pub email: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Cow<'a, str>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ubki::Service)]
pub struct Service<'a> {
    #[schema(value_type = Reptype)]
    pub reptype: Cow<'a, str>,
    pub reptyperef: Cow<'a, str>,
    pub def_price: Cow<'a, str>,
    pub sale_price: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_term: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_start_date: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_end_date: Option<Cow<'a, str>>,
    /// `free` only: when a bought StatusControl runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_start_date: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_end_date: Option<Cow<'a, str>>,
}

impl Service<'static> {
    /// `reptype` at its prices from `REPTYPES`; `free` sells it at 0.
    pub fn priced(reptype: &str, free: bool) -> Self {
        let (code, name, def_price, sale_price) = self::reptype(reptype).unwrap_or(("", "", 0, 0));
        Self {
            reptype: Cow::Borrowed(code),
            reptyperef: Cow::Borrowed(name),
            def_price: price(def_price).into(),
            sale_price: price(if free { 0 } else { sale_price }).into(),
            discount_term: None,
            discount_start_date: None,
            discount_end_date: None,
            service_start_date: None,
            service_end_date: None,
        }
    }
}

/// The services of the bonus service, as the wire spells them (`REPTYPES`).
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[schema(as = ubki::Reptype)]
#[allow(dead_code)] // the schema of `reptype`; the handlers read `REPTYPES`
pub enum Reptype {
    #[serde(rename = "ALB")]
    Alb,
    #[serde(rename = "BLC")]
    Blc,
    #[serde(rename = "SKN")]
    Skn,
    #[serde(rename = "SKN_3")]
    Skn3,
}

/// Services of the bonus service: code, name, default and discounted price in kopecks.
pub const REPTYPES: &[(&str, &str, u32, u32)] = &[
    ("ALB", "Кредитна історія", 9000, 7000),
    ("BLC", "Кредитний скоринг", 7000, 5000),
    ("SKN", "StatusControl на рік", 90000, 70000),
    ("SKN_3", "StatusControl на 3 місяці", 25000, 19200),
];

pub fn reptype(code: &str) -> Option<(&'static str, &'static str, u32, u32)> {
    REPTYPES.iter().copied().find(|(c, ..)| *c == code)
}

/// Prices as the document's example prints them: `90`, `192`, and `12.50` only when
/// there are kopecks.
pub fn price(kopecks: u32) -> String {
    if kopecks.is_multiple_of(100) {
        (kopecks / 100).to_string()
    } else {
        format!("{}.{:02}", kopecks / 100, kopecks % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn partner() -> Partner<'static> {
        Partner {
            sessid: "0123456789ABCDEF0123456789ABCDEF".into(),
            userid: "29120".into(),
            bankid: "1826".into(),
            bankokpo: "01982523".into(),
            bankname: "КВІТЕНЬ \"банк\"".into(),
        }
    }

    #[test]
    fn a_bonus_answer_is_written_as_serde_json_writes_it() {
        let mut discount = Service::priced("ALB", false);
        discount.discount_term = Some("7".into());
        discount.discount_start_date = Some("2024-09-04 14:39:13".into());
        discount.discount_end_date = Some("2024-09-11 14:39:13".into());
        let mut free = Service::priced("SKN", true);
        free.service_start_date = Some("2024-09-04 14:39:13".into());
        free.service_end_date = Some("2025-09-04 14:39:13".into());
        let answers = [
            (Some(discount), None, vec![]),
            (Some(free), Some("+380501234567".to_string()), vec![]),
            (
                None,
                None,
                vec!["inn: required".to_string(), "a\nb \\ \u{1}".into()],
            ),
        ];
        for (service, phone, details) in answers {
            let ok = service.is_some();
            let answer = BonusAnswer {
                result_code: if ok { "0" } else { "4" }.into(),
                message: "Операцію успішно виконано. Служба підтримки УБКІ: 0445851196.".into(),
                details,
                partner: ok.then(partner),
                client: ok.then(|| Client {
                    inn: "3241500301".into(),
                    email: "".into(),
                    phone: phone.map(Cow::Owned),
                }),
                service,
            };
            assert_eq!(
                String::from_utf8_lossy(&answer.to_json()),
                String::from_utf8_lossy(&serde_json::to_vec(&answer).unwrap())
            );
        }
    }
}
