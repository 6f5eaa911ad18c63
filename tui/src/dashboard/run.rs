//! The dashboard's runtime: the terminal, the NATS feed, and the loop that
//! turns keys, messages and ticks into `App::update` calls and effects into
//! IO.
//!
//! The feed reads the `EVENTS` stream with an ordered consumer that starts
//! `replay_minutes` back: history first (the supervisor who opens the
//! dashboard mid-day sees every live session at once), then live batches as
//! they are stored, so replay and live traffic are one sequence and a
//! reconnect resumes where it left off. The `AUDIT` stream is read the same
//! way for offers. Without an `EVENTS` stream the dashboard follows live
//! traffic only, and says so.
//!
//! Drawing happens at most [`FRAME`] apart and only when something changed,
//! so an SSH link is not flooded; ticks every second move the clocks.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use async_nats::jetstream;
use bytes::Bytes;
use color_eyre::eyre::{Result, WrapErr, bail};
use crossterm::event::{Event, EventStream, KeyEventKind, MouseEventKind};
use floorwalker::creds::OperatorCreds;
use floorwalker::feed::now_ms;
use floorwalker_shared::event::{Push, PushEnvelope};
use floorwalker_shared::floor::FloorConfig;
use floorwalker_shared::subject::{self, SessionSubjects, SiteId};
use floorwalker_shared::wire::encode_push;
use futures::StreamExt;
use tokio::sync::mpsc;

use super::app::App;
use super::keymap::{self, Action};
use super::msg::{Conn, Effect, Msg, OfferRecord};
use super::view::{self, Theme};
use crate::cli::DashboardArgs;

/// Least time between two frames.
const FRAME: Duration = Duration::from_millis(100);

/// What the optional `--config` file may set.
#[derive(Debug, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    templates: Vec<String>,
    left_after_secs: u64,
    forget_after_secs: u64,
    replay_minutes: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            templates: vec![
                "Hi! Can I help you find the right size?".to_owned(),
                "Questions about delivery or returns? I'm here to help.".to_owned(),
                "Need a hand choosing? Happy to compare for you.".to_owned(),
            ],
            left_after_secs: 300,
            forget_after_secs: 600,
            replay_minutes: 30,
        }
    }
}

impl Settings {
    fn load(path: Option<&Path>) -> Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .wrap_err_with(|| format!("reading the dashboard config '{}'", path.display()))?;
        let settings: Self = toml::from_str(&text)
            .wrap_err_with(|| format!("reading the dashboard config '{}'", path.display()))?;
        let max = floorwalker_shared::event::limits::MAX_OFFER_TEXT_LEN;
        if let Some(t) = settings
            .templates
            .iter()
            .find(|t| t.trim().is_empty() || t.len() > max)
        {
            bail!(
                "the dashboard config '{}' has a template that is empty or over {max} bytes: '{t}'",
                path.display()
            );
        }
        Ok(settings)
    }
}

/// What the dashboard needs to open: where, as whom, how.
pub(crate) struct Setup {
    server: String,
    creds: OperatorCreds,
    site: Option<SiteId>,
    settings: Settings,
    mouse: bool,
}

impl Setup {
    /// The setup the command line asks for.
    pub(crate) fn from_args(args: &DashboardArgs, data_dir: &Path) -> Result<Self> {
        let creds_path: PathBuf = args
            .connect
            .creds
            .clone()
            .unwrap_or_else(|| data_dir.join("auth").join("dashboard.creds"));
        let creds = OperatorCreds::load(&creds_path).wrap_err_with(|| {
            format!(
                "reading the dashboard's credentials '{}': make them with `floorwalker auth \
                 init` (or run `floorwalker demo`), or pass --creds",
                creds_path.display()
            )
        })?;
        Ok(Self {
            server: args.connect.server.clone(),
            creds,
            site: args.site.clone(),
            settings: Settings::load(args.config.as_deref())?,
            mouse: args.mouse,
        })
    }

    /// The demo's dashboard: its credentials, its server, the defaults.
    pub(crate) fn demo(server: String, auth_dir: &Path) -> Result<Self> {
        let path = auth_dir.join("dashboard.creds");
        let creds = OperatorCreds::load(&path)
            .wrap_err_with(|| format!("reading the demo's '{}'", path.display()))?;
        Ok(Self {
            server,
            creds,
            site: None,
            settings: Settings::default(),
            mouse: false,
        })
    }
}

/// `floorwalker` with no command: the dashboard until the supervisor quits.
pub(crate) async fn run(args: &DashboardArgs, data_dir: &Path, log_file: &Path) -> Result<()> {
    let setup = Setup::from_args(args, data_dir)?;
    open(setup, std::future::pending::<()>()).await?;
    tracing::info!(log = %log_file.display(), "dashboard closed");
    Ok(())
}

/// Runs the dashboard until the supervisor quits (`None`) or `stop`
/// completes (its output).
pub(crate) async fn open<T>(setup: Setup, stop: impl Future<Output = T>) -> Result<Option<T>> {
    if !std::io::stdout().is_terminal() {
        bail!("the dashboard needs a terminal; run it in one (over SSH is fine)");
    }
    let Setup {
        server,
        creds,
        site,
        settings,
        mouse,
    } = setup;
    let inbox = subject::operator_inbox(&creds.user)
        .map_err(|e| color_eyre::eyre::eyre!("the credentials' user name {e}"))?;

    let (tx, rx) = mpsc::channel::<Msg>(8_192);
    let events = tx.clone();
    let client = async_nats::ConnectOptions::with_user_and_password(
        creds.user.clone(),
        creds.password.clone(),
    )
    .name("floorwalker-dashboard")
    .custom_inbox_prefix(inbox.to_string())
    .connection_timeout(Duration::from_secs(5))
    .event_callback(move |event| {
        let events = events.clone();
        async move {
            let conn = match event {
                async_nats::Event::Connected => Conn::Live,
                async_nats::Event::Disconnected => Conn::Down {
                    reason: "disconnected".to_owned(),
                },
                async_nats::Event::ServerError(async_nats::ServerError::AuthorizationViolation) => {
                    Conn::Down {
                        reason: "the server refused these credentials".to_owned(),
                    }
                }
                _ => return,
            };
            let _ = events.send(Msg::Conn(conn)).await;
        }
    })
    .connect(&server)
    .await
    .map_err(|e| {
        use async_nats::ConnectErrorKind as Kind;
        // Once connected, a lost connection is retried under a banner; a
        // first connection that fails is a mistake to fix, and said so.
        let hint = match e.kind() {
            Kind::AuthorizationViolation | Kind::Authentication => format!(
                "the server refused the credentials of user '{}'; check --creds",
                creds.user
            ),
            Kind::Io | Kind::TimedOut | Kind::Dns => {
                "is nats-server running there? Check --server or NATS_URL".to_owned()
            }
            _ => e.to_string(),
        };
        color_eyre::eyre::eyre!("connecting to '{server}': {hint} ({e})")
    })?;
    tracing::info!(%server, user = %creds.user, "dashboard connecting");

    let replay = Duration::from_secs(settings.replay_minutes.saturating_mul(60));
    let feed = tokio::spawn(super::feeds::feed(
        client.clone(),
        tx.clone(),
        site.clone(),
        replay,
    ));
    let audit = tokio::spawn(super::feeds::audit_feed(client.clone(), tx.clone()));

    let config = FloorConfig {
        left_after_ms: settings.left_after_secs.saturating_mul(1_000),
        forget_after_ms: settings.forget_after_secs.saturating_mul(1_000),
        ..FloorConfig::default()
    };
    let mut app = App::new(&creds.user, settings.templates, config, now_ms());
    app.filter.site.clone_from(&site);
    app.site = site;
    let outcome = ui(&mut app, rx, tx, &client, mouse, stop).await;
    feed.abort();
    audit.abort();
    outcome
}

/// The terminal loop; the terminal is restored however it ends.
async fn ui<T>(
    app: &mut App,
    mut rx: mpsc::Receiver<Msg>,
    tx: mpsc::Sender<Msg>,
    client: &async_nats::Client,
    mouse: bool,
    stop: impl Future<Output = T>,
) -> Result<Option<T>> {
    tokio::pin!(stop);
    let mut terminal = ratatui::init();
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    let theme = Theme::from_env();
    let mut keys = EventStream::new();
    let mut frame = tokio::time::interval(FRAME);
    frame.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let outcome = loop {
        let effects = tokio::select! {
            stopped = &mut stop => break Ok(Some(stopped)),
            event = keys.next() => match event {
                Some(Ok(event)) => on_terminal_event(app, &event),
                Some(Err(err)) => break Err(err).wrap_err("reading the terminal"),
                None => break Ok(None),
            },
            msg = rx.recv() => {
                let Some(msg) = msg else { break Ok(None) };
                let mut effects = app.update(msg);
                // Take in what else waits, then draw once.
                while let Ok(msg) = rx.try_recv() {
                    effects.extend(app.update(msg));
                }
                effects
            }
            _ = tick.tick() => app.update(Msg::Tick { now_ms: now_ms() }),
            _ = frame.tick() => {
                if app.dirty {
                    if let Err(err) = terminal.draw(|f| view::draw(f, app, theme)) {
                        break Err(err).wrap_err("drawing the dashboard");
                    }
                    app.dirty = false;
                }
                Vec::new()
            }
        };
        if effects.contains(&Effect::Quit) {
            break Ok(None);
        }
        for effect in effects {
            if let Effect::Record(fact) = effect {
                let (js, user, tx) = (
                    jetstream::new(client.clone()),
                    app.operator.clone(),
                    tx.clone(),
                );
                tokio::spawn(async move {
                    if let Err(why) = floorwalker::record::record(&js, &user, &fact).await {
                        let _ = tx.send(Msg::Failed(format!("Not recorded: {why}"))).await;
                    }
                });
            } else if let Effect::SendOffer {
                session,
                offer_id,
                text,
            } = effect
            {
                let record = OfferRecord {
                    site: session.site().to_string(),
                    token: session.token().to_string(),
                    offer_id,
                    text,
                    by: app.operator.clone(),
                    sent_ms: now_ms(),
                };
                match send_offer(client, &session, &record).await {
                    Ok(()) => app.offer_went_out(&record),
                    Err(why) => {
                        tracing::warn!(%why, "offer not sent");
                        let _ = tx.try_send(Msg::Failed(why));
                    }
                }
            }
        }
    };
    if mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
    // With the terminal gone (an SSH link dropped), ratatui's `restore`
    // and the terminal's drop print their errors to stderr, and printing to
    // a dead terminal panics: during a panic that aborts, and the demo dies
    // before it can stop its servers. So: restore without printing, and
    // never run the terminal's drop (it holds nothing but buffers).
    let _ = terminal.show_cursor();
    let _ = ratatui::try_restore();
    std::mem::forget(terminal);
    outcome
}

fn on_terminal_event(app: &mut App, event: &Event) -> Vec<Effect> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            if app.typing() {
                match keymap::text_action(*key) {
                    Some(Ok(action)) => app.update(Msg::Key(action)),
                    Some(Err(c)) => app.update(Msg::Char(c)),
                    None => Vec::new(),
                }
            } else {
                keymap::action(*key).map_or_else(Vec::new, |a| app.update(Msg::Key(a)))
            }
        }
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollDown => app.update(Msg::Key(Action::Down)),
            MouseEventKind::ScrollUp => app.update(Msg::Key(Action::Up)),
            _ => Vec::new(),
        },
        Event::Resize(..) => {
            app.dirty = true;
            Vec::new()
        }
        _ => Vec::new(),
    }
}

/// Records the offer in the audit trail, then pushes it to the shopper: an
/// offer that cannot be recorded is not sent.
async fn send_offer(
    client: &async_nats::Client,
    session: &SessionSubjects,
    record: &OfferRecord,
) -> Result<(), String> {
    let audit = subject::audit_offer(&record.by).map_err(|e| format!("operator name {e}"))?;
    let body = serde_json::to_vec(record).map_err(|e| e.to_string())?;
    let js = jetstream::new(client.clone());
    let ack = js
        .publish(audit.to_string(), body.into())
        .await
        .map_err(|e| format!("Offer not sent: the audit trail refused it ({e})."))?;
    ack.await.map_err(|e| {
        format!(
            "Offer not sent: no audit trail stored it ({e}); an admin must create the AUDIT stream."
        )
    })?;
    let push = PushEnvelope::new(Push::ChatOffer {
        offer_id: record.offer_id.clone(),
        text: record.text.clone(),
    });
    client
        .publish(session.push().to_string(), Bytes::from(encode_push(&push)))
        .await
        .map_err(|e| format!("Offer not sent: {e}"))?;
    client
        .flush()
        .await
        .map_err(|e| format!("Offer may not have reached the shopper: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Settings> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dashboard.toml");
        std::fs::write(&path, text).unwrap();
        Settings::load(Some(&path))
    }

    #[test]
    fn a_config_file_sets_templates_and_timings() {
        let s = load("templates = [\"Free delivery today!\"]\nleft_after_secs = 120\n").unwrap();
        assert_eq!(s.templates, ["Free delivery today!"]);
        assert_eq!((s.left_after_secs, s.replay_minutes), (120, 30));
        assert_eq!(Settings::load(None).unwrap().templates.len(), 3);
    }

    #[test]
    fn a_bad_config_file_says_which_file_and_what_is_wrong() {
        let unknown = format!("{:?}", load("templatse = []").unwrap_err());
        assert!(
            unknown.contains("dashboard.toml") && unknown.contains("templatse"),
            "{unknown}"
        );
        let empty = format!("{:?}", load("templates = [\"  \"]").unwrap_err());
        assert!(empty.contains("empty or over"), "{empty}");
        let missing = format!(
            "{:?}",
            Settings::load(Some(Path::new("/nonexistent.toml"))).unwrap_err()
        );
        assert!(missing.contains("/nonexistent.toml"), "{missing}");
    }
}
