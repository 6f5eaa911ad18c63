//! Keys and typed characters: what each key-table action does in each
//! mode; the offer dialog's keys are in [`super::offer`], the desk view's
//! in `supervise`.

use floorwalker_shared::session::State;
use floorwalker_shared::subject::SiteId;

use super::{App, MAX_TYPED_OFFER, Mode, Pane};
use crate::cmd::dashboard::keymap::Action;
use crate::cmd::dashboard::msg::Effect;
use crate::cmd::dashboard::strings;
use crate::cmd::dashboard::supervise::DeskMode;
use crate::cmd::dashboard::table::{self, Column, Filter, Sort};
use crate::cmd::dashboard::view;

impl App {
    pub(super) fn type_char(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        match &mut self.mode {
            Mode::Desk(mode) => mode.type_char(c),
            Mode::Filter(_) if self.filter.text.chars().count() < 64 => {
                self.filter.text.push(c);
                self.offset = 0;
            }
            Mode::Offer(dialog, _) if dialog.typed.chars().count() < MAX_TYPED_OFFER => {
                dialog.typed.push(c);
            }
            _ => {}
        }
    }

    pub(super) fn key(&mut self, action: Action) -> Vec<Effect> {
        if action == Action::Quit {
            return vec![Effect::Quit];
        }
        let mode = std::mem::replace(&mut self.mode, Mode::Floor);
        let (mode, effects) = match mode {
            Mode::Help(under) => {
                let back = matches!(action, Action::Help | Action::Back);
                (if back { *under } else { Mode::Help(under) }, Vec::new())
            }
            Mode::Refused(under) => {
                let back = matches!(action, Action::Refused | Action::Back);
                (if back { *under } else { Mode::Refused(under) }, Vec::new())
            }
            Mode::Offer(dialog, under) => self.offer_key(dialog, under, action),
            Mode::Filter(under) => {
                let done = self.filter_key(action);
                (if done { *under } else { Mode::Filter(under) }, Vec::new())
            }
            // From browsing the desk straight to the insights; a dialog or
            // a text field in the desk keeps the key.
            Mode::Desk(DeskMode::Browse) if action == Action::Insights => {
                (Mode::Insights, Vec::new())
            }
            Mode::Desk(desk) if !matches!(action, Action::Help | Action::Refused) => {
                self.desk_key(desk, action)
            }
            Mode::Insights => self.insights_key(action),
            mode => self.floor_key(mode, action),
        };
        self.mode = mode;
        effects
    }

    /// A key while the filter is typed: true when the field closes (back
    /// to what showed under it).
    fn filter_key(&mut self, action: Action) -> bool {
        match action {
            Action::Confirm => true,
            Action::Back => {
                self.filter.text.clear();
                true
            }
            Action::Erase => {
                self.filter.text.pop();
                false
            }
            _ => false,
        }
    }

    /// A key on the floor or with a journey open (or `?` anywhere).
    fn floor_key(&mut self, mode: Mode, action: Action) -> (Mode, Vec<Effect>) {
        let journey = match &mode {
            Mode::Journey(pane) => Some(*pane),
            _ => None,
        };
        // A key pressed before the next tick acts on the row on screen (a
        // move from no selection starts at the first row by itself).
        let moves = matches!(
            action,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::First
                | Action::Last
        );
        if journey.is_none() && !moves {
            self.keep_selection();
        }
        let next = match action {
            Action::Help => Mode::Help(Box::new(mode)),
            Action::Refused => Mode::Refused(Box::new(mode)),
            Action::Desk => {
                self.supervise.keep_selection(&self.desk);
                Mode::Desk(DeskMode::Browse)
            }
            Action::Insights => Mode::Insights,
            Action::Whisper | Action::Join | Action::Reassign => {
                self.say(strings::DESK_SELECT);
                mode
            }
            Action::Back => {
                if journey.is_some() {
                    Mode::Floor
                } else if self.filter.is_active() {
                    self.filter = Filter::default();
                    mode
                } else {
                    return (mode, vec![Effect::Quit]);
                }
            }
            Action::Open if self.selected.is_some() => {
                self.detail_scroll = 0;
                Mode::Journey(Pane::Detail)
            }
            Action::NextPane => match journey {
                Some(Pane::Sessions) => Mode::Journey(Pane::Detail),
                Some(Pane::Detail) => Mode::Journey(Pane::Sessions),
                None => mode,
            },
            Action::Search => Mode::Filter(Box::new(mode)),
            Action::StateFilter => {
                self.filter.state = next_in(&State::ALL, self.filter.state);
                self.offset = 0;
                mode
            }
            Action::SiteFilter => {
                self.next_site_filter();
                mode
            }
            Action::NeedsHelpFilter => {
                self.filter.needs_help = !self.filter.needs_help;
                self.offset = 0;
                mode
            }
            Action::NeedsHelpSort => {
                self.sort = Sort::NEEDS_HELP;
                mode
            }
            Action::Sort => {
                let column = self.sort.column.next();
                // Numbers start largest first.
                let descending = matches!(
                    column,
                    Column::Cart | Column::OnSite | Column::Pages | Column::Idle | Column::Why
                );
                self.sort = Sort { column, descending };
                mode
            }
            Action::Reverse => {
                self.sort.descending = !self.sort.descending;
                mode
            }
            Action::Offer => return self.open_offer(mode),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => {
                if journey == Some(Pane::Detail) {
                    self.scroll_detail(action);
                } else {
                    self.move_selection(action);
                }
                mode
            }
            Action::Open | Action::Quit | Action::Confirm | Action::Erase => mode,
        };
        (next, Vec::new())
    }

    fn next_site_filter(&mut self) {
        let mut sites: Vec<SiteId> = self
            .floor
            .sessions()
            .map(|s| s.subjects().site().clone())
            .collect();
        sites.sort();
        sites.dedup();
        self.filter.site = next_in(&sites, self.filter.site.clone());
        self.offset = 0;
    }

    /// A key in the desk view.
    fn desk_key(&mut self, mode: DeskMode, action: Action) -> (Mode, Vec<Effect>) {
        let out = self
            .supervise
            .key(&self.desk, mode, action, &self.operator, &self.nonce);
        if let Some(why) = out.why {
            self.say(why);
        }
        if !out.effects.is_empty() {
            self.say(strings::DESK_SENT);
        }
        (out.mode.map_or(Mode::Floor, Mode::Desk), out.effects)
    }

    /// How far a page moves: the table's rows at this terminal size.
    fn page(&self) -> usize {
        view::table_rows(self.size.0, self.size.1)
    }

    fn scroll_detail(&mut self, action: Action) {
        let page = self.page();
        let end = view::detail_end(self);
        self.detail_scroll = match action {
            Action::Up => self.detail_scroll.saturating_sub(1),
            Action::Down => self.detail_scroll + 1,
            Action::PageUp => self.detail_scroll.saturating_sub(page),
            Action::PageDown => self.detail_scroll + page,
            Action::First => 0,
            _ => end,
        }
        .min(end);
    }

    fn move_selection(&mut self, action: Action) {
        let rows = table::rows(&self.floor, self.now_ms, &self.filter, self.sort);
        if rows.is_empty() {
            self.selected = None;
            return;
        }
        let current = self
            .selected
            .as_ref()
            .and_then(|key| rows.iter().position(|r| r.session.subjects() == key));
        let last = rows.len() - 1;
        let page = self.page();
        let index = match (action, current) {
            (Action::Up, Some(i)) => i.saturating_sub(1),
            (Action::Down, Some(i)) => (i + 1).min(last),
            (Action::PageUp, Some(i)) => i.saturating_sub(page),
            (Action::PageDown, Some(i)) => (i + page).min(last),
            (Action::Last, _) => last,
            (_, Some(i)) if action != Action::First => i,
            // Nothing selected yet starts at the top.
            _ => 0,
        };
        self.selected = Some(rows[index].session.subjects().clone());
        self.offset = table::window(self.offset, Some(index), page, rows.len());
    }
}

/// The value after `current` in `all`, then `None`, then the first again.
fn next_in<T: Clone + PartialEq>(all: &[T], current: Option<T>) -> Option<T> {
    match current {
        None => all.first().cloned(),
        Some(c) => {
            let i = all.iter().position(|x| *x == c)?;
            all.get(i + 1).cloned()
        }
    }
}
