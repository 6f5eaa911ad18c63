//! Keeping a long-lived task alive: each attempt runs in its own tokio
//! task, so a panic is caught like an error; a failed attempt is reported
//! and the next starts after a backoff (1 s, doubling to 10 s, back to 1 s
//! after a minute of running well). Whoever holds the supervisor's handle
//! stops it, and the attempt under way with it, by aborting or dropping
//! it.

use std::future::Future;
use std::ops::ControlFlow;
use std::time::Duration;

use tokio::task::JoinSet;

/// The first wait after a failure.
const FIRST: Duration = Duration::from_secs(1);
/// The longest wait.
const LONGEST: Duration = Duration::from_secs(10);
/// An attempt that ran this long before failing starts the backoff over.
const GOOD_RUN: Duration = Duration::from_secs(60);

/// Runs `attempt()` until one returns `Break`: an attempt that returns
/// `Continue(why)` or panics is reported to `failed` (with why) and
/// started again after the backoff.
pub async fn forever<F, Fut>(what: &str, mut attempt: F, failed: impl Fn(String))
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ControlFlow<(), String>> + Send + 'static,
{
    let mut wait = FIRST;
    loop {
        let started = tokio::time::Instant::now();
        // A JoinSet aborts the attempt when this future is dropped.
        let mut running = JoinSet::new();
        running.spawn(attempt());
        let why = match running.join_next().await {
            Some(Ok(ControlFlow::Continue(why))) => why,
            Some(Err(e)) if e.is_panic() => {
                format!("{what} failed unexpectedly ({})", panic_text(e))
            }
            // Done, or cancelled with the runtime.
            Some(Ok(ControlFlow::Break(())) | Err(_)) | None => return,
        };
        tracing::warn!(what, %why, "restarting");
        failed(why);
        if started.elapsed() >= GOOD_RUN {
            wait = FIRST;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(LONGEST);
    }
}

fn panic_text(e: tokio::task::JoinError) -> String {
    let payload = e.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test(start_paused = true)]
    async fn a_panicking_or_failing_task_is_reported_and_restarted_until_it_is_done() {
        let attempts = Arc::new(AtomicU32::new(0));
        let reports = std::sync::Mutex::new(Vec::new());
        let count = attempts.clone();
        forever(
            "the test task",
            move || {
                let n = count.fetch_add(1, Ordering::SeqCst);
                async move {
                    match n {
                        0 => panic!("boom"),
                        1 => ControlFlow::Continue("the stream went away".to_owned()),
                        _ => ControlFlow::Break(()),
                    }
                }
            },
            |why| reports.lock().unwrap().push(why),
        )
        .await;
        assert_eq!(attempts.load(Ordering::SeqCst), 3);
        assert_eq!(
            *reports.lock().unwrap(),
            [
                "the test task failed unexpectedly (boom)",
                "the stream went away"
            ]
        );
    }
}
