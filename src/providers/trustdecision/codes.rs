//! TrustDecision's response codes, as the document's "API Interface Response Code"
//! table lists them. One scope: the API has a single endpoint. Every code is answered
//! with HTTP 200 and the code in the body (the document never names an HTTP status).

use crate::codes::CodeSpec;

pub const SPECS: &[CodeSpec] = &[
    CodeSpec {
        key: "ok",
        code: "200",
        status: 200,
        message: "Success",
        scope: "",
        trigger: "partner `sandbox`/`sandbox`, a well-formed request",
    },
    CodeSpec {
        key: "not_effective",
        code: "300",
        status: 200,
        message: "Service not purchased or not effective",
        scope: "",
        trigger: "partner `not_effective`/`sandbox` (state not_effective) or `nothing`/`sandbox` (no package bought)",
    },
    CodeSpec {
        key: "package_not_purchased",
        code: "301",
        status: 200,
        message: "Service not purchased",
        scope: "",
        trigger: "partner `v11_only`/`sandbox` asking for any package but multiplatform_multi_V1_1",
    },
    CodeSpec {
        key: "suspended",
        code: "302",
        status: 200,
        message: "Service has been suspend",
        scope: "",
        trigger: "partner `suspended`/`sandbox`",
    },
    CodeSpec {
        key: "no_balance",
        code: "303",
        status: 200,
        message: "Not enough balance",
        scope: "",
        trigger: "partner `empty`/`sandbox` (balance 0); `three_calls`/`sandbox` from its 4th call",
    },
    CodeSpec {
        key: "expired",
        code: "304",
        status: 200,
        message: "Service expired",
        scope: "",
        trigger: "partner `expired`/`sandbox`; `expiring`/`sandbox` once the clock passes 2030-01-01T00:00:00Z",
    },
    CodeSpec {
        key: "internal_error",
        code: "9500",
        status: 200,
        message: "Internal error",
        scope: "",
        trigger: "id_number `9500000000`",
    },
    CodeSpec {
        key: "empty",
        code: "9060",
        status: 200,
        message: "{parameter} empty",
        scope: "",
        trigger: "leave out or empty any required field or partner_code/partner_key",
    },
    CodeSpec {
        key: "invalid",
        code: "9061",
        status: 200,
        message: "{parameter} error",
        scope: "",
        trigger: "a wrong partner_key, country `US`, id_type `passport`, a package the country lacks, malformed JSON",
    },
    CodeSpec {
        key: "country_no_service",
        code: "9055",
        status: 200,
        message: "The country partner located has no service",
        scope: "",
        trigger: "partner `us_based`/`sandbox` (located in US, not served) on any call; `mx_only`/`sandbox` asking for any country but MX",
    },
    CodeSpec {
        key: "phone_mismatch",
        code: "9081",
        status: 200,
        message: "The format of the phone number does not match with the country",
        scope: "",
        trigger: "country `IN` with phone_number `12345`",
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
