//! SberSafe's codes. The document gives no error table; the messages are the gateway's
//! general ones ("Authentication failed.", "Access denied.", "[merchantLogin] is empty.",
//! "System error.") where they fit. The `errorCode` names and HTTP statuses are ours,
//! changeable per scenario (`sbersafe.codes`). Two scopes, one per body format: the
//! merchant API (`api`: `/api/...` and any unknown path) shares one error body; the
//! anonymous lookup of the web forms (`web`: `/client/find`) answers
//! `{"error":{"code","message"}}` with codes of its own, `client.find.failed` being the
//! one real clients are known to read.

use crate::codes::code_table;

/// The merchant API under `/api/`, and every path that is not an endpoint.
pub const API: &str = "api";
/// The anonymous lookup of SberSafe's web forms, `POST /client/find`.
pub const WEB: &str = "web";

code_table! {
    /// SberSafe's one error type: a variant per code, rendered into the one error body
    /// every endpoint shares.
    pub enum SberError in SPECS;
    merchant_missing {
        code: "MERCHANT_LOGIN_EMPTY",
        status: 400,
        scope: API,
        message: "[merchantLogin] is empty.",
        trigger: "find, otp or create without `merchantLogin` (or with an empty one)",
        answered_by: MerchantMissing,
    }
    merchant_unknown {
        code: "MERCHANT_NOT_FOUND",
        status: 403,
        scope: API,
        message: "Access denied.",
        trigger: "`merchantLogin` not in `sbersafe.merchants`, e.g. `unknown`",
        answered_by: MerchantUnknown(String),
    }
    contact_missing {
        code: "CONTACT_EMPTY",
        status: 400,
        scope: API,
        message: "[phone] or [email] is empty.",
        trigger: "find without `phone` and `email`; create without an MPHONE or EMAIL contact",
        answered_by: ContactMissing,
    }
    invalid_request {
        code: "INVALID_REQUEST",
        status: 400,
        scope: API,
        message: "Invalid request parameters.",
        trigger: "a wrong type, an unknown field, a missing `uuid`/`accessCode`/`otp`, a phone that is not 10 digits",
        answered_by: InvalidRequest(Vec<String>),
    }
    client_not_found {
        code: "CLIENT_NOT_FOUND",
        status: 404,
        scope: API,
        message: "Client not found.",
        trigger: "otp with an unknown `uuid`, e.g. `00000000000000000000000000000000`",
        answered_by: ClientNotFound(String),
    }
    token_missing {
        code: "TOKEN_MISSING",
        status: 401,
        scope: API,
        message: "Authentication failed.",
        trigger: "clients without an `Authorization` header",
        answered_by: TokenMissing,
    }
    token_invalid {
        code: "TOKEN_INVALID",
        status: 401,
        scope: API,
        message: "Authentication failed.",
        trigger: "clients with an unknown token, or with `Bearer <token>`",
        answered_by: TokenInvalid(String),
    }
    token_expired {
        code: "TOKEN_EXPIRED",
        status: 401,
        scope: API,
        message: "Authentication failed.",
        trigger: "a token older than `token_ttl_minutes` (60 virtual minutes), or the preset expired token",
        answered_by: TokenExpired,
    }
    access_denied {
        code: "ACCESS_DENIED",
        status: 403,
        scope: API,
        message: "Access denied.",
        trigger: "clients with a `uuid` (or `merchantLogin`) in the body other than the token's client (merchant)",
        answered_by: AccessDenied(String),
    }
    otp_invalid {
        code: "OTP_INVALID",
        status: 400,
        scope: API,
        message: "Invalid one-time password.",
        trigger: "token with an `otp` that is neither the fixed (`000000`) nor the generated one",
        answered_by: OtpInvalid(u32),
    }
    otp_locked {
        code: "OTP_ATTEMPTS_EXCEEDED",
        status: 403,
        scope: API,
        message: "Number of one-time password attempts exceeded.",
        trigger: "the 3rd wrong `otp` for one access code (`otp.attempts`), and every later use of that code",
        answered_by: OtpLocked,
    }
    access_code_invalid {
        code: "ACCESS_CODE_INVALID",
        status: 400,
        scope: API,
        message: "Invalid access code.",
        trigger: "token with an `accessCode` never issued in this tenant",
        answered_by: AccessCodeInvalid,
    }
    access_code_expired {
        code: "ACCESS_CODE_EXPIRED",
        status: 400,
        scope: API,
        message: "Access code expired.",
        trigger: "token with an access code older than `otp.ttl_minutes` (5 virtual minutes)",
        answered_by: AccessCodeExpired,
    }
    access_code_used {
        code: "ACCESS_CODE_USED",
        status: 400,
        scope: API,
        message: "Access code already used.",
        trigger: "token with an access code that already gave a token",
        answered_by: AccessCodeUsed,
    }
    response_type_invalid {
        code: "RESPONSE_TYPE_INVALID",
        status: 400,
        scope: API,
        message: "Unknown responseType.",
        trigger: "clients with `responseType` empty or naming something else than contacts, contactsExtra, bindings, permissions",
        answered_by: ResponseTypeInvalid(String),
    }
    not_acceptable {
        code: "NOT_ACCEPTABLE",
        status: 406,
        scope: API,
        message: "Unsupported Accept header.",
        trigger: "clients with `Accept: application/xml` or `Accept: application/json; version=2.0` (missing Accept too, with `require_accept: true`)",
        answered_by: NotAcceptable(String),
    }
    client_exists {
        code: "CLIENT_ALREADY_EXISTS",
        status: 409,
        scope: API,
        message: "Client already exists.",
        trigger: "create with a phone or email an existing client has, e.g. `9161234567`",
        answered_by: ClientExists(String),
    }
    malformed_json {
        code: "MALFORMED_REQUEST",
        status: 400,
        scope: API,
        message: "Malformed request.",
        trigger: "a body that is not JSON or not an object, or larger than 1 MiB",
        answered_by: MalformedJson(String),
    }
    not_found {
        code: "NOT_FOUND",
        status: 404,
        scope: API,
        message: "Not found.",
        trigger: "any other path under `/sbersafe`",
    }
    method_not_allowed {
        code: "METHOD_NOT_ALLOWED",
        status: 405,
        scope: API,
        message: "Method not allowed.",
        trigger: "GET (or any method but POST) on an endpoint",
    }
    system_error {
        code: "SYSTEM_ERROR",
        status: 500,
        scope: API,
        message: "System error.",
        trigger: "find or create with phone `9000000500` or email `error@sandbox.test` (`system_error_values`)",
        answered_by: SystemError(String),
    }
    find_failed {
        code: "client.find.failed",
        status: 200,
        scope: WEB,
        message: "Client not found.",
        trigger: "anonymous find with a phone or email no client has as an ACTIVE contact, e.g. `?phone=9000000000`",
        answered_by: FindFailed,
    }
    find_empty {
        code: "client.find.empty",
        status: 400,
        scope: WEB,
        message: "[phone] or [email] is empty.",
        trigger: "anonymous find with neither `phone` nor `email` in the query or the form body",
        answered_by: FindEmpty(String),
    }
    find_invalid {
        code: "client.find.invalid",
        status: 400,
        scope: WEB,
        message: "Invalid request parameters.",
        trigger: "anonymous find with a phone that is not 10 digits (`79161234567`), an email without `@`, a body over 1 MiB; GET (with 405)",
        answered_by: FindInvalid(Vec<String>),
    }
    find_error {
        code: "client.find.error",
        status: 500,
        scope: WEB,
        message: "System error.",
        trigger: "anonymous find with phone `9000000500` or email `error@sandbox.test` (`system_error_values`)",
        answered_by: FindError(String),
    }
}
