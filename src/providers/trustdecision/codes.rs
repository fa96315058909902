//! TrustDecision's response codes, as the document's "API Interface Response Code"
//! table lists them. One scope: the API has a single endpoint. Every code is answered
//! with HTTP 200 and the code in the body (the document never names an HTTP status).

use crate::codes::code_table;

code_table! {
    /// TrustDecision's one error type: a variant per documented error code.
    pub enum TdError in SPECS;
    ok = "200", 200, "",
        "Success",
        "partner `sandbox`/`sandbox`, a well-formed request";
    not_effective = "300", 200, "",
        "Service not purchased or not effective",
        "partner `not_effective`/`sandbox` (state not_effective) or `nothing`/`sandbox` (no package bought)"
        => NotEffective;
    package_not_purchased = "301", 200, "",
        "Service not purchased",
        "partner `v11_only`/`sandbox` asking for any package but multiplatform_multi_V1_1"
        => PackageNotPurchased;
    suspended = "302", 200, "",
        "Service has been suspend",
        "partner `suspended`/`sandbox`"
        => Suspended;
    no_balance = "303", 200, "",
        "Not enough balance",
        "partner `empty`/`sandbox` (balance 0); `three_calls`/`sandbox` from its 4th call"
        => NoBalance;
    expired = "304", 200, "",
        "Service expired",
        "partner `expired`/`sandbox`; `expiring`/`sandbox` once the clock passes 2030-01-01T00:00:00Z"
        => Expired;
    internal_error = "9500", 200, "",
        "Internal error",
        "id_number `9500000000`"
        => Internal;
    // 9060 and 9061 name the parameter in `{parameter}` (see `Reply::failure`).
    empty = "9060", 200, "",
        "{parameter} empty",
        "leave out or empty any required field or partner_code/partner_key"
        => Empty(String);
    invalid = "9061", 200, "",
        "{parameter} error",
        "a wrong partner_key, country `US`, id_type `passport`, a package the country lacks, malformed JSON"
        => Invalid(String);
    country_no_service = "9055", 200, "",
        "The country partner located has no service",
        "partner `us_based`/`sandbox` (located in US, not served) on any call; `mx_only`/`sandbox` asking for any country but MX"
        => CountryNoService;
    phone_mismatch = "9081", 200, "",
        "The format of the phone number does not match with the country",
        "country `IN` with phone_number `12345`"
        => PhoneMismatch;
}
