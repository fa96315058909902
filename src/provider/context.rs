//! What a handler needs: the tenant (its clock and provider state) and the sandbox.

use std::future::{Ready, ready};
use std::rc::Rc;
use std::sync::Arc;

use futures_util::TryFutureExt;
use futures_util::future::{Either, MapOk};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::StatusCode, web};
use chrono::{DateTime, Utc};

use super::sandbox_error;
use crate::codes::CodeTable;
use crate::scenario::{ProviderState, SectionType};
use crate::state::{Sandbox, Tenant, TenantError, World};

/// A `HeaderName` rather than a `&str`, which actix would parse on every lookup.
pub const TENANT_HEADER: actix_web::http::header::HeaderName =
    actix_web::http::header::HeaderName::from_static("x-sandbox-tenant");

/// The tenant a request names: `default` without the header; a header that is not text,
/// or given twice, is refused rather than read as another tenant.
pub fn tenant_of(req: &HttpRequest) -> Result<&str, TenantError> {
    let mut values = req.headers().get_all(TENANT_HEADER);
    match (values.next(), values.next()) {
        (None, _) => Ok("default"),
        (Some(value), None) => value.to_str().map_err(|_| TenantError::BadName),
        (Some(_), Some(_)) => Err(TenantError::BadName),
    }
}

/// The context is cloned several times a request (into the extensions, out to the
/// handler): an `Rc`, so the clones count on this worker's own memory instead of on the
/// tenant's and the sandbox's reference counts, lines both workers would write.
#[derive(Clone)]
pub struct Ctx(Rc<CtxParts>);

pub struct CtxParts {
    pub tenant: Arc<Tenant>,
    pub sandbox: Arc<Sandbox>,
}

impl std::ops::Deref for Ctx {
    type Target = CtxParts;

    fn deref(&self) -> &CtxParts {
        &self.0
    }
}

impl Ctx {
    pub fn new(tenant: Arc<Tenant>, sandbox: Arc<Sandbox>) -> Self {
        Self(Rc::new(CtxParts { tenant, sandbox }))
    }

    /// The tenant's virtual time.
    /// The tenant's virtual time.
    pub fn now(&self) -> DateTime<Utc> {
        self.tenant.clock.now()
    }

    /// The scenario this tenant was built from.
    pub fn world(&self) -> &Arc<World> {
        &self.tenant.world
    }

    /// The provider section `T` of this tenant's scenario.
    pub fn section<T: SectionType>(&self) -> SectionOf<'_, T> {
        let scenario = &self.tenant.world.scenario;
        match scenario.section_ref::<T>() {
            Some(section) => SectionOf::Held(section),
            None => SectionOf::Default(scenario.section::<T>()),
        }
    }

    pub fn seed(&self) -> u64 {
        self.tenant.world.seed
    }

    pub fn codes(&self, provider: &str) -> &CodeTable {
        self.tenant.world.codes(provider)
    }

    /// Runs `f` on this tenant's state of provider `S`, under that provider's lock only.
    pub fn state<S: ProviderState, R>(&self, f: impl FnOnce(&mut S) -> R) -> R {
        self.tenant.with_state(f)
    }
}

impl Ctx {
    fn for_admin(req: &HttpRequest) -> Result<Self, actix_web::Error> {
        let sandbox = req
            .app_data::<web::Data<Sandbox>>()
            .map(|d| d.clone().into_inner())
            .ok_or_else(|| actix_web::error::ErrorInternalServerError("no sandbox"))?;
        let tenant = tenant_of(req)
            .and_then(|name| sandbox.tenant(name))
            .map_err(|e| {
                actix_web::error::InternalError::from_response(
                    e.to_string(),
                    sandbox_error(StatusCode::BAD_REQUEST, "bad-tenant", &e.to_string(), None),
                )
            })?;
        Ok(Self::new(tenant, sandbox))
    }
}

/// A provider section of the tenant's scenario, borrowed from it: cloning its `Arc` on
/// every request wrote a reference count both workers share.
pub enum SectionOf<'a, T> {
    Held(&'a T),
    /// The scenario was built without it.
    Default(Arc<T>),
}

impl<T> std::ops::Deref for SectionOf<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match self {
            Self::Held(section) => section,
            Self::Default(section) => section,
        }
    }
}

/// A provider request's body as the pipeline read it (`pipeline::capture`), handed to
/// the handler as it is: reading it again from a payload stream cost three allocations
/// and a copy per request. Outside the pipeline (a provider's admin routes) it is read
/// from the payload as `web::Bytes` reads it.
#[derive(Debug, Clone, Default)]
pub struct Body(pub web::Bytes);

impl std::ops::Deref for Body {
    type Target = web::Bytes;

    fn deref(&self) -> &web::Bytes {
        &self.0
    }
}

impl FromRequest for Body {
    type Error = actix_web::Error;
    type Future = Either<
        Ready<Result<Self, Self::Error>>,
        MapOk<<web::Bytes as FromRequest>::Future, fn(web::Bytes) -> Body>,
    >;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let taken = req.extensions_mut().remove::<Body>();
        match taken {
            Some(body) => Either::Left(ready(Ok(body))),
            None => {
                Either::Right(web::Bytes::from_request(req, payload).map_ok(Body as fn(_) -> _))
            }
        }
    }
}

impl FromRequest for Ctx {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    /// Provider routes find the context the pipeline stored; admin routes resolve the
    /// tenant from `X-Sandbox-Tenant` themselves.
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(ctx) = req.extensions().get::<Ctx>() {
            return ready(Ok(ctx.clone()));
        }
        ready(Self::for_admin(req))
    }
}
