//! Builds the HTTP server: providers under their prefixes, the admin API under
//! `/__sandbox`, and the connection hook that lets a rule close a socket.

use std::net::TcpListener;
use std::os::fd::AsFd;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{App, HttpServer, dev::Server, middleware::from_fn, web};

use crate::admin;
use crate::journal::Waiters;
use crate::pipeline::{self, ConnSocket};
use crate::provider::{Routes, not_found};
use crate::providers::registry;
use crate::scenario::{Problem, Scenario};
use crate::settings::Settings;
use crate::state::Sandbox;
use crate::watch::{self, Watch, WatchStatus};

/// The sandbox of `settings`: its scenario files, or the embedded default.
pub fn build(settings: Settings) -> Result<Sandbox, Vec<Problem>> {
    Sandbox::new(settings, registry().blueprints())
}

/// The sandbox with scenario `sources` (`(name, yaml)`, merged in order).
pub fn build_from(
    settings: Settings,
    sources: Vec<(String, String)>,
) -> Result<Sandbox, Vec<Problem>> {
    Sandbox::from_sources(settings, sources, registry().blueprints())
}

/// Checks and merges scenario `sources` as the server would load them.
pub fn load_scenario(sources: &[(String, String)]) -> Result<Scenario, Vec<Problem>> {
    crate::scenario::load_sources(sources, &registry().blueprints())
}

pub struct Application {
    port: u16,
    server: Server,
    pub sandbox: Arc<Sandbox>,
    /// The scenario watch with `--watch`; it stops when the application is dropped.
    _watch: Option<Watch>,
}

impl Application {
    /// Binds `host:port` (port 0 picks a free one) and builds the server, not yet running.
    pub fn build(sandbox: Sandbox) -> std::io::Result<Self> {
        sandbox.restore_saved();
        let listener = TcpListener::bind((sandbox.settings.host.as_str(), sandbox.settings.port))?;
        let port = listener.local_addr()?.port();
        let sandbox = Arc::new(sandbox);
        let watch = watch::start(sandbox.clone())?;
        let status = watch.as_ref().map(|w| w.status.clone());
        let server = server(sandbox.clone(), listener, status)?;
        Ok(Self {
            port,
            server,
            sandbox,
            _watch: watch,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or Ctrl-C; in-flight requests get one second to finish,
    /// then the changed tenants are saved (with `state_dir`).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let sandbox = self.sandbox.clone();
        let sweeper = tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                sandbox.sweep();
            }
        });
        let saver = self.sandbox.settings.state_dir.is_some().then(|| {
            let sandbox = self.sandbox.clone();
            let secs = sandbox.settings.state_save_secs.max(1);
            tokio::spawn(async move {
                let mut every = tokio::time::interval(Duration::from_secs(secs));
                every.tick().await;
                loop {
                    every.tick().await;
                    sandbox.save_changed();
                }
            })
        });
        let result = self.server.await;
        sweeper.abort();
        if let Some(saver) = saver {
            saver.abort();
        }
        self.sandbox.save_changed();
        result
    }
}

fn server(
    sandbox: Arc<Sandbox>,
    listener: TcpListener,
    watch: Option<Arc<WatchStatus>>,
) -> std::io::Result<Server> {
    let workers = sandbox.settings.workers;
    let data = web::Data::from(sandbox.clone());
    let providers = web::Data::new(registry());
    // One count of waiting journal readers for every worker.
    let waiters = web::Data::new(Waiters::new(
        sandbox.settings.wait_cap,
        sandbox.settings.wait_tenant_cap,
    ));
    let mut server = HttpServer::new(move || {
        let mut app = App::new()
            .app_data(data.clone())
            .app_data(providers.clone())
            .app_data(waiters.clone())
            .app_data(web::PayloadConfig::new(sandbox.settings.body_limit))
            .service(admin::scope(sandbox.clone(), providers.get_ref().clone()));
        if let Some(status) = &watch {
            app = app.app_data(web::Data::from(status.clone()));
        }
        for provider in providers.iter() {
            let scope = std::rc::Rc::new(pipeline::Scope {
                provider: provider.clone(),
                sandbox: sandbox.clone(),
            });
            let mut routes = Routes::default();
            provider.routes(&mut routes);
            app = app.service(
                web::scope(&format!("/{}", provider.name()))
                    .configure(|cfg| routes.configure(cfg))
                    .default_service(web::to(not_found))
                    .wrap(from_fn(move |req, next| {
                        pipeline::handle(scope.clone(), req, next)
                    })),
            );
        }
        app.default_service(web::to(admin::unknown_path))
    })
    .on_connect(|conn, ext| {
        if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>()
            && let Ok(fd) = tcp.as_fd().try_clone_to_owned()
        {
            ext.insert(ConnSocket(std::net::TcpStream::from(fd)));
        }
    })
    .shutdown_timeout(1)
    .listen(listener)?;
    if let Some(n) = workers {
        server = server.workers(n.max(1));
    }
    Ok(server.run())
}
