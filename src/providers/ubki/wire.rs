//! UBKI bodies exactly as on the wire.

use serde::Serialize;
use serde::ser::SerializeMap;

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
        Self(vec![
            ("errcode", errcode.to_string()),
            ("errtext", errtext),
            ("errtextclient", errtextclient.to_string()),
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

/// Answer of `/bonusservice/discount` and `/bonusservice/free`.
#[derive(Debug, Serialize)]
pub struct BonusAnswer {
    pub result_code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<Partner>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<Client>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Partner {
    pub sessid: String,
    pub userid: String,
    pub bankid: String,
    pub bankokpo: String,
    pub bankname: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Client {
    pub inn: String,
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub reptype: String,
    pub reptyperef: String,
    pub def_price: String,
    pub sale_price: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_term: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discount_end_date: Option<String>,
    /// `free` only: when a bought StatusControl runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_end_date: Option<String>,
}

impl Service {
    /// `reptype` at its prices from `REPTYPES`; `free` sells it at 0.
    pub fn priced(reptype: &str, free: bool) -> Self {
        let (code, name, def_price, sale_price) = self::reptype(reptype).unwrap_or(("", "", 0, 0));
        Self {
            reptype: code.into(),
            reptyperef: name.into(),
            def_price: price(def_price),
            sale_price: price(if free { 0 } else { sale_price }),
            discount_term: None,
            discount_start_date: None,
            discount_end_date: None,
            service_start_date: None,
            service_end_date: None,
        }
    }
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
