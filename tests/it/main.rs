//! Workspace tests against a real nats-server and a real terminal.

// This whole binary is tests: a failed unwrap is a failed test, and a test
// reads best as one story.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod auth;
mod chat;
mod codec;
mod commerce;
mod conn;
mod consoles;
mod crowd;
mod dashboard;
mod demo;
mod deploy;
mod feed;
mod gate;
mod grid;
mod hostile;
mod learn;
mod metrics;
mod operator;
mod plugin;
mod presence;
mod proxy;
mod refusals;
mod server;
mod setup;
mod simulate;
mod startup;
