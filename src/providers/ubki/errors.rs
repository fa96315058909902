//! What UBKI's errors say beyond the table, and UBKI's bodies for a code.

use actix_web::HttpResponse;

use super::codes::{AUTH, UbkiError};
use super::wire::{AuthError, BonusAnswer, auth_doc};
use crate::codes::{CodeEntry, ProviderError};
use crate::provider::json;

impl ProviderError for UbkiError {
    fn details(&self) -> Vec<String> {
        match self {
            Self::AuthInvalid(d) | Self::BadJson(d) | Self::SystemError(d) => vec![d.clone()],
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

/// UBKI's body for `entry`: the auth document for authorization codes, the bonus
/// service answer for the others.
pub fn render(entry: &CodeEntry, details: &[String]) -> HttpResponse {
    if entry.scope == AUTH {
        let errtext = match details.first() {
            Some(d) => format!("{}: {d}", entry.message),
            None => entry.message.clone(),
        };
        let body = auth_doc(AuthError {
            errcode: entry.code.clone(),
            errtext,
            errtextclient: entry.message.clone(),
        });
        return json(entry.http_status, &body, &entry.code);
    }
    let body = BonusAnswer {
        result_code: entry.code.clone(),
        message: entry.message.clone(),
        details: details.to_vec(),
        partner: None,
        client: None,
        service: None,
    };
    json(entry.http_status, &body, &entry.code)
}
