//! What UBKI's errors say beyond the table, and UBKI's bodies for a code.

use actix_web::HttpResponse;

use super::codes::{AUTH, UbkiError};
use super::dialect::{self, Dialect};
use super::scenario::UbkiScenario;
use super::wire::{AuthFields, BonusAnswer};
use crate::codes::{CodeEntry, ProviderError};
use crate::provider::writer::json_bytes;
use crate::provider::{Asked, Ctx};

impl ProviderError for UbkiError {
    fn details(&self) -> Vec<String> {
        match self {
            Self::AuthInvalid(d)
            | Self::BadJson(d)
            | Self::IpNotAllowed(d)
            | Self::SystemError(d) => vec![d.clone()],
            Self::InvalidAttributes(d) => d.clone(),
            _ => Vec::new(),
        }
    }
}

impl UbkiError {
    /// A code name given in a scenario (`subjects[].result`) as an error.
    pub fn from_key(key: &str) -> Option<Self> {
        Some(match key {
            "invalid_session_key" => Self::InvalidSessionKey,
            "status_control_active" => Self::StatusControlActive,
            "subject_absent" => Self::SubjectAbsent,
            "invalid_attributes" => {
                Self::InvalidAttributes(vec!["inn: refused by the scenario".into()])
            }
            "system_error" => Self::SystemError("forced by the scenario".into()),
            _ => return None,
        })
    }
}

/// UBKI's body for `entry`: the auth document (JSON) for authorization codes, the
/// bonus service answer for the others.
pub fn render(entry: &CodeEntry, details: &[String]) -> HttpResponse {
    if entry.scope == AUTH {
        return render_auth(entry, details, Dialect::Json, entry.http_status);
    }
    let body = BonusAnswer {
        result_code: entry.code.as_str().into(),
        message: entry.message.as_str().into(),
        details: details.to_vec(),
        partner: None,
        client: None,
        service: None,
    };
    json_bytes(entry.http_status, body.to_json(), &entry.code)
}

/// An authorization error: `errcode`, `errtext` (the message and the first detail)
/// and `errtextclient` (the bare message), in `dialect`.
fn render_auth(
    entry: &CodeEntry,
    details: &[String],
    dialect: Dialect,
    status: u16,
) -> HttpResponse {
    let errtext = match details.first() {
        Some(d) => format!("{}: {d}", entry.message),
        None => entry.message.clone(),
    };
    let fields = AuthFields::error(&entry.code, errtext, &entry.message);
    dialect::answer(&fields, dialect, status, &entry.code)
}

/// UBKI's body for `entry` answering `asked`: an authorization code answers a caller
/// of the XML dialect in XML, with `ubki.xml_error_status` (400 by default) unless the
/// entry's own status is already an error status. Forced codes, rules, bad input and
/// handlers' errors all come here, so every answer to an XML caller is XML.
pub fn render_for(entry: &CodeEntry, details: &[String], ctx: &Ctx, asked: &Asked) -> HttpResponse {
    let content_type = asked.headers.get("content-type");
    let xml = Dialect::answering(content_type, dialect::xml_body(asked.body).is_some());
    if entry.scope != AUTH || xml == Dialect::Json {
        return render(entry, details);
    }
    let status = if entry.http_status >= 400 {
        entry.http_status
    } else {
        ctx.section::<UbkiScenario>().xml_error_status()
    };
    render_auth(entry, details, Dialect::Xml, status)
}
