//! The console's runtime: the terminal, the connection, the streams, the
//! presence it keeps up, and the one task that records its facts in order
//! (each retried until stored; a failure comes back as a message).

use std::path::Path;
use std::time::Duration;

use async_nats::jetstream;
use color_eyre::eyre::{Result, WrapErr, bail, eyre};
use crossterm::event::{Event, EventStream, KeyEventKind};
use floorwalker::creds::Link;
use floorwalker::feed::{self, now_ms};
use floorwalker::record::{RecordError, record};
use floorwalker_shared::chat::DeskFact;
use floorwalker_shared::subject;
use futures::StreamExt;
use tokio::sync::mpsc;

use super::AgentArgs;
use super::app::{Console, Effect, Msg};
use super::view;
use crate::cmd::args;
use crate::ui::terminal::Screen;
use crate::ui::theme::Theme;

/// How often the console says it is there.
const PRESENCE: Duration = Duration::from_secs(5);

/// How often it repeats its status, so a reader starting from a day of
/// history still finds it.
const STATUS_AGAIN: Duration = Duration::from_secs(20 * 60);

/// Least time between two frames.
const FRAME: Duration = Duration::from_millis(100);

pub(crate) async fn run(args: &AgentArgs, data_dir: &Path) -> Result<()> {
    Screen::check("the agent's console")?;
    let creds = args::own_creds(&args.connect, data_dir, &args.name, args::Person::Agent)?;
    let (links_tx, links) = mpsc::unbounded_channel();
    let client = args::connect(
        &args.connect.nats.server,
        &creds,
        "floorwalker-agent",
        Some(links_tx),
    )
    .await?;
    let feeds = feed::desk(&client);
    let presence = subject::presence(&creds.user).map_err(|e| eyre!("user name {e}"))?;
    let beat = client.clone();
    let heart = tokio::spawn(async move {
        let mut every = tokio::time::interval(PRESENCE);
        loop {
            every.tick().await;
            let _ = beat
                .publish(presence.to_string(), bytes::Bytes::new())
                .await;
        }
    });
    // One task records every fact, in order, each retried until stored.
    let (facts, mut to_record) = mpsc::unbounded_channel::<DeskFact>();
    let (failed_tx, failed) = mpsc::unbounded_channel::<RecordError>();
    let (js, user) = (jetstream::new(client.clone()), creds.user.clone());
    let mut recorder = tokio::spawn(async move {
        while let Some(fact) = to_record.recv().await {
            if let Err(why) = record(&js, &user, &fact).await {
                let _ = failed_tx.send(why);
            }
        }
    });

    let nonce: String = floorwalker::creds::random_secret()
        .chars()
        .take(8)
        .collect();
    let mut console = Console::new(&creds.user, !args.away, args.capacity, &nonce, now_ms());
    let _ = facts.send(console.status());
    let screen = Screen::open("the agent's console", false)?;
    let (memories, read) = mpsc::unbounded_channel();
    let inputs = Inputs {
        feeds,
        links,
        failed,
        read,
        memories,
        js: jetstream::new(client.clone()),
    };
    let outcome = ui(&mut console, screen, inputs, &facts, &mut recorder).await;
    // Leaving: away, so no new chat comes this way; the chats held wait
    // for this agent's return until the router's timeout.
    console.available = false;
    let _ = facts.send(console.status());
    drop(facts);
    heart.abort();
    let _ = tokio::time::timeout(Duration::from_secs(3), recorder).await;
    outcome
}

/// What comes in from the network.
struct Inputs {
    feeds: feed::DeskFeeds,
    links: mpsc::UnboundedReceiver<Link>,
    failed: mpsc::UnboundedReceiver<RecordError>,
    /// Memories read, as messages.
    read: mpsc::UnboundedReceiver<Msg>,
    memories: mpsc::UnboundedSender<Msg>,
    js: jetstream::Context,
}

async fn ui(
    console: &mut Console,
    mut screen: Screen,
    mut inputs: Inputs,
    facts: &mpsc::UnboundedSender<DeskFact>,
    recorder: &mut tokio::task::JoinHandle<()>,
) -> Result<()> {
    let theme = Theme::from_env();
    let mut keys = EventStream::new();
    let mut frame = tokio::time::interval(FRAME);
    frame.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut status_again = tokio::time::interval(STATUS_AGAIN);
    status_again.tick().await;
    loop {
        let msg = tokio::select! {
            event = keys.next() => match event {
                Some(Ok(event)) => match terminal_msg(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(err)) => return Err(err).wrap_err("reading the terminal"),
                None => return Ok(()),
            },
            Some(f) = inputs.feeds.audit.recv() => Msg::Audit(f),
            Some(f) = inputs.feeds.events.recv() => Msg::Events(f),
            Some(link) = inputs.links.recv() => Msg::Link(link),
            Some(why) = inputs.failed.recv() => Msg::NotRecorded(why),
            Some(read) = inputs.read.recv() => read,
            ended = &mut *recorder => {
                // Facts would go unrecorded: never carry on silently.
                bail!("the task that records this console's facts stopped ({ended:?})");
            }
            _ = tick.tick() => Msg::Tick { now_ms: now_ms() },
            _ = status_again.tick() => {
                let _ = facts.send(console.status());
                continue;
            }
            _ = frame.tick() => {
                if console.dirty {
                    screen
                        .draw(|f| view::draw(f, console, theme))
                        .wrap_err("drawing the console")?;
                    console.dirty = false;
                }
                continue;
            }
        };
        for effect in console.update(msg) {
            match effect {
                Effect::Quit => return Ok(()),
                Effect::Record(fact) => {
                    let _ = facts.send(fact);
                }
                Effect::ReadMemory(id) => {
                    let (js, answer) = (inputs.js.clone(), inputs.memories.clone());
                    tokio::spawn(async move {
                        let read = floorwalker::learn::read_memory(&js, &id.0, &id.1).await;
                        let _ = answer.send(Msg::Memory(id, read.map_err(std::sync::Arc::new)));
                    });
                }
            }
        }
    }
}

/// What a terminal event means to the console: a key, a paste (whole,
/// with bracketed paste on: a large one never stalls the keys), or a
/// reason to draw again.
fn terminal_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Press(key)),
        Event::Key(_) => None,
        Event::Paste(text) => Some(Msg::Paste(text)),
        _ => Some(Msg::Resize),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paste_is_one_message_and_a_key_release_none() {
        let text = "line one\nline two".repeat(300);
        assert!(matches!(
            terminal_msg(Event::Paste(text.clone())),
            Some(Msg::Paste(pasted)) if pasted == text
        ));
        let mut release = crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char('x'));
        release.kind = KeyEventKind::Release;
        assert!(terminal_msg(Event::Key(release)).is_none());
        assert!(matches!(
            terminal_msg(Event::Resize(80, 24)),
            Some(Msg::Resize)
        ));
    }
}
