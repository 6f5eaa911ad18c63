//! The exporter's HTTP side: `GET /metrics` answers a fresh exposition in
//! the OpenMetrics text format, anything else 404. axum (already serving
//! the demo shop) parses HTTP; each scrape asks the owner of the figures
//! (`tail`'s loop) for an exposition over a channel, so the figures are
//! never read from two tasks and are as fresh as the scrape.

use axum::Router;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

use super::CONTENT_TYPE;

/// One scrape: where to send the exposition, or `None` while the figures
/// are not read yet.
pub type Ask = oneshot::Sender<Option<String>>;

/// The HTTP server; dropping it stops it.
#[derive(Debug)]
pub struct Serving(tokio::task::JoinHandle<()>);

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Serves `/metrics` on `listener`; each scrape is sent to `asks`.
pub fn spawn(listener: TcpListener, asks: mpsc::Sender<Ask>) -> Serving {
    let app = Router::new()
        .route(
            "/metrics",
            any(move |method: Method| scrape(method, asks.clone())),
        )
        .fallback(|| async { StatusCode::NOT_FOUND });
    Serving(tokio::spawn(async move {
        if let Err(why) = axum::serve(listener, app).await {
            tracing::error!(%why, "serving metrics");
        }
    }))
}

async fn scrape(method: Method, asks: mpsc::Sender<Ask>) -> Response {
    if method != Method::GET {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (tx, rx) = oneshot::channel();
    if asks.send(tx).await.is_err() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    match rx.await {
        Ok(Some(exposition)) => {
            ([(header::CONTENT_TYPE, CONTENT_TYPE)], exposition).into_response()
        }
        // Half-counted figures would look like a drop: say so instead.
        Ok(None) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "the figures are not read yet (history, presence, gates, intakes)\n",
        )
            .into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
