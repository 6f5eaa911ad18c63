//! The words the console says about what a key did or why it did nothing,
//! in one place.

pub(crate) const CLAIMED: &str = "Chat claimed: say hello (Enter sends).";
pub(crate) const CLAIM_LOST: &str = "Another agent took that chat first; press n for the next.";
pub(crate) const SELECT_MINE: &str = "Select one of your chats first (or press n to claim one).";
pub(crate) const SELECT_MINE_TO_END: &str = "Select one of your chats to end it.";
pub(crate) const SELECT_MINE_TO_PASTE: &str =
    "Select one of your chats, then paste: the text becomes your reply.";
pub(crate) const SELECT_INCIDENT: &str = "Select an incident first.";
pub(crate) const STILL_READING: &str = "Still reading the chat history; a moment.";
pub(crate) const NOT_ONLINE: &str = "Not online yet; a moment.";
pub(crate) const AWAY: &str = "You are away: press a to take chats.";
pub(crate) const FULL: &str = "You hold as many chats as you take: end one, or press +.";
pub(crate) const NOBODY_WAITING: &str = "Nobody is waiting.";
pub(crate) const NO_LONGER_YOURS: &str = "That chat is no longer yours.";
pub(crate) const KEPT: &str = "Kept the chat.";
pub(crate) const MOST_CHATS: &str = "That is the most chats at once.";
pub(crate) const LEAST_CHATS: &str = "One chat at once is the least; press a to take none.";
pub(crate) const TAKEN_BY_YOU: &str = "You have taken this incident: r resolves it.";
pub(crate) const UNTAKEN: &str = "Nobody has taken this incident: t takes it, then r resolves it.";

/// Why `t` or `r` did nothing: another agent has the incident.
pub(crate) fn taken_by(agent: &str) -> String {
    format!("Taken by {agent}: only they can resolve it.")
}

/// The stream gave the incident to another agent before this one's `t`.
pub(crate) fn taken_first(agent: &str) -> String {
    format!("{agent} took that incident first.")
}

/// A supervisor gave this agent a chat.
pub(crate) fn given_to_you(by: &str, chat: &str) -> String {
    format!("{by} gave you chat {chat}.")
}

/// A supervisor moved one of this agent's chats elsewhere.
pub(crate) fn moved_away(by: &str, chat: &str, to: Option<&str>) -> String {
    match to {
        Some(to) => format!("{by} moved your chat {chat} to {to}."),
        None => format!("{by} moved your chat {chat} back to the queue."),
    }
}

/// The footer's question after `e` (whole at 80 columns).
pub(crate) fn end_question(chat: &str) -> String {
    format!("End chat {chat} and send the survey? y/Enter ends it · other keys keep it")
}

/// A paste longer than a reply holds.
pub(crate) fn paste_cut(left_out: usize) -> String {
    format!(
        "Paste cut: a reply holds {} bytes; the last {left_out} characters were left out.",
        super::app::MAX_REPLY
    )
}
