//! The words the dashboard shows, in one place.

pub(crate) const TITLE: &str = "Floorwalker";
pub(crate) const NO_SELECTION: &str = "Select a shopper first (j/k), then press o.";
pub(crate) const SHOPPER_GONE: &str = "That shopper is no longer on the floor.";
pub(crate) const OFFER_DECLINED: &str =
    "Not sent: this shopper declined an offer in this session and will not be asked again.";
pub(crate) const OFFER_LEFT: &str = "Not sent: this shopper has left.";
pub(crate) const OFFER_RECONNECTING: &str =
    "Not sent: this shopper's connection dropped; try again once it is back.";
pub(crate) const OFFER_PENDING: &str =
    "Not sent: an offer to this shopper is still waiting for an answer.";
pub(crate) const OFFER_IN_CHAT: &str = "Not sent: this shopper already asked for help.";
pub(crate) const OFFER_EMPTY: &str = "Type a message first, or pick a template.";
pub(crate) const OFFER_SENDING: &str = "Sending the offer…";
pub(crate) const OFFER_SENT: &str =
    "Offer sent; the shopper's State goes offer sent, offer shown, then their answer.";
pub(crate) const OFFER_TITLE: &str = " Offer a chat ";
pub(crate) const OFFER_GONE: &str = "This shopper is no longer on the floor.";
pub(crate) const OFFER_OWN: &str = "Type your own: ";
pub(crate) const OFFER_HINT: &str = "↑/↓ choose · Enter send · Esc cancel";
pub(crate) const HELP_TITLE: &str = " Keys ";
pub(crate) const HELP_CLOSE: &str = "? or Esc closes this help";
pub(crate) const HELP_ABOUT: &str = "Where this runs";
pub(crate) const NO_SESSIONS: &str = "No shoppers on the storefront right now.";
pub(crate) const NO_MATCH: &str = "No shopper matches the filter (Esc clears it).";
pub(crate) const CONNECTING: &str = "connecting…";
pub(crate) const REPLAYING: &str = "replaying…";
pub(crate) const LIVE: &str = "live";
pub(crate) const DOWN: &str = "NATS connection lost, reconnecting; the view shows what was known";
pub(crate) const FEED_DOWN: &str =
    "Cannot read the streams now, retrying; the view shows what was known";
pub(crate) const NO_EVENTS_STREAM: &str = "No EVENTS stream: showing live traffic only, no history. An admin creates it \
     with `floorwalker setup`.";
pub(crate) const NOT_YET: &str = "—";

/// The agents the chats need against the agents on duty, as the queue
/// panel shows them: `need 4 · have 3` (`need —` while unknown).
pub(crate) fn need_have(needed: Option<u32>, have: u32) -> String {
    let needed = needed.map_or_else(|| NOT_YET.to_owned(), |n| n.to_string());
    format!("need {needed} · have {have}")
}

/// The agents the chats need, as the title line says it when too few are
/// on duty.
pub(crate) fn need_agents(needed: u32) -> String {
    format!("need {needed} agent{}", if needed == 1 { "" } else { "s" })
}
pub(crate) const NEEDS_HELP: &str = "needs help";
pub(crate) const FLAGGED: &str = "Flagged";
pub(crate) const PRIORITY: &str = "Priority";
pub(crate) const OFFER_NO_AGENT: &str =
    "Not sent: no agent is available to answer a chat right now (see a: agents).";
pub(crate) const DESK_SELECT: &str = "Select an open chat first (j/k).";
pub(crate) const DESK_NO_AGENT: &str = "Nobody holds this chat yet: join it, or reassign it.";
pub(crate) const DESK_SENT: &str = "Recorded in the audit trail.";
pub(crate) const WHISPER_PROMPT: &str = "Whisper to the agent: ";
pub(crate) const JOIN_PROMPT: &str = "Say to the shopper: ";
pub(crate) const REASSIGN_TITLE: &str = " Reassign to ";
pub(crate) const REASSIGN_QUEUE: &str = "back to the queue";
pub(crate) const REASSIGN_HINT: &str = "↑/↓ choose · Enter gives it · Esc cancels";
pub(crate) const REASSIGN_HAS_IT: &str = "That agent has this chat already: pick another.";
pub(crate) const REASSIGN_OFFLINE: &str = "That agent is offline now: pick another.";
pub(crate) const REASSIGN_QUEUED: &str = "That chat is waiting in the queue already.";
pub(crate) const REASSIGN_CLOSED: &str = "That chat has ended: nothing to reassign.";
pub(crate) const REASSIGN_HOLDER: &str = "has it";

/// What the reassign dialog says before giving a chat to an agent who is
/// full or away.
pub(crate) fn reassign_caution(agent: &str, caution: super::supervise::Caution) -> String {
    match caution {
        super::supervise::Caution::Full { held, capacity } => format!(
            "{agent} holds {held} of {capacity} chats. Enter again gives them one more; \
             Esc picks another."
        ),
        super::supervise::Caution::Away => {
            format!("{agent} is away. Enter again gives them the chat anyway; Esc picks another.")
        }
    }
}
pub(crate) const REFUSED_TITLE: &str = " Refused ";
pub(crate) const REFUSED_CLOSE: &str = " x or Esc closes this ";
pub(crate) const REFUSED_NOTHING_HEARD: &str = "Nothing heard yet from the intakes or the gates.";
pub(crate) const REFUSED_INTAKES: &str = "At the intakes";
pub(crate) const REFUSED_NO_INTAKE: &str =
    "no intake has reported; is `floorwalker intake` running?";
pub(crate) const REFUSED_GATES: &str = "At the gate (connections)";
pub(crate) const REFUSED_NO_GATE: &str = "no gate answered";
pub(crate) const REFUSED_GATE_SILENT: &str =
    "the counts the gate last gave: it does not answer now";
pub(crate) const REFUSED_NONE: &str = "nothing refused";
pub(crate) const REFUSED_UNREADABLE: &str = "Stored but unreadable here";
pub(crate) const DESK_HINT: &str =
    "j/k chat · w whisper · J join · R reassign · a/Esc shoppers · ? help";

pub(crate) const INSIGHTS_HINT: &str =
    "i/Esc shoppers · a agents & chats · x refused · ? help · q quit";
pub(crate) const STAFFING_TITLE: &str = " Staffing ";
pub(crate) const STAFFING_ASKED: &str = "Asked for";
pub(crate) const STAFFING_HANDLE: &str = "Handle time";
pub(crate) const STAFFING_PATIENCE: &str = "Patience";
pub(crate) const STAFFING_EACH: &str = "Each agent";
pub(crate) const STAFFING_TARGET: &str = "Target";
pub(crate) const STAFFING_NEED: &str = "Need";
pub(crate) const STAFFING_NO_HANDLE: &str = "— no chat has ended in the last hour";
pub(crate) const STAFFING_NO_PATIENCE: &str =
    "— nobody gave up waiting in the hour: taken to wait (Erlang C)";
pub(crate) const STAFFING_NO_TABLE: &str =
    "What each number of agents would give shows once a chat has ended in the last hour.";
pub(crate) const STAFFING_AGENTS: &str = "Agents";
pub(crate) const STAFFING_WAITS: &str = "Wait";
pub(crate) const STAFFING_GIVE_UP: &str = "Give up";
pub(crate) const STAFFING_HAVE: &str = "on duty";
pub(crate) const STAFFING_NEEDED: &str = "needed";
pub(crate) const STAFFING_HAVE_NEED: &str = "on duty, needed";

/// Chats asked for a minute over the last 15 minutes and the hour, with
/// how many.
pub(crate) fn staffing_asked(recent: &str, recent_n: u32, hour: &str, hour_n: u32) -> String {
    format!("{recent} chats a minute over 15 min ({recent_n}) · {hour} over the hour ({hour_n})")
}

/// The hour's mean handle time, over how many chats.
pub(crate) fn staffing_handle(mean: &str, chats: u32) -> String {
    let plural = if chats == 1 { "" } else { "s" };
    format!("{mean}, the mean of {chats} chat{plural} ended in the hour")
}

/// Shoppers' mean patience in the queue, from how many who gave up.
pub(crate) fn staffing_patience(mean: &str, gave_up: u32) -> String {
    let who = if gave_up == 1 { "shopper" } else { "shoppers" };
    format!("{mean}, from {gave_up} {who} who gave up waiting in the hour")
}

/// How many chats an agent takes at once, as the model counts them.
pub(crate) fn staffing_each(chats: u32) -> String {
    let plural = if chats == 1 { "" } else { "s" };
    format!("takes {chats} chat{plural} at once (the capacity of those on duty)")
}

/// The target the need is for.
pub(crate) fn staffing_target(percent: u8, within: &str) -> String {
    format!("{percent}% answered within {within}")
}

/// The agents needed against those on duty.
pub(crate) fn staffing_need(needed: u32, have: u32) -> String {
    let plural = if needed == 1 { "" } else { "s" };
    format!("{needed} agent{plural} · have {have} on duty")
}

/// No need known yet.
pub(crate) fn staffing_need_unknown(have: u32) -> String {
    format!("{NOT_YET} until a chat has ended · have {have} on duty")
}

/// A need past what the model looks for.
pub(crate) fn staffing_need_past_reach(have: u32) -> String {
    let most = floorwalker_shared::staffing::measure::MAX_AGENTS;
    format!("more than {most} agents · have {have} on duty")
}

/// The table's heading for the service level.
pub(crate) fn staffing_answered_within(within: &str) -> String {
    format!("Answered in {within}")
}
