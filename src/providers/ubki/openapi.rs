//! UBKI's OpenAPI description: the request bodies as the handlers check them, the
//! answers from the wire types, the XML dialect of the authorization API, and where
//! the session key goes (the body, which OpenAPI has no security scheme for).

use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr};
use utoipa::{Modify, OpenApi, ToSchema};

use super::codes::SPECS;
use super::wire::{AuthError, AuthSession, BonusAnswer, Client, Partner, Reptype, Service};
use super::{auth, routes};

/// The name of the session key's scheme in `components.securitySchemes`.
pub const SESSION_SCHEME: &str = "ubki_session";

/// What the session key scheme says: UBKI takes it in the body, not in a header.
pub const SESSION_TEXT: &str = "UBKI sends no credential in a header or the query: \
    `POST /b2_api_xml/ubki/auth` trades `login` and `pass` (in the body) for a session \
    key, `sessid` of `doc.auth`, valid until 23:59:59 Kyiv time of its day; the bonus \
    service takes that key as the body member `sessid`. An unknown or expired key is \
    answered at HTTP 200 with code `16` (auth) or `1` (bonus service), so the scheme is \
    named here and on each operation's text, not required as a header.";

/// `doc.auth` of a request: a login, or a check of a key (a body with only `sessid`).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = ubki::AuthCredentials)]
#[allow(dead_code)]
pub enum AuthCredentials {
    Login(AuthLogin),
    KeyCheck(AuthKeyCheck),
}

/// A login: absent `login` or `pass` is `11`, not a string or over 250 characters `12`,
/// empty `36`.
#[derive(Serialize, ToSchema)]
#[schema(as = ubki::AuthLogin)]
#[allow(dead_code)]
pub struct AuthLogin {
    #[schema(max_length = 250, example = "sandbox")]
    login: String,
    #[schema(max_length = 250, example = "sandbox")]
    pass: String,
}

/// A check of a key: answered with the key's document, or `16`.
#[derive(Serialize, ToSchema)]
#[schema(as = ubki::AuthKeyCheck)]
#[allow(dead_code)]
pub struct AuthKeyCheck {
    sessid: String,
}

#[derive(Serialize, ToSchema)]
#[schema(as = ubki::AuthRequestDoc)]
#[allow(dead_code)]
pub struct AuthRequestDoc {
    auth: AuthCredentials,
}

/// `{"doc":{"auth":{...}}}`. Without `doc.auth` the answer is `11`; a body that is
/// neither JSON nor XML (raw or base64) is `33`.
#[derive(Serialize, ToSchema)]
#[schema(as = ubki::AuthRequest)]
#[allow(dead_code)]
pub struct AuthRequest {
    doc: AuthRequestDoc,
}

/// `<auth login="..." pass="..."/>` or `<auth sessid="..."/>`: the JSON members as
/// attributes, checked alike.
#[derive(Serialize, ToSchema)]
#[schema(as = ubki::AuthXmlAttributes)]
#[allow(dead_code)]
pub struct AuthXmlAttributes {
    #[schema(
        xml(attribute),
        max_length = 250,
        required = false,
        example = "sandbox"
    )]
    login: String,
    #[schema(
        xml(attribute),
        max_length = 250,
        required = false,
        example = "sandbox"
    )]
    pass: String,
    #[schema(xml(attribute), required = false)]
    sessid: String,
}

/// `<doc><auth .../></doc>`, raw or base64-encoded; the answer is XML too.
#[derive(Serialize, ToSchema)]
#[schema(as = ubki::AuthXmlRequest, xml(name = "doc"))]
#[allow(dead_code)]
pub struct AuthXmlRequest {
    auth: AuthXmlAttributes,
}

/// `doc.auth` of an answer: the key's document, or a refusal.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[schema(as = ubki::AuthAnswer)]
#[allow(clippy::large_enum_variant)] // never built: a schema only
#[allow(dead_code)]
pub enum AuthAnswer {
    Session(AuthSession),
    Error(AuthError),
}

#[derive(Serialize, ToSchema)]
#[schema(as = ubki::AuthAnswerDoc)]
#[allow(dead_code)]
pub struct AuthAnswerDoc {
    auth: AuthAnswer,
}

/// `{"doc":{"auth":{...}}}` of the authorization API, success or error.
#[derive(Serialize, ToSchema)]
#[schema(as = ubki::AuthAnswerJson)]
#[allow(dead_code)]
pub struct AuthAnswerJson {
    doc: AuthAnswerDoc,
}

/// `<doc><auth .../></doc>`: every member an attribute of `auth`.
#[derive(Serialize, ToSchema)]
#[schema(as = ubki::AuthAnswerXml, xml(name = "doc"))]
#[allow(dead_code)]
pub struct AuthAnswerXml {
    auth: AuthAnswer,
}

/// `/bonusservice/discount`: every problem is listed at once in `details` of code `4`.
#[derive(Serialize, ToSchema)]
#[schema(as = ubki::DiscountRequest)]
#[allow(dead_code)]
pub struct DiscountRequest {
    /// The session key from the authorization API.
    #[schema(min_length = 1, max_length = 250)]
    sessid: String,
    reptype: Reptype,
    /// The subject's INN (РНОКПП).
    #[schema(pattern = "^[0-9]{10}$", example = "3012345678")]
    inn: String,
    /// Where UBKI mails the discount; may be empty.
    #[schema(
        max_length = 250,
        pattern = r"^([^@\s]+@[^\s.]\S*\.\S*[^\s.])?$",
        example = "client@example.com"
    )]
    email: Option<String>,
}

/// `/bonusservice/free`: as the discount, and `phone`, required for `SKN` and `SKN_3`.
#[derive(Serialize, ToSchema)]
#[schema(as = ubki::FreeRequest)]
#[allow(dead_code)]
pub struct FreeRequest {
    #[schema(min_length = 1, max_length = 250)]
    sessid: String,
    reptype: Reptype,
    #[schema(pattern = "^[0-9]{10}$", example = "3012345678")]
    inn: String,
    #[schema(
        max_length = 250,
        pattern = r"^([^@\s]+@[^\s.]\S*\.\S*[^\s.])?$",
        example = "client@example.com"
    )]
    email: Option<String>,
    /// Required for `SKN` and `SKN_3` (the StatusControl alerts go there).
    #[schema(pattern = r"^\+380[0-9]{9}$", example = "+380501234567")]
    phone: Option<String>,
}

#[derive(OpenApi)]
#[openapi(
    paths(auth::auth, routes::discount, routes::free),
    components(schemas(
        AuthRequest, AuthXmlRequest, AuthAnswerJson, AuthAnswerXml, AuthSession, AuthError,
        DiscountRequest, FreeRequest, BonusAnswer, Partner, Client, Service, Reptype
    )),
    modifiers(&SessionKey)
)]
struct UbkiApi;

/// The session key's scheme, described in text.
struct SessionKey;

impl Modify for SessionKey {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        let key = ApiKeyValue::with_description("sessid", SESSION_TEXT);
        components.add_security_scheme(SESSION_SCHEME, SecurityScheme::ApiKey(ApiKey::Header(key)));
    }
}

/// The document, each response's description followed by the codes it carries (the
/// platform lists them only for a status the provider leaves undescribed).
pub fn document(scope: impl Fn(&str) -> &'static str) -> Document {
    let mut doc = UbkiApi::openapi();
    for (path, item) in doc.paths.paths.iter_mut() {
        let scope = scope(path);
        for op in [&mut item.get, &mut item.post].into_iter().flatten() {
            // The platform names operations uniquely across providers; the handler's
            // name and module would collide or mislead.
            (op.operation_id, op.tags, op.summary) = (None, None, None);
            for (status, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(response) = response {
                    let codes = codes_of(scope, status);
                    if !codes.is_empty() {
                        response.description = format!("{} Codes: {codes}", response.description);
                    }
                }
            }
        }
    }
    doc
}

/// The codes of `scope` answered at `status`, as the platform lists them.
fn codes_of(scope: &str, status: &str) -> String {
    SPECS
        .iter()
        .filter(|s| (s.scope.is_empty() || s.scope == scope) && s.status.to_string() == status)
        .map(|s| format!("`{}` ({}): {}", s.code, s.key, s.message))
        .collect::<Vec<_>>()
        .join("; ")
}
