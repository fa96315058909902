//! DCM's codes are plain HTTP statuses with `{"error": "..."}` bodies (the document
//! shows 200, 400 "json with error msg" and 401 `Access credentials are invalid`; 404 for
//! a missing counterparty or customer is our choice). One scope: every endpoint answers
//! the same body shape.

use crate::codes::code_table;

code_table! {
    /// DCM's one error type: a variant per documented error code.
    pub enum DcmError in SPECS;
    ok = "200", 200, "",
        "",
        "any valid request with `Authorization: bearer sandbox-dcm-token`";
    // 400 with the detail as the message.
    bad_request = "400", 400, "",
        "bad request",
        "a duplicate login, a malformed UUID (`\"guid\": \"\"` → `invalid UUID length: 0`), bad JSON, an unknown asset, a bad query value"
        => BadRequest(String);
    unauthorized = "401", 401, "",
        "Access credentials are invalid",
        "no `Authorization`/`CX-Authorization`, an unknown or expired token, a wrong password, a JWT not signed by a registered key"
        => Unauthorized;
    // 404 with the detail as the message.
    not_found = "404", 404, "",
        "not found",
        "counterparty `22222222-2222-4222-8222-222222222222` (not in the scenario), an unknown customer GUID, an unknown path"
        => NotFound(String);
}
