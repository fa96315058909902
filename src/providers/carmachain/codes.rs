//! CarmaChain's codes. The document names none (FACTS.md), so this is our own small set:
//! `0` for success, 1xxx for the API key, 2xxx for the request body, 3xxx for routing,
//! 5000 for the provider's own failure. Every code travels in the same
//! `{"response":{"code","message"}}` body (the document's `ApiRequestStatus`).

use crate::codes::CodeSpec;

pub const SPECS: &[CodeSpec] = &[
    CodeSpec {
        key: "ok",
        code: "0",
        status: 200,
        message: "OK",
        scope: "",
        trigger: "any valid request",
    },
    CodeSpec {
        key: "missing_key",
        code: "1001",
        status: 401,
        message: "API key is missing",
        scope: "",
        trigger: "no `Authorization` header on `/api/createrequest` or `/api/respond`",
    },
    CodeSpec {
        key: "malformed_key",
        code: "1002",
        status: 401,
        message: "API key is malformed or its signature is invalid",
        scope: "",
        trigger: "`Authorization: not-a-jwt`, or a JWT signed with another secret",
    },
    CodeSpec {
        key: "expired_key",
        code: "1003",
        status: 401,
        message: "API key has expired",
        scope: "",
        trigger: "a key used 24 virtual hours after `getToken` (`POST /__sandbox/clock/advance`)",
    },
    CodeSpec {
        key: "revoked_key",
        code: "1004",
        status: 401,
        message: "API key has been revoked or is unknown",
        scope: "",
        trigger: "a key after `DELETE /__sandbox/carmachain/tokens/{id}`, or one issued to another tenant",
    },
    CodeSpec {
        key: "bad_credentials",
        code: "1005",
        status: 401,
        message: "Client credentials are invalid",
        scope: "",
        trigger: "`getToken` with HTTP Basic `sandbox:wrong` (or without credentials when no open client is configured)",
    },
    CodeSpec {
        key: "out_of_scope",
        code: "1006",
        status: 403,
        message: "API key does not cover this method",
        scope: "",
        trigger: "a key of client `reader` (scope `respond`) calling `/api/createrequest`",
    },
    CodeSpec {
        key: "bad_json",
        code: "2001",
        status: 400,
        message: "Request body is not valid JSON",
        scope: "",
        trigger: "a body that is not JSON, or one over 1 MiB",
    },
    CodeSpec {
        key: "invalid_field",
        code: "2002",
        status: 400,
        message: "A field is missing, has the wrong type or is not known",
        scope: "",
        trigger: "`{\"value\": 1}`, an unknown field, `period: -1`, more than 100 items",
    },
    CodeSpec {
        key: "unknown_category",
        code: "2003",
        status: 400,
        message: "type_request holds an unknown category",
        scope: "",
        trigger: "`\"type_request\": \"Adress\"`",
    },
    CodeSpec {
        key: "bad_phone",
        code: "2004",
        status: 400,
        message: "PhoneNumber is not in a documented format",
        scope: "",
        trigger: "`\"PhoneNumber\": \"12345\"` (formats: +380XXXXXXXXX, 380XXXXXXXXX, 0XXXXXXXXX)",
    },
    CodeSpec {
        key: "empty_value",
        code: "2005",
        status: 400,
        message: "value must not be empty",
        scope: "",
        trigger: "`\"value\": []`",
    },
    CodeSpec {
        key: "unknown_request",
        code: "2006",
        status: 400,
        message: "idRequest holds an unknown request id",
        scope: "",
        trigger: "`\"idRequest\": [\"nope\"]`, or an id created by another tenant",
    },
    CodeSpec {
        key: "selector",
        code: "2007",
        status: 400,
        message: "Give exactly one of idRequest and period",
        scope: "",
        trigger: "`/api/respond` with both `idRequest` and `period`, or neither",
    },
    CodeSpec {
        key: "not_found",
        code: "3001",
        status: 404,
        message: "No such endpoint",
        scope: "",
        trigger: "`POST /carmachain/api/nothing`",
    },
    CodeSpec {
        key: "method_not_allowed",
        code: "3002",
        status: 405,
        message: "Method not allowed on this endpoint",
        scope: "",
        trigger: "`GET /carmachain/api/createrequest`",
    },
    CodeSpec {
        key: "internal_error",
        code: "5000",
        status: 500,
        message: "Internal error",
        scope: "",
        trigger: "`IdDocument` `SYSTEM-ERROR` in `/api/createrequest`, or a full request store",
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
