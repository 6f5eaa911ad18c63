//! Keys in the Insights view. Its sections only show figures for now, so
//! a key opens the help or what was refused over it, or leaves it for the
//! shoppers or the desk; a section that takes keys (a sortable table) adds
//! its own here.

use super::{App, Mode};
use crate::cmd::dashboard::keymap::Action;
use crate::cmd::dashboard::msg::Effect;
use crate::cmd::dashboard::supervise::DeskMode;

impl App {
    /// A key while the Insights view shows; returns what shows next.
    pub(super) fn insights_key(&mut self, action: Action) -> (Mode, Vec<Effect>) {
        let next = match action {
            Action::Help => Mode::Help(Box::new(Mode::Insights)),
            Action::Refused => Mode::Refused(Box::new(Mode::Insights)),
            Action::Insights | Action::Back => Mode::Floor,
            Action::Desk => {
                self.supervise.keep_selection(&self.desk);
                Mode::Desk(DeskMode::Browse)
            }
            _ => Mode::Insights,
        };
        (next, Vec::new())
    }
}
