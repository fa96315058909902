//! CarmaChain's codes. The document names none, so this is our own small set: `0` for
//! success, 1xxx for the API key, 2xxx for the request body, 3xxx for routing, 5000 for
//! the provider's own failure. Every code travels in the same
//! `{"response":{"code","message"}}` body (the document's `ApiRequestStatus`).

use crate::codes::code_table;

code_table! {
    /// CarmaChain's one error type: a variant per documented error code.
    pub enum CarmaError in SPECS;
    ok {
        code: "0",
        status: 200,
        scope: "",
        message: "OK",
        trigger: "any valid request",
    }
    missing_key {
        code: "1001",
        status: 401,
        scope: "",
        message: "API key is missing",
        trigger: "no `Authorization` header on `/api/createrequest` or `/api/respond`",
        answered_by: MissingKey,
    }
    malformed_key {
        code: "1002",
        status: 401,
        scope: "",
        message: "API key is malformed or its signature is invalid",
        trigger: "`Authorization: not-a-jwt`, or a JWT signed with another secret",
        answered_by: MalformedKey(String),
    }
    expired_key {
        code: "1003",
        status: 401,
        scope: "",
        message: "API key has expired",
        trigger: "a key used 24 virtual hours after `getToken` (`POST /__sandbox/clock/advance`)",
        answered_by: ExpiredKey,
    }
    revoked_key {
        code: "1004",
        status: 401,
        scope: "",
        message: "API key has been revoked or is unknown",
        trigger: "a key after `DELETE /__sandbox/carmachain/tokens/{id}`, or one issued to another tenant",
        answered_by: RevokedKey,
    }
    bad_credentials {
        code: "1005",
        status: 401,
        scope: "",
        message: "Client credentials are invalid",
        trigger: "`getToken` with HTTP Basic `sandbox:wrong` (or without credentials when no open client is configured)",
        answered_by: BadCredentials(String),
    }
    out_of_scope {
        code: "1006",
        status: 403,
        scope: "",
        message: "API key does not cover this method",
        trigger: "a key of client `reader` (scope `respond`) calling `/api/createrequest`",
        answered_by: OutOfScope(String),
    }
    bad_json {
        code: "2001",
        status: 400,
        scope: "",
        message: "Request body is not valid JSON",
        trigger: "a body that is not JSON, or one over 1 MiB",
        answered_by: BadJson(String),
    }
    invalid_field {
        code: "2002",
        status: 400,
        scope: "",
        message: "A field is missing, has the wrong type or is not known",
        trigger: "`{\"value\": 1}`, an unknown field, `period: -1`, more than 100 items",
        answered_by: InvalidField(String),
    }
    unknown_category {
        code: "2003",
        status: 400,
        scope: "",
        message: "type_request holds an unknown category",
        trigger: "`\"type_request\": \"Adress\"`",
        answered_by: UnknownCategory(String),
    }
    bad_phone {
        code: "2004",
        status: 400,
        scope: "",
        message: "PhoneNumber is not in a documented format",
        trigger: "`\"PhoneNumber\": \"12345\"` (formats: +380XXXXXXXXX, 380XXXXXXXXX, 0XXXXXXXXX)",
        answered_by: BadPhone(String),
    }
    empty_value {
        code: "2005",
        status: 400,
        scope: "",
        message: "value must not be empty",
        trigger: "`\"value\": []`",
        answered_by: EmptyValue,
    }
    unknown_request {
        code: "2006",
        status: 400,
        scope: "",
        message: "idRequest holds an unknown request id",
        trigger: "`\"idRequest\": [\"nope\"]`, or an id created by another tenant",
        answered_by: UnknownRequest(String),
    }
    selector {
        code: "2007",
        status: 400,
        scope: "",
        message: "Give exactly one of idRequest and period",
        trigger: "`/api/respond` with both `idRequest` and `period`, or neither",
        answered_by: Selector(String),
    }
    not_found {
        code: "3001",
        status: 404,
        scope: "",
        message: "No such endpoint",
        trigger: "`POST /carmachain/api/nothing`",
    }
    method_not_allowed {
        code: "3002",
        status: 405,
        scope: "",
        message: "Method not allowed on this endpoint",
        trigger: "`GET /carmachain/api/createrequest`",
    }
    internal_error {
        code: "5000",
        status: 500,
        scope: "",
        message: "Internal error",
        trigger: "`IdDocument` `SYSTEM-ERROR` in `/api/createrequest`, or a full request store",
        answered_by: Internal(String),
    }
}
