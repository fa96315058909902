//! UBKI's one error type: a variant per documented code, rendered by `render`.

use actix_web::HttpResponse;

use super::codes::AUTH;
use super::wire::{AuthError, BonusAnswer, auth_doc};
use crate::providers::{CodeEntry, Ctx, json, pipeline::sandbox_error};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UbkiError {
    BruteForce,
    AuthMissing,
    AuthInvalid(String),
    WrongCredentials,
    SessionInvalid,
    ContractTerminated,
    AccountBlocked,
    BadJson(String),
    EmptyCredentials,
    InvalidSessionKey,
    StatusControlActive,
    SubjectAbsent,
    InvalidAttributes(Vec<String>),
    SystemError(String),
}

impl UbkiError {
    /// The code name in `codes::SPECS`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::BruteForce => "brute_force",
            Self::AuthMissing => "auth_missing",
            Self::AuthInvalid(_) => "auth_invalid",
            Self::WrongCredentials => "wrong_credentials",
            Self::SessionInvalid => "session_invalid",
            Self::ContractTerminated => "contract_terminated",
            Self::AccountBlocked => "account_blocked",
            Self::BadJson(_) => "bad_json",
            Self::EmptyCredentials => "empty_credentials",
            Self::InvalidSessionKey => "invalid_session_key",
            Self::StatusControlActive => "status_control_active",
            Self::SubjectAbsent => "subject_absent",
            Self::InvalidAttributes(_) => "invalid_attributes",
            Self::SystemError(_) => "system_error",
        }
    }

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

    fn details(&self) -> Vec<String> {
        match self {
            Self::AuthInvalid(d) | Self::BadJson(d) | Self::SystemError(d) => vec![d.clone()],
            Self::InvalidAttributes(d) => d.clone(),
            _ => Vec::new(),
        }
    }

    pub fn respond(&self, ctx: &Ctx) -> HttpResponse {
        match ctx.codes("ubki").by_key(self.key()) {
            Some(entry) => render(entry, self.details()),
            None => sandbox_error(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                "code-table",
                &format!("ubki code `{}` missing from the table", self.key()),
                None,
            ),
        }
    }
}

/// UBKI's body for `entry`: the auth document for authorization codes, the bonus
/// service answer for the others.
pub fn render(entry: &CodeEntry, details: Vec<String>) -> HttpResponse {
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
        details,
        partner: None,
        client: None,
        service: None,
    };
    json(entry.http_status, &body, &entry.code)
}
