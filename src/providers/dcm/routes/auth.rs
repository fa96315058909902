//! Credentials of the counterparty API: a session token, or a JWT signed by a key the
//! counterparty registered (and the endpoints that register and list those keys).

use std::collections::HashSet;

use actix_web::{HttpRequest, HttpResponse};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation};
use serde::Deserialize;
use serde_json::Value;

use super::{counterparty, ok, parse_json};
use crate::input::header;
use crate::provider::{Body, Ctx};
use crate::providers::dcm::codes::DcmError;
use crate::providers::dcm::errors::bad;
use crate::providers::dcm::scenario::DcmScenario;
use crate::providers::dcm::state::{DcmState, MAX_JWK_BYTES, RegisteredJwk};
use crate::providers::dcm::wire::{ApiErrors, JwkOut, JwkRegistered, JwkRequest, Jwks, fmt_time};

/// Claims of a bank-signed JWT (the document's JWT format).
#[derive(Debug, Deserialize)]
struct Claims {
    flow: String,
    #[allow(dead_code)]
    obj: Value,
    sub: String,
    iat: i64,
    exp: i64,
}

const FLOWS: &[&str] = &[
    "sign-in",
    "sign-up",
    "sign-up-processing",
    "sign-up-emission",
];

/// A session token for `cg` in `Authorization`, or else a JWT in `CX-Authorization`
/// signed by a key registered for `cg`.
pub fn authenticate(ctx: &Ctx, req: &HttpRequest, cg: &str) -> Result<(), DcmError> {
    match header(req, "authorization") {
        Some(auth) => session_token(ctx, auth, cg),
        None => jwt(
            ctx,
            header(req, "cx-authorization").ok_or(DcmError::Unauthorized)?,
            cg,
        ),
    }
}

fn session_token(ctx: &Ctx, auth: &str, cg: &str) -> Result<(), DcmError> {
    let (scheme, token) = auth.split_once(' ').ok_or(DcmError::Unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(DcmError::Unauthorized);
    }
    let (token, now) = (token.trim(), ctx.now());
    let good = ctx.state(|s: &mut DcmState| {
        s.session(token, now)
            .is_some_and(|s| s.counterparty_guid == cg)
    });
    good.then_some(()).ok_or(DcmError::Unauthorized)
}

/// The first key (of the JWT's `kid`, if any) whose signature holds decides.
fn jwt(ctx: &Ctx, raw: &str, cg: &str) -> Result<(), DcmError> {
    let token = match raw.split_once(' ') {
        Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
        _ => raw,
    };
    let head = jsonwebtoken::decode_header(token).map_err(|_| DcmError::Unauthorized)?;
    let keys: Vec<RegisteredJwk> = ctx.state(|s: &mut DcmState| {
        s.counterparty(cg)
            .map(|c| c.jwks.clone())
            .unwrap_or_default()
    });
    let named = |k: &&RegisteredJwk| match &head.kid {
        Some(kid) => &k.guid == kid || k.jwk.common.key_id.as_ref() == Some(kid),
        None => true,
    };
    let c = keys
        .iter()
        .filter(named)
        .find_map(|k| verified(k, token, &head))
        .ok_or(DcmError::Unauthorized)?;
    // Expiry and issue time against the tenant's virtual clock, not the system's.
    let (t, skew) = (
        ctx.now().timestamp(),
        ctx.section::<DcmScenario>().jwt_skew(),
    );
    let fresh = c.exp > t && c.iat <= t.saturating_add(skew) && c.iat < c.exp;
    if fresh && FLOWS.contains(&c.flow.as_str()) && !c.sub.is_empty() {
        return Ok(());
    }
    Err(DcmError::Unauthorized)
}

/// The claims of `token` when `key` signed it; times are checked by the caller.
fn verified(key: &RegisteredJwk, token: &str, head: &Header) -> Option<Claims> {
    if jwk_algorithm(&key.jwk) != Some(head.alg) {
        return None;
    }
    let dk = DecodingKey::from_jwk(&key.jwk).ok()?;
    let mut v = Validation::new(head.alg);
    v.validate_exp = false;
    v.validate_aud = false;
    v.required_spec_claims = HashSet::new();
    jsonwebtoken::decode::<Claims>(token, &dk, &v)
        .ok()
        .map(|data| data.claims)
}

/// The algorithm a registered public key verifies; `None` for keys we refuse.
fn jwk_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    let natural = match &jwk.algorithm {
        AlgorithmParameters::EllipticCurve(p) => match p.curve {
            EllipticCurve::P256 => Algorithm::ES256,
            EllipticCurve::P384 => Algorithm::ES384,
            _ => return None,
        },
        AlgorithmParameters::OctetKeyPair(p) if p.curve == EllipticCurve::Ed25519 => {
            Algorithm::EdDSA
        }
        AlgorithmParameters::RSA(_) => match jwk.common.key_algorithm {
            Some(KeyAlgorithm::RS384) => Algorithm::RS384,
            Some(KeyAlgorithm::RS512) => Algorithm::RS512,
            Some(KeyAlgorithm::PS256) => Algorithm::PS256,
            Some(KeyAlgorithm::PS384) => Algorithm::PS384,
            Some(KeyAlgorithm::PS512) => Algorithm::PS512,
            _ => Algorithm::RS256,
        },
        _ => return None,
    };
    Some(natural)
}

#[utoipa::path(
    post,
    path = "/api/v1/counterparty/{cg}/jwk",
    tag = "bank API",
    params(("cg" = String, Path, format = "uuid", description = "The counterparty (bank) GUID", example = "11111111-1111-4111-8111-111111111111")),
    request_body = JwkRequest,
    responses((status = 200, description = "The key is registered: JWTs it signs authenticate in `CX-Authorization`", body = JwkRegistered), ApiErrors),
    security(("bearer" = []), ("cx_jwt" = []))
)]
pub async fn register_jwk(
    ctx: Ctx,
    req: HttpRequest,
    body: Body,
) -> Result<HttpResponse, DcmError> {
    let cg = counterparty(&ctx, &req)?;
    let (jwk, raw) = public_jwk(&body)?;
    let now = ctx.now();
    let guid = ctx.state(|s: &mut DcmState| s.register_jwk(&cg, jwk, raw, now))?;
    Ok(ok(&JwkRegistered { guid }))
}

/// The key sent, itself or wrapped as `{"jwk": {...}}`: a public key we can verify with.
fn public_jwk(body: &[u8]) -> Result<(Jwk, Value), DcmError> {
    let v: Value = parse_json(body)?;
    let raw = match v.get("jwk") {
        Some(inner) if v.get("kty").is_none() => inner.clone(),
        _ => v,
    };
    if !raw.is_object() {
        return Err(bad("jwk: must be a JSON object"));
    }
    if raw.to_string().len() > MAX_JWK_BYTES {
        return Err(bad(format!(
            "jwk: larger than {MAX_JWK_BYTES} bytes; send the public key only"
        )));
    }
    if raw.get("d").is_some() {
        return Err(bad(
            "jwk: a private key was sent; register the public key only",
        ));
    }
    let jwk: Jwk = serde_json::from_value(raw.clone()).map_err(|e| bad(format!("jwk: {e}")))?;
    if jwk_algorithm(&jwk).is_none() || DecodingKey::from_jwk(&jwk).is_err() {
        return Err(bad(
            "jwk: unsupported key (use EC P-256/P-384, Ed25519 or RSA)",
        ));
    }
    Ok((jwk, raw))
}

#[utoipa::path(
    get,
    path = "/api/v1/counterparty/{cg}/jwk",
    tag = "bank API",
    params(("cg" = String, Path, format = "uuid", description = "The counterparty (bank) GUID", example = "11111111-1111-4111-8111-111111111111")),
    responses((status = 200, description = "The keys registered for the counterparty", body = Jwks), ApiErrors),
    security(("bearer" = []), ("cx_jwt" = []))
)]
pub async fn list_jwks(ctx: Ctx, req: HttpRequest) -> Result<HttpResponse, DcmError> {
    let cg = counterparty(&ctx, &req)?;
    let jwks: Vec<JwkOut> = ctx.state(|s: &mut DcmState| {
        s.counterparty(&cg)
            .map(|c| {
                c.jwks
                    .iter()
                    .map(|k| JwkOut {
                        guid: k.guid.clone(),
                        jwk: k.raw.clone(),
                        created_at: fmt_time(k.created_at),
                    })
                    .collect()
            })
            .unwrap_or_default()
    });
    let total = jwks.len();
    Ok(ok(&Jwks { jwks, total }))
}
