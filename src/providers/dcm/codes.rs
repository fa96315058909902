//! DCM's codes, in two scopes. The bank API (`/api/v1/...`, scope `api`) answers plain
//! HTTP statuses with `{"error": "..."}` bodies (the document shows 200, 400 "json with
//! error msg" and 401 `Access credentials are invalid`; 404 for a missing counterparty
//! or customer is our choice). The login (`/kratos/...`, scope `kratos`) is Ory Kratos
//! and answers what Kratos answers: its generic error body, whose code is the error's
//! `id` where Kratos gives one (`self_service_flow_expired`) and else the HTTP status,
//! or the login flow again with a UI message, whose code is the message's numeric id
//! (`4000006`).

use crate::codes::code_table;

/// The bank API's scope.
pub const API: &str = "api";
/// The Kratos login's scope.
pub const KRATOS: &str = "kratos";

code_table! {
    /// DCM's one error type: a variant per documented error code.
    pub enum DcmError in SPECS;
    ok {
        code: "200",
        status: 200,
        scope: "",
        message: "",
        trigger: "any valid request with `Authorization: bearer sandbox-dcm-token`; a login with `employee@sandbox.test` / `sandbox`",
    }
    bad_request {
        code: "400",
        status: 400,
        scope: API,
        message: "bad request",
        trigger: "a duplicate login, a malformed UUID (`\"guid\": \"\"` → `invalid UUID length: 0`), bad JSON, an unknown asset, a bad query value",
        answered_by: BadRequest(String),
    }
    unauthorized {
        code: "401",
        status: 401,
        scope: API,
        message: "Access credentials are invalid",
        trigger: "no `Authorization`/`CX-Authorization`, an unknown, expired or logged-out token, a JWT not signed by a registered key",
        answered_by: Unauthorized,
    }
    not_found {
        code: "404",
        status: 404,
        scope: API,
        message: "not found",
        trigger: "counterparty `22222222-2222-4222-8222-222222222222` (not in the scenario), an unknown customer GUID, an unknown path",
        answered_by: NotFound(String),
    }
    logout_ok {
        code: "204",
        status: 204,
        scope: KRATOS,
        message: "",
        trigger: "`DELETE /dcm/kratos/self-service/logout/api` with the `session_token` of a live session",
    }
    kratos_bad_request {
        code: "400",
        status: 400,
        scope: KRATOS,
        message: "The request was malformed or contained invalid parameters",
        trigger: "a login without `?flow=` or with one that is not a UUID, a login body that is not JSON or a form, `aal=aal2`",
        answered_by: KratosBadRequest(String),
    }
    no_session {
        code: "401",
        status: 401,
        scope: KRATOS,
        message: "The request could not be authorized",
        trigger: "`GET /dcm/kratos/sessions/whoami` without a token, or with an unknown, expired or logged-out one",
        answered_by: NoSession,
    }
    unknown_session_token {
        code: "403",
        status: 403,
        scope: KRATOS,
        message: "The requested action was forbidden",
        trigger: "a logout with an unknown, expired or empty `session_token`",
        answered_by: UnknownSessionToken,
    }
    flow_not_found {
        code: "404",
        status: 404,
        scope: KRATOS,
        message: "Unable to locate the resource",
        trigger: "a login through flow `00000000-0000-4000-8000-000000000000` (never created), an unknown path under `/dcm/kratos`",
        answered_by: FlowNotFound,
    }
    flow_expired {
        code: "self_service_flow_expired",
        status: 410,
        scope: KRATOS,
        message: "self-service flow expired",
        trigger: "a login through a flow older than `flow_lifetime_minutes` (60)",
        answered_by: FlowExpired(String, chrono::DateTime<chrono::Utc>),
    }
    field_invalid {
        code: "4000001",
        status: 400,
        scope: KRATOS,
        message: "expected string, but got {type}",
        trigger: "a JSON login whose `identifier` or `password` is not a string (`\"password\": 1`)",
        answered_by: FieldInvalid(super::errors::FlowFeedback),
    }
    field_missing {
        code: "4000002",
        status: 400,
        scope: KRATOS,
        message: "Property {property} is missing.",
        trigger: "a login without `identifier` or without `password`",
        answered_by: FieldMissing(super::errors::FlowFeedback),
    }
    field_empty {
        code: "4000003",
        status: 400,
        scope: KRATOS,
        message: "length must be >= 1, but got 0",
        trigger: "a login with `identifier=` or `password=` empty",
        answered_by: FieldEmpty(super::errors::FlowFeedback),
    }
    invalid_credentials {
        code: "4000006",
        status: 400,
        scope: KRATOS,
        message: "The provided credentials are invalid, check for spelling mistakes in your password or username, email address, or phone number.",
        trigger: "a login with an unknown identifier or a wrong password (`employee@sandbox.test` / `nope`)",
        answered_by: InvalidCredentials(super::errors::FlowFeedback),
    }
    no_strategy {
        code: "4010002",
        status: 400,
        scope: KRATOS,
        message: "Could not find a strategy to log you in with. Did you fill out the form correctly?",
        trigger: "a login with a `method` other than `password` (`method=oidc`)",
        answered_by: NoStrategy(super::errors::FlowFeedback),
    }
}
