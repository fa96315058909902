//! Routes that list themselves: a provider registers its endpoints once, and the same
//! list serves the server, the robustness tests and the catalog.

use actix_web::{
    FromRequest, Handler, HttpResponse, Responder, Route,
    http::Method,
    web::{self, ServiceConfig},
};

/// One endpoint below a provider's prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub method: Method,
    /// The actix pattern, e.g. `/api/v1/counterparty/{cg}/customers`.
    pub pattern: String,
}

impl Endpoint {
    /// A concrete path of the pattern: each `{param}` becomes a well-formed GUID.
    pub fn sample_path(&self) -> String {
        let mut out = String::new();
        let mut rest = self.pattern.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
            out.push_str("11111111-1111-4111-8111-111111111111");
            rest = &rest[close..];
        }
        out.push_str(rest);
        out
    }
}

/// Endpoints by path, each with its methods, in the order registered.
#[derive(Default)]
pub struct Routes {
    resources: Vec<(String, Vec<(Method, Route)>)>,
}

/// `get`, `post`, `put`, `delete`, `patch`: an endpoint of that method.
macro_rules! methods {
    ($($name:ident => $method:ident),*) => {$(
        pub fn $name<F, Args>(&mut self, path: impl AsRef<str>, handler: F) -> &mut Self
        where
            F: Handler<Args>,
            Args: FromRequest + 'static,
            F::Output: Responder + 'static,
        {
            self.add(Method::$method, path.as_ref(), web::$name().to(handler))
        }
    )*};
}

impl Routes {
    methods!(get => GET, post => POST, put => PUT, delete => DELETE, patch => PATCH);

    fn add(&mut self, method: Method, path: &str, route: Route) -> &mut Self {
        match self.resources.iter_mut().find(|(p, _)| p == path) {
            Some((_, routes)) => routes.push((method, route)),
            None => self
                .resources
                .push((path.to_string(), vec![(method, route)])),
        }
        self
    }

    pub fn endpoints(&self) -> Vec<Endpoint> {
        self.resources
            .iter()
            .flat_map(|(path, routes)| {
                routes.iter().map(|(method, _)| Endpoint {
                    method: method.clone(),
                    pattern: path.clone(),
                })
            })
            .collect()
    }

    /// Registers every endpoint; other methods on a known path answer 405, which the
    /// pipeline renders in the provider's format.
    pub fn configure(self, cfg: &mut ServiceConfig) {
        for (path, routes) in self.resources {
            // Named by its pattern, so metrics label a request with its route template
            // (`HttpRequest::match_name`, borrowed) and never with the raw path.
            let name = if path.is_empty() { "/" } else { path.as_str() };
            let mut resource = web::resource(&path)
                .name(name)
                .default_service(web::to(method_not_allowed));
            for (_, route) in routes {
                resource = resource.route(route);
            }
            cfg.service(resource);
        }
    }
}

/// `default_service` of every provider scope: an unknown path, rendered by the pipeline.
pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound().finish()
}

/// `default_service` of a resource: its path exists but not with this method.
pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed().finish()
}
