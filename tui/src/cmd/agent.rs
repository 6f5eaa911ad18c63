//! `floorwalker agent --name NAME`: the agents' console. The agent says
//! whether it takes chats and how many at once, claims the next waiting
//! chat, sees the shopper's journey (where they came from, their cart,
//! where they are now, the path) beside the conversation, replies, ends
//! the chat, and takes and resolves incidents.
//!
//! Like every reader, the console folds the chat facts of the `AUDIT`
//! stream into a desk ([`app`]), and everything it does is a fact it
//! records there (claims, messages, ends, its status) with a message id,
//! retried until stored; it never speaks to a shopper directly (the router
//! does). So a console that crashes and restarts reads back exactly what
//! was said, once, and finds its chats still its own unless the router's
//! timeout gave them back to the queue meanwhile.
//!
//! [`app`] holds the state and update, [`view`] draws it and changes
//! nothing, [`keymap`] is the one table of keys (the help reads it),
//! [`runtime`] owns the terminal and the connection; [`args`] is its
//! command line.

mod app;
mod args;
mod keymap;
mod runtime;
mod strings;
mod view;

pub(crate) use args::AgentArgs;
pub(crate) use runtime::run;
