//! DCM's codes are plain HTTP statuses with `{"error": "..."}` bodies (the document
//! shows 200, 400 "json with error msg" and 401 `Access credentials are invalid`; 404 for
//! a missing counterparty or customer is our choice). One scope: every endpoint answers
//! the same body shape.

use crate::codes::CodeSpec;

pub const SPECS: &[CodeSpec] = &[
    CodeSpec {
        key: "ok",
        code: "200",
        status: 200,
        message: "",
        scope: "",
        trigger: "any valid request with `Authorization: bearer sandbox-dcm-token`",
    },
    CodeSpec {
        key: "bad_request",
        code: "400",
        status: 400,
        message: "bad request",
        scope: "",
        trigger: "a duplicate login, a malformed UUID (`\"guid\": \"\"` → `invalid UUID length: 0`), bad JSON, an unknown asset, a bad query value",
    },
    CodeSpec {
        key: "unauthorized",
        code: "401",
        status: 401,
        message: "Access credentials are invalid",
        scope: "",
        trigger: "no `Authorization`/`CX-Authorization`, an unknown or expired token, a wrong password, a JWT not signed by a registered key",
    },
    CodeSpec {
        key: "not_found",
        code: "404",
        status: 404,
        message: "not found",
        scope: "",
        trigger: "counterparty `22222222-2222-4222-8222-222222222222` (not in the scenario), an unknown customer GUID, an unknown path",
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
