//! SberSafe's one error type: a variant per code, rendered by `render` into the one
//! error body every endpoint shares.

use actix_web::HttpResponse;

use super::state::SberSafeState;
use super::wire::ErrorBody;
use crate::codes::CodeEntry;
use crate::provider::{Ctx, json, sandbox_error};
use crate::rng;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SberError {
    MerchantMissing,
    MerchantUnknown(String),
    ContactMissing,
    InvalidRequest(Vec<String>),
    ClientNotFound(String),
    TokenMissing,
    TokenInvalid(String),
    TokenExpired,
    AccessDenied(String),
    OtpInvalid(u32),
    OtpLocked,
    AccessCodeInvalid,
    AccessCodeExpired,
    AccessCodeUsed,
    ResponseTypeInvalid(String),
    NotAcceptable(String),
    ClientExists(String),
    MalformedJson(String),
    SystemError(String),
}

impl SberError {
    /// The code name in `codes::SPECS`.
    pub fn key(&self) -> &'static str {
        match self {
            Self::MerchantMissing => "merchant_missing",
            Self::MerchantUnknown(_) => "merchant_unknown",
            Self::ContactMissing => "contact_missing",
            Self::InvalidRequest(_) => "invalid_request",
            Self::ClientNotFound(_) => "client_not_found",
            Self::TokenMissing => "token_missing",
            Self::TokenInvalid(_) => "token_invalid",
            Self::TokenExpired => "token_expired",
            Self::AccessDenied(_) => "access_denied",
            Self::OtpInvalid(_) => "otp_invalid",
            Self::OtpLocked => "otp_locked",
            Self::AccessCodeInvalid => "access_code_invalid",
            Self::AccessCodeExpired => "access_code_expired",
            Self::AccessCodeUsed => "access_code_used",
            Self::ResponseTypeInvalid(_) => "response_type_invalid",
            Self::NotAcceptable(_) => "not_acceptable",
            Self::ClientExists(_) => "client_exists",
            Self::MalformedJson(_) => "malformed_json",
            Self::SystemError(_) => "system_error",
        }
    }

    fn detail(&self) -> Option<String> {
        match self {
            Self::MerchantUnknown(d)
            | Self::ClientNotFound(d)
            | Self::TokenInvalid(d)
            | Self::AccessDenied(d)
            | Self::ResponseTypeInvalid(d)
            | Self::NotAcceptable(d)
            | Self::ClientExists(d)
            | Self::MalformedJson(d)
            | Self::SystemError(d) => Some(d.clone()),
            Self::InvalidRequest(d) => Some(d.join("; ")),
            Self::OtpInvalid(left) => Some(format!("{left} attempt(s) left")),
            _ => None,
        }
    }

    pub fn respond(&self, ctx: &Ctx) -> HttpResponse {
        let request_id = ctx.state(|s: &mut SberSafeState| s.request_id());
        match ctx.codes("sbersafe").by_key(self.key()) {
            Some(entry) => render(entry, self.detail().as_deref(), &request_id),
            None => sandbox_error(
                actix_web::http::StatusCode::INTERNAL_SERVER_ERROR,
                "code-table",
                &format!("sbersafe code `{}` missing from the table", self.key()),
                None,
            ),
        }
    }
}

/// The one error body: `{"status":"FAIL","errorCode","errorMessage","errorDetail"?,"requestId"}`.
pub fn render(entry: &CodeEntry, detail: Option<&str>, request_id: &str) -> HttpResponse {
    let body = ErrorBody {
        status: "FAIL",
        error_code: entry.code.clone(),
        error_message: entry.message.clone(),
        error_detail: detail.map(str::to_string),
        request_id: request_id.to_string(),
    };
    json(entry.http_status, &body, &entry.code)
}

/// `gbhjnkme-rdcfgv-hbjnkm-7689ui-okp3ew`: lowercase letters and digits, 8-6-6-6-6.
pub fn request_id(g: &mut rng::Rng) -> String {
    [8, 6, 6, 6, 6]
        .iter()
        .map(|&n| rng::alnum(g, n).to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("-")
}
