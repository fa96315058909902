//! What DCM says of its API beyond what the platform derives: the bodies of the bank
//! API (from the wire types its handlers use), its error body per status, and its two
//! credentials: a Kratos session token as a bearer, or a bank-signed JWT.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::auth::{__path_list_jwks, __path_register_jwk};
use super::login::{__path_create_flow, __path_login};
use super::login_form::LoginBody;
use super::session::{__path_logout, __path_whoami, LogoutBody};
use super::{
    __path_create_account, __path_create_customer, __path_list_accounts, __path_list_customers,
    __path_update_customer,
};
use crate::providers::dcm::wire::{
    AccountOut, Accounts, AssetOut, BranchUpdate, CreateAccount, CreateCustomer, CreatedAccount,
    CreatedCustomer, CustomerOut, Customers, ErrorBody, JwkOut, JwkRegistered, JwkRequest,
    JwkSchema, Jwks, KeyType, NullableGuid, UpdateCustomer, Updated, WrappedJwk,
};

#[derive(OpenApi)]
#[openapi(
    paths(
        register_jwk,
        list_jwks,
        create_customer,
        list_customers,
        update_customer,
        create_account,
        list_accounts,
        create_flow,
        login,
        whoami,
        logout
    ),
    components(schemas(
        AccountOut,
        Accounts,
        AssetOut,
        BranchUpdate,
        CreateAccount,
        CreateCustomer,
        CreatedAccount,
        CreatedCustomer,
        CustomerOut,
        Customers,
        ErrorBody,
        JwkOut,
        JwkRegistered,
        JwkRequest,
        JwkSchema,
        Jwks,
        KeyType,
        NullableGuid,
        UpdateCustomer,
        Updated,
        WrappedJwk,
        LoginBody,
        LogoutBody
    )),
    modifiers(&Credentials)
)]
struct DcmApi;

/// The bank API's two credentials and the Kratos session token.
struct Credentials;

impl Modify for Credentials {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "A Kratos session token of an employee of the counterparty \
                 (`Authorization: bearer sandbox-dcm-token` in the default scenario)",
            ))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let jwt = ApiKeyValue::with_description(
            "CX-Authorization",
            "A JWT signed by a key registered with `POST .../jwk` (claims `flow`, `obj`, \
             `sub`, `iat`, `exp`); read when `Authorization` is absent",
        );
        components.add_security_scheme("cx_jwt", SecurityScheme::ApiKey(ApiKey::Header(jwt)));
        let session = ApiKeyValue::with_description(
            "X-Session-Token",
            "A Kratos session token, as `whoami` reads it first (then `Authorization: Bearer`)",
        );
        components.add_security_scheme(
            "kratos_session",
            SecurityScheme::ApiKey(ApiKey::Header(session)),
        );
    }
}

/// DCM's own part of its document; operation ids are left to the platform, which keeps
/// them apart from other providers' in the combined document.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = DcmApi::openapi();
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
        ];
        for op in ops.into_iter().flatten() {
            op.operation_id = None;
        }
    }
    doc
}
