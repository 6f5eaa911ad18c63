//! The dashboard's runtime: the terminal, the NATS connection and feeds,
//! and the loop that turns keys, feed messages and ticks into
//! `App::update` calls and effects into tasks, whose results come back as
//! messages, so the screen never waits on the network.
//!
//! The `EVENTS` feed starts `replay_minutes` back: history first (the
//! supervisor who opens the dashboard mid-day sees every live session at
//! once), then live batches as they are stored, so replay and live
//! traffic are one sequence and a failure resumes where it left off.
//! `AUDIT` is read the same way for offers and chat facts. Without an
//! `EVENTS` stream the dashboard follows live traffic only, and says so.
//! Which shoppers are connected is the broker's word
//! (`floorwalker::presence`); what the intakes and the gates refused,
//! theirs (`floorwalker::refusals`).
//!
//! Drawing happens at most [`FRAME`] apart and only when something
//! changed, so an SSH link is not flooded; ticks every second move the
//! clocks.

use std::path::Path;
use std::time::Duration;

use async_nats::jetstream;
use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{Event, EventStream, KeyEventKind, MouseEventKind};
use floorwalker::creds::{Link, OperatorCreds};
use floorwalker::feed::{self, Source, now_ms};
use floorwalker::streams;
use floorwalker_shared::floor::FloorConfig;
use floorwalker_shared::subject::{self, SiteId};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::DashboardArgs;
use super::app::App;
use super::msg::{Effect, Msg};
use super::settings::Settings;
use super::view;
use crate::cmd::args;
use crate::ui::terminal::Screen;
use crate::ui::theme::Theme;

/// Least time between two frames.
const FRAME: Duration = Duration::from_millis(100);

/// What the dashboard needs to open: where, as whom, how.
pub(crate) struct Setup {
    server: String,
    creds: OperatorCreds,
    site: Option<SiteId>,
    settings: Settings,
    mouse: bool,
    /// What the help says runs where (the demo's address block).
    about: Vec<(String, String)>,
}

impl Setup {
    /// The setup the command line asks for.
    pub(crate) fn from_args(args: &DashboardArgs, data_dir: &Path) -> Result<Self> {
        Ok(Self {
            server: args.connect.nats.server.clone(),
            creds: match &args.name {
                Some(name) => {
                    args::own_creds(&args.connect, data_dir, name, args::Person::Supervisor)?
                }
                None => args.connect.creds(data_dir, "dashboard")?,
            },
            site: args.site.clone(),
            settings: Settings::load(args.config.as_deref())?,
            mouse: args.mouse,
            about: Vec::new(),
        })
    }

    /// The demo's dashboard: its supervisor's own credentials (`user`),
    /// its server, the defaults, and its address block for the help.
    pub(crate) fn demo(
        server: String,
        auth_dir: &Path,
        user: &str,
        about: Vec<(String, String)>,
    ) -> Result<Self> {
        Ok(Self {
            server,
            creds: args::load(&floorwalker::creds::file_in(auth_dir, user))?,
            site: None,
            settings: Settings::default(),
            mouse: false,
            about,
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
    let Setup {
        server,
        creds,
        site,
        settings,
        mouse,
        about,
    } = setup;
    // Said before connecting, so no connection is made for nothing.
    Screen::check("the dashboard")?;
    let (links_tx, links) = mpsc::unbounded_channel();
    let client = args::connect(&server, &creds, "floorwalker-dashboard", Some(links_tx)).await?;
    tracing::info!(%server, user = %creds.user, "dashboard connected");
    let screen = Screen::open("the dashboard", mouse)?;

    let replay = Duration::from_secs(settings.replay_minutes.saturating_mul(60));
    let filter = site
        .as_ref()
        .map_or_else(subject::all_sites_events, subject::all_events);
    let (events_feed, events) = feed::spawn(
        &client,
        Source {
            filter: Some(filter),
            live_fallback: true,
            ..Source::new(streams::EVENTS, replay)
        },
    );
    let (audit_feed, audit) = feed::spawn(&client, Source::new(streams::AUDIT, feed::CHATS_SINCE));
    let (presence_feed, presence) = floorwalker::presence::spawn(&client);
    let (refusals_feed, refusals) = floorwalker::refusals::spawn(&client);

    let config = FloorConfig {
        left_after_ms: settings.left_after_secs.saturating_mul(1_000),
        forget_after_ms: settings.forget_after_secs.saturating_mul(1_000),
        offer_expires_after_ms: settings.offer_expires_secs.saturating_mul(1_000),
        ..FloorConfig::default()
    };
    let nonce: String = floorwalker::creds::random_secret()
        .chars()
        .take(8)
        .collect();
    let mut app = App::new(&creds.user, settings.templates, config, &nonce, now_ms());
    app.targets = settings.targets;
    app.filter.site.clone_from(&site);
    app.site = site;
    app.about = about;
    let inputs = Inputs {
        events,
        audit,
        presence,
        refusals,
        links,
    };
    let outcome = ui(&mut app, screen, inputs, &client, stop).await;
    drop((events_feed, audit_feed, presence_feed, refusals_feed));
    outcome
}

/// What comes in from the network.
struct Inputs {
    events: mpsc::Receiver<feed::Feed>,
    audit: mpsc::Receiver<feed::Feed>,
    presence: mpsc::Receiver<floorwalker::presence::Heard>,
    refusals: mpsc::Receiver<floorwalker::refusals::Heard>,
    links: mpsc::UnboundedReceiver<Link>,
}

/// The terminal loop; the terminal is restored however it ends (the
/// screen's drop).
async fn ui<T>(
    app: &mut App,
    mut screen: Screen,
    mut inputs: Inputs,
    client: &async_nats::Client,
    stop: impl Future<Output = T>,
) -> Result<Option<T>> {
    tokio::pin!(stop);
    let theme = Theme::from_env();
    let (width, height) = screen.size();
    app.update(Msg::Resize { width, height });
    let mut keys = EventStream::new();
    let mut frame = tokio::time::interval(FRAME);
    frame.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    // Effects under way; each ends in a message.
    let mut tasks: JoinSet<Msg> = JoinSet::new();
    loop {
        let msg = tokio::select! {
            stopped = &mut stop => return Ok(Some(stopped)),
            event = keys.next() => match event {
                Some(Ok(event)) => match terminal_msg(&event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(err)) => return Err(err).wrap_err("reading the terminal"),
                None => return Ok(None),
            },
            Some(f) = inputs.events.recv() => Msg::Events(f),
            Some(f) = inputs.audit.recv() => Msg::Audit(f),
            Some(heard) = inputs.presence.recv() => Msg::Presence(heard),
            Some(heard) = inputs.refusals.recv() => Msg::Refusals(heard),
            Some(link) = inputs.links.recv() => Msg::Link(link),
            Some(done) = tasks.join_next() => done.unwrap_or_else(|e| {
                tracing::error!(%e, "a dashboard task failed");
                Msg::TaskFailed(std::sync::Arc::new(e))
            }),
            _ = tick.tick() => Msg::Tick { now_ms: now_ms() },
            _ = frame.tick() => {
                if app.dirty {
                    screen
                        .draw(|f| view::draw(f, app, theme))
                        .wrap_err("drawing the dashboard")?;
                    app.dirty = false;
                }
                continue;
            }
        };
        for effect in app.update(msg) {
            match effect {
                Effect::Quit => return Ok(None),
                Effect::Record(fact) => {
                    let (js, user) = (jetstream::new(client.clone()), app.operator.clone());
                    tasks.spawn(async move {
                        let done = floorwalker::record::record(&js, &user, &fact).await;
                        Msg::Recorded(done.map(|_| ()))
                    });
                }
                Effect::ReadMemory(id) => {
                    let js = jetstream::new(client.clone());
                    tasks.spawn(async move {
                        let read = floorwalker::learn::read_memory(&js, &id.0, &id.1).await;
                        Msg::Memory(id, read.map_err(std::sync::Arc::new))
                    });
                }
                Effect::SendOffer { session, record } => {
                    let client = client.clone();
                    tasks.spawn(async move {
                        let sent = floorwalker::offers::send(&client, &session, &record).await;
                        if let Err(e) = &sent {
                            tracing::warn!(%e, "offer not sent");
                        }
                        Msg::OfferDone(sent.map(|()| record))
                    });
                }
            }
        }
    }
}

/// What a terminal event means to the dashboard.
fn terminal_msg(event: &Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Press(*key)),
        Event::Paste(text) => Some(Msg::Paste(text.clone())),
        Event::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollDown => Some(Msg::Wheel { down: true }),
            MouseEventKind::ScrollUp => Some(Msg::Wheel { down: false }),
            _ => None,
        },
        Event::Resize(width, height) => Some(Msg::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}
