//! DCM's codes are plain HTTP statuses with `{"error": "..."}` bodies (the document
//! shows 200, 400 "json with error msg" and 401 `Access credentials are invalid`; 404 for
//! a missing counterparty or customer is our choice). One scope: every endpoint answers
//! the same body shape.

use crate::codes::code_table;

code_table! {
    /// DCM's one error type: a variant per documented error code.
    pub enum DcmError in SPECS;
    ok {
        code: "200",
        status: 200,
        scope: "",
        message: "",
        trigger: "any valid request with `Authorization: bearer sandbox-dcm-token`",
    }
    bad_request {
        code: "400",
        status: 400,
        scope: "",
        message: "bad request",
        trigger: "a duplicate login, a malformed UUID (`\"guid\": \"\"` → `invalid UUID length: 0`), bad JSON, an unknown asset, a bad query value",
        answered_by: BadRequest(String),
    }
    unauthorized {
        code: "401",
        status: 401,
        scope: "",
        message: "Access credentials are invalid",
        trigger: "no `Authorization`/`CX-Authorization`, an unknown or expired token, a wrong password, a JWT not signed by a registered key",
        answered_by: Unauthorized,
    }
    not_found {
        code: "404",
        status: 404,
        scope: "",
        message: "not found",
        trigger: "counterparty `22222222-2222-4222-8222-222222222222` (not in the scenario), an unknown customer GUID, an unknown path",
        answered_by: NotFound(String),
    }
}
