//! What was refused at the door, and why, for the screens that count it
//! (the dashboard, `tail`): the one reader of it, beside [`crate::feed`]
//! and [`crate::presence`].
//!
//! Two services refuse what shoppers (and anyone else) try. The intakes
//! refuse event batches, chat facts and connections that break the schema
//! or the bounds, and each publishes its counts every second on
//! [`subject::intake_report`] (`floorwalker_shared::intake::IntakeReport`).
//! The gate refuses connections, and answers its counts when asked on
//! [`subject::gate_status`]; every gate answers (several share the work), so
//! the reader takes every answer that comes within [`MORE_ANSWERS`] of the
//! one before and adds them up.
//!
//! [`spawn`] hears the reports and asks the gates every [`ASK_GATES_EVERY`],
//! and sends what it hears as [`Heard`]; after an error or a panic it is
//! started again ([`crate::restart`]). [`Tally`] keeps the books: the
//! latest report of each intake, the gates' counts, and how much of it is
//! recent. Names from the bus are checked here and sanitized where they are
//! shown.

mod tally;

use std::time::Duration;

use floorwalker_shared::intake::IntakeReport;
use floorwalker_shared::subject;
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::feed::Following;

pub use tally::{GateCounts, OTHER, RECENT_MS, Reason, SILENT_AFTER_MS, Source, Tally};

/// How often the gates are asked for their counts.
pub const ASK_GATES_EVERY: Duration = Duration::from_secs(2);

/// How long the first gate may take to answer.
const ANSWER: Duration = Duration::from_secs(2);

/// How long after one gate's answer another's is waited for.
pub const MORE_ANSWERS: Duration = Duration::from_millis(100);

/// Gates heard at most in one round: a bound on a broken bus.
const MAX_GATES: usize = 64;

/// The largest report read; an intake's is a few hundred bytes.
const MAX_REPORT: usize = 64 * 1024;

/// What the reader heard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    /// One intake's report: its counts since it started.
    Intake(IntakeReport),
    /// The gates' counts, added up over every gate that answered.
    Gate(GateCounts),
    /// No gate answered, or the gates could not be asked; asked again.
    GateDown(String),
    /// The reports cannot be heard now; the reader starts again.
    Down(String),
}

/// Starts hearing (see the module); drop the result to stop.
pub fn spawn(client: &async_nats::Client) -> (Following, mpsc::Receiver<Heard>) {
    let client = client.clone();
    crate::feed::follow(
        "hearing what was refused".into(),
        1_024,
        Heard::Down,
        move |tx| listen(client.clone(), tx),
    )
}

/// One attempt: `Break` when the receiver is gone, `Continue(why)` to be
/// tried again.
async fn listen(
    client: async_nats::Client,
    tx: mpsc::Sender<Heard>,
) -> std::ops::ControlFlow<(), String> {
    use std::ops::ControlFlow::{Break, Continue};
    let mut reports = match client.subscribe(subject::intake_report().to_string()).await {
        Ok(s) => s,
        Err(e) => return Continue(format!("subscribing to the intakes' reports: {e}")),
    };
    let mut ask = tokio::time::interval(ASK_GATES_EVERY);
    ask.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let heard = tokio::select! {
            _ = ask.tick() => match ask_gates(&client).await {
                Ok(counts) => Heard::Gate(counts),
                Err(why) => Heard::GateDown(why.to_string()),
            },
            msg = reports.next() => match msg {
                Some(msg) => {
                    let Some(report) = report(&msg.payload) else {
                        tracing::warn!(subject = %msg.subject, "an intake report that does not read");
                        continue;
                    };
                    Heard::Intake(report)
                }
                None => return Continue("the intakes' reports ended".to_owned()),
            },
        };
        if tx.send(heard).await.is_err() {
            return Break(());
        }
    }
}

/// An intake's report, if `payload` is one.
fn report(payload: &[u8]) -> Option<IntakeReport> {
    if payload.len() > MAX_REPORT {
        return None;
    }
    serde_json::from_slice(payload).ok()
}

/// Why the gates' counts could not be had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum GateError {
    /// Nobody listens on the gate's status subject.
    #[error("no gate answers on fw.gate.status")]
    NoGate,
    /// Nobody answered in time (or the question was not allowed).
    #[error("no gate answered within {} s", ANSWER.as_secs())]
    Timeout,
    /// The question could not be sent.
    #[error("could not ask the gates")]
    Ask,
    /// An answer that is not a gate's counts.
    #[error("a gate's answer does not read")]
    Answer,
}

/// Asks every gate for its counts and adds up their answers.
async fn ask_gates(client: &async_nats::Client) -> Result<GateCounts, GateError> {
    let inbox = client.new_inbox();
    let mut answers = client
        .subscribe(inbox.clone())
        .await
        .map_err(|_| GateError::Ask)?;
    client
        .publish_with_reply(
            subject::gate_status().to_string(),
            inbox,
            bytes::Bytes::new(),
        )
        .await
        .map_err(|_| GateError::Ask)?;
    let first = tokio::time::timeout(ANSWER, answers.next())
        .await
        .map_err(|_| GateError::Timeout)?
        .ok_or(GateError::Ask)?;
    if first.status == Some(async_nats::StatusCode::NO_RESPONDERS) {
        return Err(GateError::NoGate);
    }
    let mut counts = GateCounts::read(&first.payload).ok_or(GateError::Answer)?;
    for _ in 1..MAX_GATES {
        match tokio::time::timeout(MORE_ANSWERS, answers.next()).await {
            Ok(Some(more)) if more.status.is_none() => {
                counts.add(&GateCounts::read(&more.payload).ok_or(GateError::Answer)?);
            }
            _ => break,
        }
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_reads_as_the_intake_writes_it_and_nothing_else_does() {
        let mut sent = IntakeReport::new("intake-1");
        sent.refuse(
            floorwalker_shared::intake::What::Facts,
            floorwalker_shared::intake::Refusal::SessionRate,
        );
        let bytes = serde_json::to_vec(&sent).unwrap();
        assert_eq!(report(&bytes), Some(sent));
        assert_eq!(report(b"\x1b[2J"), None);
        assert_eq!(
            report(br#"{"instance":"x","refused":[{"what":"cats"}]}"#),
            None
        );
        let huge = format!(
            r#"{{"instance":"{}","stored_events":0,"stored_facts":0,"refused":[]}}"#,
            "x".repeat(MAX_REPORT)
        );
        assert_eq!(report(huge.as_bytes()), None);
    }
}
