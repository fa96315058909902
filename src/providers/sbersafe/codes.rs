//! SberSafe's codes. The document gives no error table, only the gateway's general
//! messages (FACTS.md); the `errorCode` names and HTTP statuses are ours, changeable per
//! scenario (`sbersafe.codes`). Every endpoint shares one body, so every scope is `""`.

use crate::codes::CodeSpec;

pub const SPECS: &[CodeSpec] = &[
    CodeSpec {
        key: "merchant_missing",
        code: "MERCHANT_LOGIN_EMPTY",
        status: 400,
        message: "[merchantLogin] is empty.",
        scope: "",
        trigger: "find, otp or create without `merchantLogin` (or with an empty one)",
    },
    CodeSpec {
        key: "merchant_unknown",
        code: "MERCHANT_NOT_FOUND",
        status: 403,
        message: "Access denied.",
        scope: "",
        trigger: "`merchantLogin` not in `sbersafe.merchants`, e.g. `unknown`",
    },
    CodeSpec {
        key: "contact_missing",
        code: "CONTACT_EMPTY",
        status: 400,
        message: "[phone] or [email] is empty.",
        scope: "",
        trigger: "find without `phone` and `email`; create without an MPHONE or EMAIL contact",
    },
    CodeSpec {
        key: "invalid_request",
        code: "INVALID_REQUEST",
        status: 400,
        message: "Invalid request parameters.",
        scope: "",
        trigger: "a wrong type, an unknown field, a missing `uuid`/`accessCode`/`otp`, a phone that is not 10 digits",
    },
    CodeSpec {
        key: "client_not_found",
        code: "CLIENT_NOT_FOUND",
        status: 404,
        message: "Client not found.",
        scope: "",
        trigger: "otp with an unknown `uuid`, e.g. `00000000000000000000000000000000`",
    },
    CodeSpec {
        key: "token_missing",
        code: "TOKEN_MISSING",
        status: 401,
        message: "Authentication failed.",
        scope: "",
        trigger: "clients without an `Authorization` header",
    },
    CodeSpec {
        key: "token_invalid",
        code: "TOKEN_INVALID",
        status: 401,
        message: "Authentication failed.",
        scope: "",
        trigger: "clients with an unknown token, or with `Bearer <token>`",
    },
    CodeSpec {
        key: "token_expired",
        code: "TOKEN_EXPIRED",
        status: 401,
        message: "Authentication failed.",
        scope: "",
        trigger: "a token older than `token_ttl_minutes` (60 virtual minutes), or the preset expired token",
    },
    CodeSpec {
        key: "access_denied",
        code: "ACCESS_DENIED",
        status: 403,
        message: "Access denied.",
        scope: "",
        trigger: "clients with a `uuid` (or `merchantLogin`) in the body other than the token's client (merchant)",
    },
    CodeSpec {
        key: "otp_invalid",
        code: "OTP_INVALID",
        status: 400,
        message: "Invalid one-time password.",
        scope: "",
        trigger: "token with an `otp` that is neither the fixed (`000000`) nor the generated one",
    },
    CodeSpec {
        key: "otp_locked",
        code: "OTP_ATTEMPTS_EXCEEDED",
        status: 403,
        message: "Number of one-time password attempts exceeded.",
        scope: "",
        trigger: "the 3rd wrong `otp` for one access code (`otp.attempts`), and every later use of that code",
    },
    CodeSpec {
        key: "access_code_invalid",
        code: "ACCESS_CODE_INVALID",
        status: 400,
        message: "Invalid access code.",
        scope: "",
        trigger: "token with an `accessCode` never issued in this tenant",
    },
    CodeSpec {
        key: "access_code_expired",
        code: "ACCESS_CODE_EXPIRED",
        status: 400,
        message: "Access code expired.",
        scope: "",
        trigger: "token with an access code older than `otp.ttl_minutes` (5 virtual minutes)",
    },
    CodeSpec {
        key: "access_code_used",
        code: "ACCESS_CODE_USED",
        status: 400,
        message: "Access code already used.",
        scope: "",
        trigger: "token with an access code that already gave a token",
    },
    CodeSpec {
        key: "response_type_invalid",
        code: "RESPONSE_TYPE_INVALID",
        status: 400,
        message: "Unknown responseType.",
        scope: "",
        trigger: "clients with `responseType` empty or naming something else than contacts, contactsExtra, bindings, permissions",
    },
    CodeSpec {
        key: "not_acceptable",
        code: "NOT_ACCEPTABLE",
        status: 406,
        message: "Unsupported Accept header.",
        scope: "",
        trigger: "clients with `Accept: application/xml` or `Accept: application/json; version=2.0` (missing Accept too, with `require_accept: true`)",
    },
    CodeSpec {
        key: "client_exists",
        code: "CLIENT_ALREADY_EXISTS",
        status: 409,
        message: "Client already exists.",
        scope: "",
        trigger: "create with a phone or email an existing client has, e.g. `9161234567`",
    },
    CodeSpec {
        key: "malformed_json",
        code: "MALFORMED_REQUEST",
        status: 400,
        message: "Malformed request.",
        scope: "",
        trigger: "a body that is not JSON or not an object, or larger than 1 MiB",
    },
    CodeSpec {
        key: "not_found",
        code: "NOT_FOUND",
        status: 404,
        message: "Not found.",
        scope: "",
        trigger: "any other path under `/sbersafe`",
    },
    CodeSpec {
        key: "method_not_allowed",
        code: "METHOD_NOT_ALLOWED",
        status: 405,
        message: "Method not allowed.",
        scope: "",
        trigger: "GET (or any method but POST) on an endpoint",
    },
    CodeSpec {
        key: "system_error",
        code: "SYSTEM_ERROR",
        status: 500,
        message: "System error.",
        scope: "",
        trigger: "find or create with phone `9000000500` or email `error@sandbox.test` (`system_error_values`)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CodeTable;

    #[test]
    fn table_has_no_colliding_codes() {
        assert!(CodeTable::override_problems(SPECS, &Default::default()).is_empty());
    }
}
