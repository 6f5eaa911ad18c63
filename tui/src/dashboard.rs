//! The supervisor's dashboard: every live shopper, the figures at a glance,
//! a shopper's journey, and offers sent to one chosen shopper.
//!
//! State, update and drawing are apart, as in ratatui's Elm-style apps:
//! [`app`] holds the state and turns each [`msg::Msg`] into
//! [`msg::Effect`]s without touching terminal or network; [`view`] draws it;
//! [`keymap`] maps keys to actions; [`table`] sorts and filters the rows;
//! [`supervise`] is the desk view (agents, chats, incidents) and its actions;
//! [`run`] owns the terminal and the NATS connection and carries out the
//! effects; [`feeds`] reads the streams.

pub(crate) mod app;
mod feeds;
pub(crate) mod keymap;
pub(crate) mod msg;
mod run;
mod strings;
pub(crate) mod supervise;
mod table;
pub(crate) mod view;

pub(crate) use run::{Setup, open, run};
