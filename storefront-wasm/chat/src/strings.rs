//! The chat's texts that the plugin's Rust side writes; the buttons and
//! labels the widget's JS snippet builds are in the snippet (`widget`).
//!
//! Sentences with a value in them are split around it: the plugin
//! concatenates rather than `format!`s (see lib.rs).

/// Who the shopper's own lines are from.
pub(crate) const YOU: &str = "You";
/// After an agent's name, for a supervisor who writes in the chat.
pub(crate) const SUPERVISOR: &str = " (supervisor)";
/// The status line from asking for help until the first queue status.
pub(crate) const WAITING: &str = "Waiting for an agent…";
/// "You are number 2 in the queue · about 3 min".
pub(crate) const QUEUE: [&str; 2] = ["You are number ", " in the queue"];
/// The expected wait, in whole minutes.
pub(crate) const WAIT_MINUTES: [&str; 2] = [" · about ", " min"];
/// An expected wait under a minute.
pub(crate) const WAIT_SHORT: &str = " · less than a minute";
/// After an agent's name, when it takes the chat.
pub(crate) const JOINED: &str = " joined the chat";
/// The status line once the chat is over (the survey is asked).
pub(crate) const ENDED: &str = "The chat has ended";
/// When a message cannot be kept until the server confirms it.
pub(crate) const NOT_SENT: &str = "Not sent: please try again in a moment.";
