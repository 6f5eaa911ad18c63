//! The console's runtime: the terminal, the connection, the streams, the
//! presence it keeps up, and the one task that records its facts in order.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use async_nats::jetstream;
use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use floorwalker::creds::OperatorCreds;
use floorwalker::feed::{self, now_ms};
use floorwalker::record::record;
use floorwalker::streams;
use floorwalker_shared::chat::DeskFact;
use floorwalker_shared::subject;
use futures::StreamExt;
use tokio::sync::mpsc;

use super::app::{Console, Effect, Key, Msg};
use super::view;
use crate::cli::AgentArgs;
use crate::dashboard::view::Theme;

/// How often the console says it is there.
const PRESENCE: Duration = Duration::from_secs(5);

/// How often it repeats its status, so a reader starting from a day of
/// history still finds it.
const STATUS_AGAIN: Duration = Duration::from_secs(20 * 60);

/// Least time between two frames.
const FRAME: Duration = Duration::from_millis(100);

pub(crate) async fn run(args: &AgentArgs, data_dir: &Path) -> Result<()> {
    if !std::io::stdout().is_terminal() {
        bail!("the agent's console needs a terminal; run it in one (over SSH is fine)");
    }
    let creds = load_creds(args, data_dir)?;
    let (tx, mut rx) = mpsc::channel::<Msg>(8_192);
    let client = connect(&creds, &args.connect.server, tx.clone()).await?;
    let mut tasks = Vec::new();
    let (audit_feed, mut audit) = feed::spawn(&client, streams::AUDIT, feed::CHATS_SINCE);
    let (events_feed, mut journeys) = feed::spawn(&client, streams::EVENTS, feed::SESSIONS_SINCE);
    tasks.extend([audit_feed, events_feed]);
    let forward = tx.clone();
    tasks.push(tokio::spawn(async move {
        loop {
            let msg = tokio::select! {
                Some(f) = audit.recv() => Msg::Audit(f),
                Some(f) = journeys.recv() => Msg::Events(f),
                else => return,
            };
            if forward.send(msg).await.is_err() {
                return;
            }
        }
    }));
    let presence = subject::presence(&creds.user).map_err(|e| eyre!("user name {e}"))?;
    let beat = client.clone();
    tasks.push(tokio::spawn(async move {
        let mut every = tokio::time::interval(PRESENCE);
        loop {
            every.tick().await;
            let _ = beat
                .publish(presence.to_string(), bytes::Bytes::new())
                .await;
        }
    }));
    // One task records every fact, in order, each retried until stored.
    let (facts, mut to_record) = mpsc::unbounded_channel::<DeskFact>();
    let (js, user, failed) = (
        jetstream::new(client.clone()),
        creds.user.clone(),
        tx.clone(),
    );
    tasks.push(tokio::spawn(async move {
        while let Some(fact) = to_record.recv().await {
            if let Err(why) = record(&js, &user, &fact).await {
                let _ = failed.send(Msg::NotRecorded(why)).await;
            }
        }
    }));

    let nonce: String = floorwalker::gate::config::random_secret()
        .chars()
        .take(8)
        .collect();
    let mut console = Console::new(&creds.user, !args.away, args.capacity, &nonce, now_ms());
    let _ = facts.send(console.status());
    let outcome = ui(&mut console, &mut rx, &facts).await;
    // Leaving: away, so no new chat comes this way; the chats held wait
    // for this agent's return until the router's timeout.
    console.available = false;
    let _ = facts.send(console.status());
    drop(facts);
    let recorder = tasks.pop();
    for task in tasks {
        task.abort();
    }
    if let Some(recorder) = recorder {
        let _ = tokio::time::timeout(Duration::from_secs(3), recorder).await;
    }
    outcome
}

/// The agent's credentials: `--creds`, or the demo's `<NAME>.creds`; they
/// must be the named agent's.
fn load_creds(args: &AgentArgs, data_dir: &Path) -> Result<OperatorCreds> {
    let path = args
        .connect
        .creds
        .clone()
        .unwrap_or_else(|| data_dir.join("auth").join(format!("{}.creds", args.name)));
    let creds = OperatorCreds::load(&path).wrap_err_with(|| {
        format!(
            "reading agent '{}''s credentials '{}': an admin makes them with `floorwalker auth \
             init`, or pass --creds",
            args.name,
            path.display()
        )
    })?;
    if creds.user != args.name {
        bail!(
            "the credentials in '{}' are for user '{}', not '{}': agents act under their own \
             name; pass --name {} or the right --creds",
            path.display(),
            creds.user,
            args.name,
            creds.user
        );
    }
    Ok(creds)
}

/// Connects as the agent; the connection's ups and downs become messages.
async fn connect(
    creds: &OperatorCreds,
    server: &str,
    events: mpsc::Sender<Msg>,
) -> Result<async_nats::Client> {
    let inbox = subject::operator_inbox(&creds.user).map_err(|e| eyre!("user name {e}"))?;
    async_nats::ConnectOptions::with_user_and_password(creds.user.clone(), creds.password.clone())
        .name("floorwalker-agent")
        .custom_inbox_prefix(inbox.to_string())
        .connection_timeout(Duration::from_secs(5))
        .event_callback(move |event| {
            let events = events.clone();
            async move {
                let down = match event {
                    async_nats::Event::Connected => None,
                    async_nats::Event::Disconnected => Some("disconnected".to_owned()),
                    _ => return,
                };
                let _ = events.send(Msg::Conn(down)).await;
            }
        })
        .connect(server)
        .await
        .wrap_err_with(|| {
            format!(
                "connecting to nats-server at '{server}' as '{}'",
                creds.user
            )
        })
}

async fn ui(
    console: &mut Console,
    rx: &mut mpsc::Receiver<Msg>,
    facts: &mpsc::UnboundedSender<DeskFact>,
) -> Result<()> {
    let mut terminal = ratatui::init();
    let theme = Theme::from_env();
    let mut keys = EventStream::new();
    let mut frame = tokio::time::interval(FRAME);
    frame.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut status_again = tokio::time::interval(STATUS_AGAIN);
    status_again.tick().await;
    let outcome = loop {
        let effects = tokio::select! {
            event = keys.next() => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    match key_of(key, console.typing.is_some()) {
                        Some(key) => console.update(Msg::Key(key)),
                        None => Vec::new(),
                    }
                }
                Some(Ok(_)) => {
                    console.dirty = true;
                    Vec::new()
                }
                Some(Err(err)) => break Err(err).wrap_err("reading the terminal"),
                None => break Ok(()),
            },
            msg = rx.recv() => {
                let Some(msg) = msg else { break Ok(()) };
                let mut effects = console.update(msg);
                while let Ok(msg) = rx.try_recv() {
                    effects.extend(console.update(msg));
                }
                effects
            }
            _ = tick.tick() => console.update(Msg::Tick { now_ms: now_ms() }),
            _ = status_again.tick() => vec![Effect::Record(console.status())],
            _ = frame.tick() => {
                if console.dirty {
                    if let Err(err) = terminal.draw(|f| view::draw(f, console, theme)) {
                        break Err(err).wrap_err("drawing the console");
                    }
                    console.dirty = false;
                }
                Vec::new()
            }
        };
        if effects.contains(&Effect::Quit) {
            break Ok(());
        }
        for effect in effects {
            if let Effect::Record(fact) = effect {
                let _ = facts.send(fact);
            }
        }
    };
    // As the dashboard does: restore without printing to a terminal that
    // may be gone.
    let _ = terminal.show_cursor();
    let _ = ratatui::try_restore();
    std::mem::forget(terminal);
    outcome
}

/// What a key does; in the text field, characters are text.
fn key_of(key: KeyEvent, typing: bool) -> Option<Key> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Key::Quit);
    }
    if typing {
        return match key.code {
            KeyCode::Enter => Some(Key::Enter),
            KeyCode::Esc => Some(Key::Back),
            KeyCode::Backspace => Some(Key::Erase),
            KeyCode::Char(c) => Some(Key::Char(c)),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char('n') => Key::Claim,
        KeyCode::Char('j') | KeyCode::Down => Key::Down,
        KeyCode::Char('k') | KeyCode::Up => Key::Up,
        KeyCode::Enter | KeyCode::Char('i') => Key::Enter,
        KeyCode::Char('e') => Key::End,
        KeyCode::Char('a') => Key::Toggle,
        KeyCode::Char('+' | '=') => Key::More,
        KeyCode::Char('-') => Key::Fewer,
        KeyCode::Char('t') => Key::Take,
        KeyCode::Char('r') => Key::Resolve,
        KeyCode::Char('?') => Key::Help,
        KeyCode::Esc => Key::Back,
        KeyCode::Char('q') => Key::Quit,
        _ => return None,
    })
}
