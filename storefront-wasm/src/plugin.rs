//! The plugin's one instance: configuration, session, connection and
//! recorder, shared by the page's event handlers.

use alloc::rc::Rc;
use alloc::{string::String, vec::Vec};
use core::cell::RefCell;

use floorwalker_shared::credential::ShopperCredential;
use floorwalker_shared::nats::ConnectInfo;
use floorwalker_shared::nats::conn::{Connection, Options};
use floorwalker_shared::recorder::{BatchPolicy, Recorder};
use floorwalker_shared::subject::SessionSubjects;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

use crate::chat::Chats;
use crate::config::Config;
use crate::error::StartError;
use crate::storage::{self, Session};
use crate::transport::Socket;
use crate::{capture, datalayer, transport, widget};

/// What the survey calls with the shopper's answer (`None`: dismissed) and
/// comment.
pub(crate) type SurveyAnswer = Closure<dyn FnMut(Option<bool>, String)>;

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
    pub(crate) timer_callback: Option<Closure<dyn FnMut()>>,
    /// Listeners live as long as the page.
    pub(crate) listeners: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    /// The answer callback of the offer on screen.
    pub(crate) offer_answer: Option<Closure<dyn FnMut(String)>>,
    /// The session's chat and the chat facts on their way.
    pub(crate) chats: Chats,
    /// What the chat window calls with the shopper's messages.
    pub(crate) chat_send: Option<Closure<dyn FnMut(String)>>,
    /// What the chat window calls when the shopper closes it.
    pub(crate) chat_close: Option<Closure<dyn FnMut()>>,
    /// What the launcher calls.
    pub(crate) launcher_open: Option<Closure<dyn FnMut()>>,
    /// The answer callback of the survey on screen (`None` for dismissed).
    pub(crate) survey_answer: Option<SurveyAnswer>,
}

/// The plugin.
pub(crate) struct Plugin {
    pub(crate) inner: RefCell<Inner>,
}

/// Where the one plugin lives: a plain static on the browser's one thread
/// without std (which has no `thread_local!`), a thread-local with it.
#[cfg(floorwalker_no_std)]
mod instance {
    use alloc::rc::Rc;
    use core::cell::RefCell;

    use super::Plugin;

    pub(super) struct Instance(RefCell<Option<Rc<Plugin>>>);

    // SAFETY: built this way only for wasm32-unknown-unknown without the
    // atomics feature (see lib.rs), where the plugin runs on exactly one
    // thread and the static is never touched from another.
    #[allow(unsafe_code)]
    unsafe impl Sync for Instance {}

    pub(super) static PLUGIN: Instance = Instance(RefCell::new(None));

    impl Instance {
        pub(super) fn with<R>(&self, act: impl FnOnce(&RefCell<Option<Rc<Plugin>>>) -> R) -> R {
            act(&self.0)
        }
    }
}

#[cfg(not(floorwalker_no_std))]
mod instance {
    use alloc::rc::Rc;
    use core::cell::RefCell;

    use super::Plugin;

    std::thread_local! {
        pub(super) static PLUGIN: RefCell<Option<Rc<Plugin>>> = const { RefCell::new(None) };
    }
}

use instance::PLUGIN;

/// Starts the plugin once; the error is for the console.
pub(crate) fn start(options: &JsValue) -> Result<(), StartError> {
    if PLUGIN.with(|p| p.borrow().is_some()) {
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
    // Where the stream acknowledges chat facts (see `chat`).
    conn.subscribe(subjects.inbox_wildcard(), None);
    // Batches an earlier page could not send go first.
    for batch in storage::take_unsent(&session) {
        let _ = conn.publish(subjects.events(), None, None, batch.into_bytes().into());
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
    let chats = Chats::load(&session);
    let plugin = Rc::new(Plugin {
        inner: RefCell::new(Inner {
            config,
            session,
            subjects,
            conn,
            recorder,
            socket: None,
            generation: 0,
            timer: None,
            timer_callback: None,
            listeners: Vec::new(),
            offer_answer: None,
            chats,
            chat_send: None,
            chat_close: None,
            launcher_open: None,
            survey_answer: None,
        }),
    });
    PLUGIN.with(|p| *p.borrow_mut() = Some(plugin.clone()));
    transport::install_timer(&plugin);
    capture::install(&plugin)?;
    datalayer::install(&plugin);
    widget::install(&plugin);
    transport::pump(&plugin);
    Ok(())
}

/// Runs `act` with the plugin if it has started; a `track` before `start`
/// is dropped (there is nowhere to send it).
pub(crate) fn with_plugin(act: impl FnOnce(&Rc<Plugin>)) {
    if let Some(plugin) = PLUGIN.with(|p| p.borrow().clone()) {
        act(&plugin);
    }
}
