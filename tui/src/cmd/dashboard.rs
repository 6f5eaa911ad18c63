//! The supervisor's dashboard: every live shopper, the figures at a glance,
//! a shopper's journey, offers sent to one chosen shopper, the desk, and
//! the insights (how many agents the chats need, and why).
//!
//! State, update and drawing are apart, as in ratatui's Elm-style apps:
//! [`app`] holds the state and turns each [`msg::Msg`] into
//! [`msg::Effect`]s without touching terminal or network; [`view`] draws it
//! and changes nothing; [`keymap`] is the one table of keys, which the help
//! and footer read; [`table`] sorts and filters the rows; [`supervise`] is
//! the desk view (agents, chats, incidents) and its actions; [`runtime`]
//! owns the terminal, the connection and the feeds, and runs each effect as
//! a task whose result comes back as a message. [`args`] and [`settings`]
//! are its command line and config file.

pub(crate) mod app;
mod args;
pub(crate) mod keymap;
pub(crate) mod msg;
mod runtime;
mod settings;
mod strings;
pub(crate) mod supervise;
pub(crate) mod table;
pub(crate) mod view;

pub(crate) use args::DashboardArgs;
pub(crate) use runtime::{Setup, open, run};
