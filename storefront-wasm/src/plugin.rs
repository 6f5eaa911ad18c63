//! The plugin's one instance: configuration, session, connection and
//! recorder, shared by the page's event handlers.

use core::cell::RefCell;

use floorwalker_shared::credential::ShopperCredential;
use floorwalker_shared::nats::ConnectInfo;
use floorwalker_shared::nats::conn::{Connection, Options};
use floorwalker_shared::recorder::{BatchPolicy, Recorder};
use floorwalker_shared::subject::SessionSubjects;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

use crate::config::Config;
use crate::error::StartError;
use crate::shell::Shell;
use crate::storage::{self, Session};
use crate::transport::Socket;
use crate::{capture, datalayer, transport};

/// Everything the handlers share.
pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) session: Session,
    pub(crate) subjects: SessionSubjects,
    pub(crate) conn: Connection,
    pub(crate) recorder: Recorder,
    pub(crate) socket: Option<Socket>,
    pub(crate) generation: u64,
    pub(crate) timer: Option<i32>,
    /// The page's one hook into the plugin: `capture.js` calls it with what
    /// the page did, the transport's timer with nothing (as 0). One closure
    /// of one type: each type is glue of its own in the download.
    pub(crate) hook: Option<Closure<dyn FnMut(u32)>>,
    /// The loader, which loads the chat part and passes on what arrives
    /// for it; `None` when started without it (the browser tests).
    pub(crate) shell: Option<Shell>,
    /// Whether the console has said that a commerce event's currency was
    /// refused (once a page is enough).
    pub(crate) currency_refused: bool,
}

/// The plugin.
pub(crate) struct Plugin {
    pub(crate) inner: RefCell<Inner>,
}

floorwalker_storefront_base::one_per_page!(PLUGIN: Plugin);

/// Starts the plugin once, with the loader's `shell` if given; the error is
/// for the console.
pub(crate) fn start(options: &JsValue, shell: Option<Shell>) -> Result<(), StartError> {
    if PLUGIN.get().is_some() {
        return Ok(());
    }
    let config = Config::from_js(options)?;
    let now = js_sys::Date::now();
    let session = storage::session(now)?;
    let credential = ShopperCredential::new(config.site.clone(), session.secret.clone());
    let subjects = credential.subjects();
    let seed = storage::random_bytes()?;
    let mut conn = Connection::new(Options {
        connect: ConnectInfo {
            name: Some("floorwalker-storefront".into()),
            lang: "wasm".into(),
            auth_token: Some(credential.to_token_string()),
            ..ConnectInfo::default()
        },
        seed: u64::from_le_bytes([
            seed[0], seed[1], seed[2], seed[3], seed[4], seed[5], seed[6], seed[7],
        ]),
        ..Options::default()
    });
    conn.subscribe(subjects.push(), None);
    // Where the stream acknowledges chat facts (see `chat_part`).
    conn.subscribe(subjects.inbox_wildcard(), None);
    // Batches an earlier page could not send go first.
    for batch in storage::take_unsent(&session).split_terminator('\n') {
        let _ = conn.publish(subjects.events(), None, None, batch.as_bytes().to_vec());
    }
    let mut recorder = Recorder::new(
        config.currency.clone(),
        session.next_seq,
        BatchPolicy::default(),
    );
    if let Some(visitor) = storage::visitor() {
        recorder.set_visitor(visitor);
    }
    let (products, toggled) = storage::load_products(&session);
    recorder.restore_product_history(products, toggled);
    let key = storage::session_key(&session);
    let plugin = floorwalker_storefront_base::for_the_page(Plugin {
        inner: RefCell::new(Inner {
            config,
            session,
            subjects,
            conn,
            recorder,
            socket: None,
            generation: 0,
            timer: None,
            hook: None,
            shell,
            currency_refused: false,
        }),
    });
    PLUGIN.set(Some(plugin));
    let hook = Closure::<dyn FnMut(u32)>::new(move |kind: u32| {
        if kind == transport::TIMER {
            transport::timer(plugin);
        } else {
            capture::on_page(plugin, kind);
        }
    });
    plugin.inner.borrow_mut().hook = Some(hook);
    capture::install(plugin)?;
    datalayer::install(plugin);
    transport::pump(plugin);
    // The chat part may load now, and calls the core: after the above.
    let shell = plugin.inner.borrow().shell.clone();
    if let Some(shell) = shell {
        shell.ready(&key);
    }
    Ok(())
}

/// Runs `act` with the plugin if it has started; a `track` before `start`
/// is dropped (there is nowhere to send it; the loader holds them).
pub(crate) fn with_plugin(act: impl FnOnce(&'static Plugin)) {
    if let Some(plugin) = PLUGIN.get() {
        act(plugin);
    }
}

/// Runs `act` on the started plugin's state, unless it is in use (a call
/// from within its own handlers, which the chat part never makes).
pub(crate) fn with_inner<R>(act: impl FnOnce(&mut Inner) -> R) -> Option<R> {
    let mut inner = PLUGIN.get()?.inner.try_borrow_mut().ok()?;
    Some(act(&mut inner))
}
