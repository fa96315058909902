//! SberSafe's codes. The document gives no error table; the messages are the gateway's
//! general ones ("Authentication failed.", "Access denied.", "[merchantLogin] is empty.",
//! "System error.") where they fit. The `errorCode` names and HTTP statuses are ours,
//! changeable per scenario (`sbersafe.codes`). Every endpoint shares one body, so every
//! scope is `""`.

use crate::codes::code_table;

code_table! {
    /// SberSafe's one error type: a variant per code, rendered into the one error body
    /// every endpoint shares.
    pub enum SberError in SPECS;
    merchant_missing = "MERCHANT_LOGIN_EMPTY", 400, "",
        "[merchantLogin] is empty.",
        "find, otp or create without `merchantLogin` (or with an empty one)"
        => MerchantMissing;
    merchant_unknown = "MERCHANT_NOT_FOUND", 403, "",
        "Access denied.",
        "`merchantLogin` not in `sbersafe.merchants`, e.g. `unknown`"
        => MerchantUnknown(String);
    contact_missing = "CONTACT_EMPTY", 400, "",
        "[phone] or [email] is empty.",
        "find without `phone` and `email`; create without an MPHONE or EMAIL contact"
        => ContactMissing;
    invalid_request = "INVALID_REQUEST", 400, "",
        "Invalid request parameters.",
        "a wrong type, an unknown field, a missing `uuid`/`accessCode`/`otp`, a phone that is not 10 digits"
        => InvalidRequest(Vec<String>);
    client_not_found = "CLIENT_NOT_FOUND", 404, "",
        "Client not found.",
        "otp with an unknown `uuid`, e.g. `00000000000000000000000000000000`"
        => ClientNotFound(String);
    token_missing = "TOKEN_MISSING", 401, "",
        "Authentication failed.",
        "clients without an `Authorization` header"
        => TokenMissing;
    token_invalid = "TOKEN_INVALID", 401, "",
        "Authentication failed.",
        "clients with an unknown token, or with `Bearer <token>`"
        => TokenInvalid(String);
    token_expired = "TOKEN_EXPIRED", 401, "",
        "Authentication failed.",
        "a token older than `token_ttl_minutes` (60 virtual minutes), or the preset expired token"
        => TokenExpired;
    access_denied = "ACCESS_DENIED", 403, "",
        "Access denied.",
        "clients with a `uuid` (or `merchantLogin`) in the body other than the token's client (merchant)"
        => AccessDenied(String);
    otp_invalid = "OTP_INVALID", 400, "",
        "Invalid one-time password.",
        "token with an `otp` that is neither the fixed (`000000`) nor the generated one"
        => OtpInvalid(u32);
    otp_locked = "OTP_ATTEMPTS_EXCEEDED", 403, "",
        "Number of one-time password attempts exceeded.",
        "the 3rd wrong `otp` for one access code (`otp.attempts`), and every later use of that code"
        => OtpLocked;
    access_code_invalid = "ACCESS_CODE_INVALID", 400, "",
        "Invalid access code.",
        "token with an `accessCode` never issued in this tenant"
        => AccessCodeInvalid;
    access_code_expired = "ACCESS_CODE_EXPIRED", 400, "",
        "Access code expired.",
        "token with an access code older than `otp.ttl_minutes` (5 virtual minutes)"
        => AccessCodeExpired;
    access_code_used = "ACCESS_CODE_USED", 400, "",
        "Access code already used.",
        "token with an access code that already gave a token"
        => AccessCodeUsed;
    response_type_invalid = "RESPONSE_TYPE_INVALID", 400, "",
        "Unknown responseType.",
        "clients with `responseType` empty or naming something else than contacts, contactsExtra, bindings, permissions"
        => ResponseTypeInvalid(String);
    not_acceptable = "NOT_ACCEPTABLE", 406, "",
        "Unsupported Accept header.",
        "clients with `Accept: application/xml` or `Accept: application/json; version=2.0` (missing Accept too, with `require_accept: true`)"
        => NotAcceptable(String);
    client_exists = "CLIENT_ALREADY_EXISTS", 409, "",
        "Client already exists.",
        "create with a phone or email an existing client has, e.g. `9161234567`"
        => ClientExists(String);
    malformed_json = "MALFORMED_REQUEST", 400, "",
        "Malformed request.",
        "a body that is not JSON or not an object, or larger than 1 MiB"
        => MalformedJson(String);
    not_found = "NOT_FOUND", 404, "",
        "Not found.",
        "any other path under `/sbersafe`";
    method_not_allowed = "METHOD_NOT_ALLOWED", 405, "",
        "Method not allowed.",
        "GET (or any method but POST) on an endpoint";
    system_error = "SYSTEM_ERROR", 500, "",
        "System error.",
        "find or create with phone `9000000500` or email `error@sandbox.test` (`system_error_values`)"
        => SystemError(String);
}
