//! Bodies as on the wire (field names and order as the document shows them); the
//! login's, Ory Kratos's own, are in `kratos`.

pub mod kratos;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::state::{Account, Asset, Counterparty, Created, Customer};
use crate::provider::writer::{Object, object_json};

/// `2023-07-14T11:31:14.137931Z`, as the document shows.
pub fn fmt_time(t: DateTime<Utc>) -> String {
    let mut text = String::with_capacity(27);
    push_time(&mut text, t);
    text
}

/// `fmt_time`'s text appended to `text`.
fn push_time(text: &mut String, t: DateTime<Utc>) {
    if !crate::clock::push_date_time(text, &t.naive_utc(), b'T') {
        text.push_str(&t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
        return;
    }
    text.push('.');
    crate::clock::push_digits(text, u64::from(t.timestamp_subsec_micros()), 6);
    text.push('Z');
}

/// `POST .../customers`: every documented field; `guid` is ours (honoured when sent).
/// Texts are at most 255 characters; `asset_code` and `asset_issuer` must not be empty.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = dcm::CreateCustomer, example = json!({
    "asset_code": "UAH", "asset_issuer": "GDQQY7WXGK5JZJQHLY7GMNZOCJ2QVG3ZNHDT4WYCNJU6ZG53RVXZPN2E",
    "login": "ivan@example.com", "name": "Іван", "surname": "Петренко",
    "phone_number": "+380501112233", "kyc_level": 1, "balance_allowed": 1000,
    "segment": "PL", "status": "active"
}))]
pub struct CreateCustomer {
    #[schema(required = true, value_type = String, min_length = 1, max_length = 255)]
    pub asset_code: Option<String>,
    #[schema(required = true, value_type = String, min_length = 1, max_length = 255)]
    pub asset_issuer: Option<String>,
    #[schema(minimum = 0)]
    pub balance_allowed: Option<f64>,
    #[schema(max_length = 255)]
    pub balance_asset_code: Option<String>,
    #[schema(max_length = 255)]
    pub balance_asset_issuer: Option<String>,
    /// A branch of the counterparty; empty is none.
    #[schema(format = "uuid")]
    pub branch_guid: Option<String>,
    /// A valid IBAN (spaces allowed); blank or absent, one is generated.
    pub iban: Option<String>,
    pub is_disabled: Option<bool>,
    #[schema(minimum = 0)]
    pub kyc_level: Option<i64>,
    /// Unique in the counterparty (a duplicate is 400).
    #[schema(max_length = 255)]
    pub login: Option<String>,
    #[schema(max_length = 255)]
    pub name: Option<String>,
    #[schema(max_length = 255)]
    pub paternal_name: Option<String>,
    #[schema(max_length = 255)]
    pub phone_number: Option<String>,
    #[schema(max_length = 255)]
    pub segment: Option<String>,
    #[schema(max_length = 255)]
    pub status: Option<String>,
    #[schema(max_length = 255)]
    pub surname: Option<String>,
    /// The sandbox's: the new customer's GUID (generated without it).
    #[schema(format = "uuid")]
    pub guid: Option<String>,
}

/// `PUT .../customers/{guid}`; `branch_guid` is read by hand (it may be `null`).
/// An absent field is left as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = dcm::UpdateCustomer, example = json!({
    "kyc_level": 2, "status": "verified", "branch_guid": {"valid": true,
    "value": "33333333-3333-4333-8333-333333333333"}
}))]
pub struct UpdateCustomer {
    #[schema(minimum = 0)]
    pub balance_allowed: Option<f64>,
    #[schema(max_length = 255)]
    pub balance_asset_code: Option<String>,
    #[schema(max_length = 255)]
    pub balance_asset_issuer: Option<String>,
    /// Go's nullable `{"valid": bool, "value": "<guid>"}`, a plain GUID, or `null`
    /// (cleared; so is `valid: false` or an empty GUID).
    #[schema(value_type = Option<BranchUpdate>)]
    pub branch_guid: Option<Value>,
    pub is_disabled: Option<bool>,
    #[schema(minimum = 0)]
    pub kyc_level: Option<i64>,
    #[schema(max_length = 255)]
    pub name: Option<String>,
    #[schema(max_length = 255)]
    pub paternal_name: Option<String>,
    #[schema(max_length = 255)]
    pub phone_number: Option<String>,
    #[schema(max_length = 255)]
    pub segment: Option<String>,
    #[schema(max_length = 255)]
    pub status: Option<String>,
    #[schema(max_length = 255)]
    pub surname: Option<String>,
    /// When sent and not empty, the customer of the path.
    pub wallet_user_guid: Option<String>,
}

/// The shapes `branch_guid` of an update takes (read by `routes::branch_update`).
#[derive(Serialize, ToSchema)]
#[schema(as = dcm::BranchUpdate)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum BranchUpdate {
    Nullable(NullableGuid),
    Plain(String),
}

/// Go's `uuid.NullUUID` as JSON.
#[derive(Serialize, ToSchema)]
#[schema(as = dcm::NullableGuid)]
#[allow(dead_code)]
pub struct NullableGuid {
    valid: Option<bool>,
    value: Option<String>,
}

/// `POST .../customers/{guid}/accounts`; an empty body is `{}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = dcm::CreateAccount)]
pub struct CreateAccount {
    /// A valid IBAN (spaces allowed); blank or absent, one is generated.
    pub iban: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::AssetOut)]
pub struct AssetOut {
    pub activated: bool,
    pub balance: i64,
    pub platform: String,
    pub code: String,
    pub name: String,
    pub stellar_code: String,
    pub stellar_issuer: String,
    pub minor_unit: u32,
}

impl AssetOut {
    pub fn new(a: &Asset) -> Self {
        Self {
            activated: true,
            balance: 0,
            platform: String::new(),
            code: a.code.clone(),
            name: a.name.clone(),
            stellar_code: a.stellar_code.clone(),
            stellar_issuer: a.stellar_issuer.clone(),
            minor_unit: a.minor_unit,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::CreatedCustomer)]
pub struct CreatedCustomer {
    pub customer_guid: String,
    pub platform: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub guid: String,
    pub wallet_account_guid: String,
    pub name: String,
    pub assets_total: usize,
    pub assets: Vec<AssetOut>,
    pub activated: bool,
    pub registered: bool,
    pub blocked: bool,
    pub iban: String,
}

impl CreatedCustomer {
    /// The answer for a new customer of a counterparty whose accounts are of type `kind`.
    pub fn new(created: Created, kind: String) -> Self {
        Self {
            customer_guid: created.customer_guid,
            platform: String::new(),
            kind,
            guid: created.account.guid.clone(),
            wallet_account_guid: created.account.guid,
            name: ACCOUNT_NAME.into(),
            assets_total: 1,
            assets: vec![AssetOut::new(&created.asset)],
            activated: true,
            registered: false,
            blocked: false,
            iban: created.account.iban,
        }
    }

    /// The answer's JSON as serde_json writes the derived `Serialize` (a test compares
    /// them): the serializer's own work was most of writing it.
    pub fn to_json(&self) -> Vec<u8> {
        object_json(640, |o| self.write(o))
    }

    fn write(&self, o: &mut Object) {
        o.str("customer_guid", &self.customer_guid)
            .str("platform", &self.platform)
            .str("type", &self.kind)
            .str("guid", &self.guid)
            .str("wallet_account_guid", &self.wallet_account_guid)
            .str("name", &self.name)
            .value("assets_total", &self.assets_total)
            .objects("assets", &self.assets, |o, a| {
                o.bool("activated", a.activated)
                    .value("balance", &a.balance)
                    .str("platform", &a.platform)
                    .str("code", &a.code)
                    .str("name", &a.name)
                    .str("stellar_code", &a.stellar_code)
                    .str("stellar_issuer", &a.stellar_issuer)
                    .value("minor_unit", &a.minor_unit);
            })
            .bool("activated", self.activated)
            .bool("registered", self.registered)
            .bool("blocked", self.blocked)
            .str("iban", &self.iban);
    }
}

/// The account's `name`: both document examples say `customer` (the account kind).
pub const ACCOUNT_NAME: &str = "customer";

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::AccountOut)]
pub struct AccountOut {
    pub platform: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub guid: String,
    pub wallet_account_guid: String,
    pub name: String,
    pub assets_total: usize,
    pub assets: Vec<AssetOut>,
    pub activated: bool,
    pub registered: bool,
    pub blocked: bool,
    pub iban: String,
}

impl AccountOut {
    pub fn new(cp: &Counterparty, a: &Account) -> Self {
        let assets: Vec<AssetOut> = cp
            .assets
            .get(a.asset)
            .map(AssetOut::new)
            .into_iter()
            .collect();
        Self {
            platform: String::new(),
            kind: cp.account_type.clone(),
            guid: a.guid.clone(),
            wallet_account_guid: a.guid.clone(),
            name: ACCOUNT_NAME.into(),
            assets_total: assets.len(),
            assets,
            activated: true,
            registered: false,
            blocked: false,
            iban: a.iban.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::Accounts)]
pub struct Accounts {
    pub accounts: Vec<AccountOut>,
    pub total: usize,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::CreatedAccount)]
pub struct CreatedAccount {
    pub wallet_account_guid: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::CustomerOut)]
pub struct CustomerOut {
    pub wallet_user_guid: String,
    pub counterparty_guid: String,
    pub login: String,
    pub kyc_level: i64,
    pub is_disabled: bool,
    #[schema(value_type = f64)]
    pub balance_allowed: Value,
    pub balance_asset_code: String,
    pub balance_asset_issuer: String,
    pub branch_guid: String,
    pub branch_name: String,
    pub name: String,
    pub paternal_name: String,
    pub phone_number: String,
    pub segment: String,
    pub status: String,
    pub surname: String,
    pub created_at: String,
    pub updated_at: String,
}

/// A whole number as an integer (`1000`, as the document shows), else as a float.
pub fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// The list's answer written from the store's rows, as serde_json writes `Customers`
/// of `CustomerOut`s (a test compares them): building the `CustomerOut`s, 18 strings
/// copied a customer, and serialising them was a third of a list page.
pub fn customers_json(cp: &Counterparty, page: &[&Customer], total: usize) -> Vec<u8> {
    object_json(256 + page.len() * 640, |o| {
        o.objects("customers", page.iter().copied(), |o, c| {
            CustomerOut::write(o, cp, c)
        })
        .value("total", &total);
    })
}

impl CustomerOut {
    /// `new`'s members written without making it.
    fn write(o: &mut Object, cp: &Counterparty, c: &Customer) {
        let mut time = String::with_capacity(27);
        o.str("wallet_user_guid", &c.guid)
            .str("counterparty_guid", &cp.guid)
            .str("login", &c.login)
            .value("kyc_level", &c.kyc_level)
            .bool("is_disabled", c.is_disabled)
            .value("balance_allowed", &number(c.balance_allowed))
            .str("balance_asset_code", &c.balance_asset_code)
            .str("balance_asset_issuer", &c.balance_asset_issuer)
            .str("branch_guid", c.branch_guid.as_deref().unwrap_or_default())
            .str("branch_name", &cp.branch_name(c.branch_guid.as_deref()))
            .str("name", &c.name)
            .str("paternal_name", &c.paternal_name)
            .str("phone_number", &c.phone_number)
            .str("segment", &c.segment)
            .str("status", &c.status)
            .str("surname", &c.surname);
        push_time(&mut time, c.created_at);
        o.str("created_at", &time);
        time.clear();
        push_time(&mut time, c.updated_at);
        o.str("updated_at", &time);
    }

    /// The answer's row as a value: what `customers_json` must write (tests).
    #[cfg(test)]
    pub fn new(cp: &Counterparty, c: &Customer) -> Self {
        Self {
            wallet_user_guid: c.guid.clone(),
            counterparty_guid: cp.guid.clone(),
            login: c.login.clone(),
            kyc_level: c.kyc_level,
            is_disabled: c.is_disabled,
            balance_allowed: number(c.balance_allowed),
            balance_asset_code: c.balance_asset_code.clone(),
            balance_asset_issuer: c.balance_asset_issuer.clone(),
            branch_guid: c.branch_guid.clone().unwrap_or_default(),
            branch_name: cp.branch_name(c.branch_guid.as_deref()),
            name: c.name.clone(),
            paternal_name: c.paternal_name.clone(),
            phone_number: c.phone_number.clone(),
            segment: c.segment.clone(),
            status: c.status.clone(),
            surname: c.surname.clone(),
            created_at: fmt_time(c.created_at),
            updated_at: fmt_time(c.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::Customers)]
pub struct Customers {
    pub customers: Vec<CustomerOut>,
    pub total: usize,
}

/// What `PUT .../customers/{guid}` answers: `{}`.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::Updated)]
pub struct Updated {}

/// The bank API's error body, every error status alike.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::Error, example = json!({"error": "Access credentials are invalid"}))]
pub struct ErrorBody {
    pub error: String,
}

/// `POST .../jwk` answers the key's GUID (the `kid` a JWT may name).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::JwkRegistered)]
pub struct JwkRegistered {
    #[schema(format = "uuid")]
    pub guid: String,
}

/// A registered key as `GET .../jwk` lists it: the JWK as it was sent.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::JwkOut)]
pub struct JwkOut {
    #[schema(format = "uuid")]
    pub guid: String,
    #[schema(value_type = JwkSchema)]
    pub jwk: Value,
    pub created_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = dcm::Jwks)]
pub struct Jwks {
    pub jwks: Vec<JwkOut>,
    pub total: usize,
}

/// A public key (RFC 7517) as `POST .../jwk` reads it with `jsonwebtoken::jwk::Jwk`:
/// EC P-256/P-384, Ed25519 or RSA, at most 16 KiB, without the private `d`. This type
/// only describes it (the foreign type has no schema).
#[derive(Serialize, ToSchema)]
#[schema(as = dcm::Jwk, example = json!({
    "kty": "EC", "crv": "P-256", "kid": "bank-key-1",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
}))]
#[allow(dead_code)]
pub struct JwkSchema {
    kty: KeyType,
    /// `P-256`, `P-384` (EC) or `Ed25519` (OKP).
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
    /// RSA modulus and exponent.
    n: Option<String>,
    e: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = dcm::KeyType)]
#[allow(dead_code, clippy::upper_case_acronyms)]
pub enum KeyType {
    EC,
    OKP,
    RSA,
}

/// The body of `POST .../jwk`: the key itself or wrapped as `{"jwk": {...}}`.
#[derive(Serialize, ToSchema)]
#[schema(as = dcm::JwkRequest)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum JwkRequest {
    Bare(JwkSchema),
    Wrapped(WrappedJwk),
}

#[derive(Serialize, ToSchema)]
#[schema(as = dcm::WrappedJwk)]
#[allow(dead_code)]
pub struct WrappedJwk {
    jwk: JwkSchema,
}

/// Every error the bank API answers, one body for all (the checks run in this order:
/// the GUIDs' shape, the counterparty, credentials, the body or query, the customer).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ApiErrors {
    /// `400` (bad_request): a malformed GUID, body or query value, a duplicate login.
    #[response(status = 400, example = json!({"error": "counterparty_guid: invalid UUID length: 0"}))]
    BadRequest(ErrorBody),
    /// `401` (unauthorized): no `Authorization`/`CX-Authorization`, or an unknown,
    /// expired or logged-out token, or a JWT not signed by a registered key.
    #[response(status = 401, example = json!({"error": "Access credentials are invalid"}))]
    Unauthorized(ErrorBody),
    /// `404` (not_found): the counterparty or the customer is not there.
    #[response(status = 404, example = json!({"error": "counterparty 22222222-2222-4222-8222-222222222222 not found"}))]
    NotFound(ErrorBody),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_the_document_shows_them() {
        for micros in [
            0_i64,
            1,
            137_931,
            1_689_334_274_137_931,
            253_402_300_799_999_999,
        ] {
            let t = DateTime::from_timestamp_micros(micros).expect("in range");
            assert_eq!(fmt_time(t), t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string());
        }
        assert_eq!(
            fmt_time(DateTime::from_timestamp_micros(1_689_334_274_137_931).expect("in range")),
            "2023-07-14T11:31:14.137931Z"
        );
    }
}
