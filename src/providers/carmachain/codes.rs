//! CarmaChain's codes. The document names none, so this is our own small set: `0` for
//! success, 1xxx for the API key, 2xxx for the request body, 3xxx for routing, 5000 for
//! the provider's own failure. Every code travels in the same
//! `{"response":{"code","message"}}` body (the document's `ApiRequestStatus`).

use crate::codes::code_table;

code_table! {
    /// CarmaChain's one error type: a variant per documented error code.
    pub enum CarmaError in SPECS;
    ok = "0", 200, "",
        "OK",
        "any valid request";
    missing_key = "1001", 401, "",
        "API key is missing",
        "no `Authorization` header on `/api/createrequest` or `/api/respond`"
        => MissingKey;
    malformed_key = "1002", 401, "",
        "API key is malformed or its signature is invalid",
        "`Authorization: not-a-jwt`, or a JWT signed with another secret"
        => MalformedKey(String);
    expired_key = "1003", 401, "",
        "API key has expired",
        "a key used 24 virtual hours after `getToken` (`POST /__sandbox/clock/advance`)"
        => ExpiredKey;
    revoked_key = "1004", 401, "",
        "API key has been revoked or is unknown",
        "a key after `DELETE /__sandbox/carmachain/tokens/{id}`, or one issued to another tenant"
        => RevokedKey;
    bad_credentials = "1005", 401, "",
        "Client credentials are invalid",
        "`getToken` with HTTP Basic `sandbox:wrong` (or without credentials when no open client is configured)"
        => BadCredentials(String);
    out_of_scope = "1006", 403, "",
        "API key does not cover this method",
        "a key of client `reader` (scope `respond`) calling `/api/createrequest`"
        => OutOfScope(String);
    bad_json = "2001", 400, "",
        "Request body is not valid JSON",
        "a body that is not JSON, or one over 1 MiB"
        => BadJson(String);
    invalid_field = "2002", 400, "",
        "A field is missing, has the wrong type or is not known",
        "`{\"value\": 1}`, an unknown field, `period: -1`, more than 100 items"
        => InvalidField(String);
    unknown_category = "2003", 400, "",
        "type_request holds an unknown category",
        "`\"type_request\": \"Adress\"`"
        => UnknownCategory(String);
    bad_phone = "2004", 400, "",
        "PhoneNumber is not in a documented format",
        "`\"PhoneNumber\": \"12345\"` (formats: +380XXXXXXXXX, 380XXXXXXXXX, 0XXXXXXXXX)"
        => BadPhone(String);
    empty_value = "2005", 400, "",
        "value must not be empty",
        "`\"value\": []`"
        => EmptyValue;
    unknown_request = "2006", 400, "",
        "idRequest holds an unknown request id",
        "`\"idRequest\": [\"nope\"]`, or an id created by another tenant"
        => UnknownRequest(String);
    selector = "2007", 400, "",
        "Give exactly one of idRequest and period",
        "`/api/respond` with both `idRequest` and `period`, or neither"
        => Selector(String);
    not_found = "3001", 404, "",
        "No such endpoint",
        "`POST /carmachain/api/nothing`";
    method_not_allowed = "3002", 405, "",
        "Method not allowed on this endpoint",
        "`GET /carmachain/api/createrequest`";
    internal_error = "5000", 500, "",
        "Internal error",
        "`IdDocument` `SYSTEM-ERROR` in `/api/createrequest`, or a full request store"
        => Internal(String);
}
