//! Hearing the chat routers' reports (`fw.router.report`, one a second from
//! each router), for the exporter: the one reader of them, kept alive as
//! [`crate::refusals`] keeps the intakes' reader.

use floorwalker_shared::router::RouterReport;
use floorwalker_shared::subject;
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::feed::Following;

/// The largest report read; a router's is a few hundred bytes.
const MAX_REPORT: usize = 16 * 1024;

/// The longest router name kept.
const MAX_NAME: usize = 128;

/// What the reader heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// One router's report: its counts since it started.
    Report(RouterReport),
    /// The reports cannot be heard now; the reader starts again.
    Down(String),
}

/// Starts hearing the routers' reports; drop the result to stop.
pub fn spawn(client: &async_nats::Client) -> (Following, mpsc::Receiver<Heard>) {
    let client = client.clone();
    crate::feed::follow(
        "hearing the routers' reports".into(),
        256,
        Heard::Down,
        move |tx| listen(client.clone(), tx),
    )
}

async fn listen(
    client: async_nats::Client,
    tx: mpsc::Sender<Heard>,
) -> std::ops::ControlFlow<(), String> {
    use std::ops::ControlFlow::{Break, Continue};
    let mut reports = match client.subscribe(subject::router_report().to_string()).await {
        Ok(s) => s,
        Err(e) => return Continue(format!("subscribing to the routers' reports: {e}")),
    };
    while let Some(msg) = reports.next().await {
        let Some(report) = read(&msg.payload) else {
            tracing::warn!(subject = %msg.subject, "a router report that does not read");
            continue;
        };
        if tx.send(Heard::Report(report)).await.is_err() {
            return Break(());
        }
    }
    Continue("the routers' reports ended".to_owned())
}

/// A router's report, if `payload` is one.
fn read(payload: &[u8]) -> Option<RouterReport> {
    if payload.len() > MAX_REPORT {
        return None;
    }
    let report: RouterReport = serde_json::from_slice(payload).ok()?;
    (report.instance.len() <= MAX_NAME).then_some(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_reads_as_the_router_writes_it_and_nothing_else_does() {
        let mut sent = RouterReport::new("router-1");
        sent.pushes = 4;
        let bytes = serde_json::to_vec(&sent).unwrap();
        assert_eq!(read(&bytes), Some(sent));
        assert_eq!(read(b"\x1b[2J"), None);
        let long = RouterReport::new(&"r".repeat(MAX_NAME + 1));
        assert_eq!(read(&serde_json::to_vec(&long).unwrap()), None);
    }
}
