//! Serving a storefront on localhost: the demo shop for `floorwalker demo`,
//! and pages for the browser tests.
//!
//! `/dist/…` serves the built plugin (`just wasm`), `/floorwalker-config.js`
//! tells the page where nats-server's WebSocket listener is and which site
//! it is, and everything else comes from the shop's directory.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// What the shop's pages need to start the plugin.
#[derive(Debug, Clone)]
pub struct PageConfig {
    /// nats-server's WebSocket URL.
    pub server: String,
    /// The site id.
    pub site: String,
}

/// A running shop server; dropping it stops it.
#[derive(Debug)]
pub struct ShopServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl ShopServer {
    /// Serves `shop` (and `dist` under `/dist`) on `addr` (port 0 picks one).
    pub async fn start(
        addr: SocketAddr,
        shop: PathBuf,
        dist: PathBuf,
        config: &PageConfig,
    ) -> std::io::Result<Self> {
        Self::serve(TcpListener::bind(addr).await?, shop, dist, config)
    }

    /// Serves on a listener bound earlier, so the page's origin can be known
    /// (and allowed by nats-server) before the page config is.
    pub fn start_on(
        listener: std::net::TcpListener,
        shop: PathBuf,
        dist: PathBuf,
        config: &PageConfig,
    ) -> std::io::Result<Self> {
        listener.set_nonblocking(true)?;
        Self::serve(TcpListener::from_std(listener)?, shop, dist, config)
    }

    fn serve(
        listener: TcpListener,
        shop: PathBuf,
        dist: PathBuf,
        config: &PageConfig,
    ) -> std::io::Result<Self> {
        let script = format!(
            "window.floorwalkerConfig = {};\n",
            json!({ "server": config.server, "site": config.site })
        );
        let app = Router::new()
            .route(
                "/floorwalker-config.js",
                get(move || async move {
                    ([(header::CONTENT_TYPE, "text/javascript")], script).into_response()
                }),
            )
            .nest_service("/dist", ServeDir::new(dist))
            .fallback_service(ServeDir::new(shop))
            // A demo and tests want the newest build, never a cached one.
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ));
        let addr = listener.local_addr()?;
        let (stop_tx, on_stop) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = on_stop.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            stop: Some(stop_tx),
            task,
        })
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port`, the origin its pages have.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for ShopServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.abort();
    }
}
