//! TrustDecision's response codes, as the document's "API Interface Response Code"
//! table lists them. One scope: the API has a single endpoint. Every code is answered
//! with HTTP 200 and the code in the body (the document never names an HTTP status).

use crate::codes::code_table;

code_table! {
    /// TrustDecision's one error type: a variant per documented error code.
    pub enum TdError in SPECS;
    ok {
        code: "200",
        status: 200,
        scope: "",
        message: "Success",
        trigger: "partner `sandbox`/`sandbox`, a well-formed request",
    }
    not_effective {
        code: "300",
        status: 200,
        scope: "",
        message: "Service not purchased or not effective",
        trigger: "partner `not_effective`/`sandbox` (state not_effective) or `nothing`/`sandbox` (no package bought)",
        answered_by: NotEffective,
    }
    package_not_purchased {
        code: "301",
        status: 200,
        scope: "",
        message: "Service not purchased",
        trigger: "partner `v11_only`/`sandbox` asking for any package but multiplatform_multi_V1_1",
        answered_by: PackageNotPurchased,
    }
    suspended {
        code: "302",
        status: 200,
        scope: "",
        message: "Service has been suspend",
        trigger: "partner `suspended`/`sandbox`",
        answered_by: Suspended,
    }
    no_balance {
        code: "303",
        status: 200,
        scope: "",
        message: "Not enough balance",
        trigger: "partner `empty`/`sandbox` (balance 0); `three_calls`/`sandbox` from its 4th call",
        answered_by: NoBalance,
    }
    expired {
        code: "304",
        status: 200,
        scope: "",
        message: "Service expired",
        trigger: "partner `expired`/`sandbox`; `expiring`/`sandbox` once the clock passes 2030-01-01T00:00:00Z",
        answered_by: Expired,
    }
    internal_error {
        code: "9500",
        status: 200,
        scope: "",
        message: "Internal error",
        trigger: "id_number `9500000000`",
        answered_by: Internal,
    }
    empty {
        code: "9060",
        status: 200,
        scope: "",
        message: "{parameter} empty",
        trigger: "leave out or empty any required field or partner_code/partner_key",
        answered_by: Empty(String),
    }
    invalid {
        code: "9061",
        status: 200,
        scope: "",
        message: "{parameter} error",
        trigger: "a wrong partner_key, country `US`, id_type `passport`, a package the country lacks, malformed JSON",
        answered_by: Invalid(String),
    }
    country_no_service {
        code: "9055",
        status: 200,
        scope: "",
        message: "The country partner located has no service",
        trigger: "partner `us_based`/`sandbox` (located in US, not served) on any call; `mx_only`/`sandbox` asking for any country but MX",
        answered_by: CountryNoService,
    }
    phone_mismatch {
        code: "9081",
        status: 200,
        scope: "",
        message: "The format of the phone number does not match with the country",
        trigger: "country `IN` with phone_number `12345`",
        answered_by: PhoneMismatch,
    }
}
