//! TrustDecision's part of the OpenAPI document: the request and answer schemas derived
//! from the wire types, the one operation (served at the bare prefix and at every path
//! below it), the query keys as the security scheme, and the answer's description made
//! from the code table, since every code goes out with HTTP 200.

use serde_json::json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, OneOfBuilder, RefOr, Schema, Type};
use utoipa::{Modify, OpenApi};

use super::codes::SPECS;
use super::wire::{self, Answer, Indicator, Query};

/// The countries and packages of the default scenario (a scenario may serve others).
const COUNTRIES: [&str; 8] = ["MX", "IN", "TH", "CO", "PH", "VN", "NG", "PK"];
const PACKAGES: [&str; 4] = [
    "credit_rating_estimation",
    "multiplatform_multi",
    "behavior_analysis_of_repayment",
    "multiplatform_multi_V1_1",
];

fn text() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(wire::MAX_TEXT))
}

fn one_of(values: &[&str]) -> ObjectBuilder {
    text().enum_values(Some(values.iter().map(|v| v.to_string())))
}

pub fn id_type() -> Schema {
    Schema::Object(
        one_of(&[wire::ID_TYPE])
            .description(Some("The only identity type the document lists."))
            .build(),
    )
}

pub fn country() -> Schema {
    Schema::Object(
        one_of(&COUNTRIES)
            .description(Some(
                "A served country, upper case (the default scenario's; another \
                 answers 9061 `country error`).",
            ))
            .build(),
    )
}

pub fn package_name() -> Schema {
    Schema::Object(
        one_of(&PACKAGES)
            .description(Some(
                "Exactly one package, offered in `country` (else 9061 \
                 `package_name error`); one the partner did not buy answers 301.",
            ))
            .build(),
    )
}

pub fn phone_number() -> Schema {
    Schema::Object(
        text()
            .examples([json!("5512345678")])
            .description(Some(
                "Digits only, no country code: 10 digits (MX, IN, CO), 10 starting \
                 with 0 (TH, VN), 11 (PH), 11 starting with 0 (NG, PK); another \
                 format answers 9081.",
            ))
            .build(),
    )
}

pub fn code() -> Schema {
    let codes = || SPECS.iter().map(|s| wire::code_value(s.code));
    let number = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .enum_values(Some(codes()));
    let overridden = ObjectBuilder::new().schema_type(Type::String);
    Schema::OneOf(
        OneOfBuilder::new()
            .item(number)
            .item(overridden)
            .description(Some(
                "The code: an integer of the code table (a string only when a scenario \
                 overrides it with one).",
            ))
            .build(),
    )
}

pub fn indicator_value() -> Schema {
    Schema::OneOf(
        OneOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Integer))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .description(Some(
                "Integer or string as the indicator is defined; -999 no record, \
                 -1111 cannot be calculated (as `\"-999\"` for a string indicator).",
            ))
            .build(),
    )
}

pub fn indicator_status() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .maximum(Some(u16::MAX))
            .examples([json!(wire::STATUS_OK)])
            .description(Some(
                "200 value; 201 no record; 202 cannot be calculated; 500 system error.",
            ))
            .build(),
    )
}

/// The one API. Its description of the answer is replaced by the code table's.
#[utoipa::path(
    post,
    path = "/",
    request_body(
        content = Query,
        content_type = "application/json",
        description = "The person and the package asked for; a blank body counts as `{}`.",
        example = json!({
            "id_number": "PEJU900101HDFRRN01", "id_type": "national_id", "country": "MX",
            "name": "Juan Perez", "phone_number": "5512345678", "app_name": "MiApp",
            "package_name": "credit_rating_estimation"
        }),
    ),
    responses((
        status = 200,
        description = "every code",
        body = Answer,
        examples(
            ("success" = (summary = "200 Success", value = json!({
                "code": 200, "message": "Success",
                "sequence_id": "1648777165770866F82AC7F326307055",
                "data": [
                    {"indicator_name": "credit_score", "indicator_value": 731,
                     "indicator_status": 200},
                    {"indicator_name": "credit_grade", "indicator_value": "B",
                     "indicator_status": 200},
                    {"indicator_name": "default_probability_level",
                     "indicator_value": "low", "indicator_status": 200}]
            }))),
            ("failure" = (summary = "9061 country error: no data", value = json!({
                "code": 9061, "message": "country error",
                "sequence_id": "1648777165771A0C35E1B9D04F7E2C18"
            }))),
        ),
    )),
    security(("partner_code" = [], "partner_key" = [])),
)]
#[allow(dead_code)]
fn query() {}

#[derive(OpenApi)]
#[openapi(
    paths(query),
    components(schemas(Query, Answer, Indicator)),
    modifiers(&Keys)
)]
struct Doc;

/// `partner_code` and `partner_key` in the query, both on every call. A missing key is
/// answered HTTP 200 (code 9060) like every code, so the fuzzer runs this API without
/// schemathesis's `ignored_auth` check, which expects a 401 (scripts/contract-fuzz.sh).
struct Keys;

impl Modify for Keys {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        for (name, what) in [
            (
                "partner_code",
                "The partner's code (missing: 9060; unknown: 9061).",
            ),
            (
                "partner_key",
                "The partner's key (missing: 9060; wrong: 9061).",
            ),
        ] {
            let key = ApiKey::Query(ApiKeyValue::with_description(name, what));
            components.add_security_scheme(name, SecurityScheme::ApiKey(key));
        }
    }
}

/// The document: the operation at `/` and, the same, at `/{tail}` (the platform adds
/// the ids and the path parameter).
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = Doc::openapi();
    let paths = &mut doc.paths.paths;
    if let Some(item) = paths.get_mut("/")
        && let Some(op) = item.post.as_mut()
    {
        op.operation_id = None;
        if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
            ok.description = "Every code goes out with HTTP 200, the code in the body.".into();
        }
        let tail = item.clone();
        paths.insert("/{tail}".into(), tail);
    }
    doc
}
