//! Keys and typed characters: what each keymap action does to the dashboard,
//! outside the offer dialog ([`super::offer`]).

use floorwalker_shared::session::State;
use floorwalker_shared::subject::SiteId;

use super::{App, Editing, MAX_TYPED_OFFER, Pane};
use crate::dashboard::keymap::Action;
use crate::dashboard::msg::Effect;
use crate::dashboard::strings;
use crate::dashboard::table::{self, Column, Filter, Sort};

impl App {
    pub(super) fn type_char(&mut self, c: char) {
        if c.is_control() {
            return;
        }
        if self.supervise.typing() {
            self.supervise.type_char(c);
            return;
        }
        if self.editing == Editing::Filter {
            if self.filter.text.chars().count() < 64 {
                self.filter.text.push(c);
                self.offset = 0;
            }
        } else if let Some(offer) = &mut self.offer {
            if offer.typed.chars().count() < MAX_TYPED_OFFER {
                offer.typed.push(c);
            }
        }
    }

    pub(super) fn key(&mut self, action: Action) -> Vec<Effect> {
        if action == Action::Quit {
            return vec![Effect::Quit];
        }
        if self.help {
            if matches!(action, Action::Help | Action::Back) {
                self.help = false;
            }
            return Vec::new();
        }
        if self.offer.is_some() {
            return self.offer_key(action);
        }
        if self.editing == Editing::Filter {
            match action {
                Action::Confirm => self.editing = Editing::None,
                Action::Back => {
                    self.editing = Editing::None;
                    self.filter.text.clear();
                }
                Action::Erase => {
                    self.filter.text.pop();
                }
                _ => {}
            }
            return Vec::new();
        }
        if self.supervise.open && action != Action::Help {
            return self.supervise_key(action);
        }
        match action {
            Action::Help => self.help = true,
            Action::Desk => {
                self.supervise.open = true;
                self.supervise.keep_selection(&self.desk);
            }
            Action::Whisper | Action::Join | Action::Reassign => {
                self.say(strings::DESK_SELECT);
            }
            Action::Back => {
                if self.detail_open {
                    self.detail_open = false;
                    self.focus = Pane::Sessions;
                } else if self.filter.is_active() {
                    self.filter = Filter::default();
                } else {
                    return vec![Effect::Quit];
                }
            }
            Action::Open => {
                if self.selected.is_some() {
                    self.detail_open = true;
                    self.detail_scroll = 0;
                    self.focus = Pane::Detail;
                }
            }
            Action::NextPane => {
                if self.detail_open {
                    self.focus = match self.focus {
                        Pane::Sessions => Pane::Detail,
                        Pane::Detail => Pane::Sessions,
                    };
                }
            }
            Action::Search => {
                self.editing = Editing::Filter;
            }
            Action::StateFilter => {
                self.filter.state = next_in(&State::ALL, self.filter.state);
                self.offset = 0;
            }
            Action::SiteFilter => self.next_site_filter(),
            Action::Sort => {
                let column = self.sort.column.next();
                // Numbers start largest first.
                let descending = matches!(
                    column,
                    Column::Cart | Column::OnSite | Column::Pages | Column::Idle
                );
                self.sort = Sort { column, descending };
            }
            Action::Reverse => self.sort.descending = !self.sort.descending,
            Action::Offer => self.open_offer(),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::First
            | Action::Last => {
                if self.focus == Pane::Detail {
                    self.scroll_detail(action);
                } else {
                    self.move_selection(action);
                }
            }
            Action::Quit | Action::Confirm | Action::Erase => {}
        }
        Vec::new()
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
    fn supervise_key(&mut self, action: Action) -> Vec<Effect> {
        let (effects, why) = self.supervise.key(&self.desk, action, &self.operator);
        if let Some(why) = why {
            self.say(why);
        }
        if !effects.is_empty() {
            self.say(strings::DESK_SENT);
        }
        effects
    }

    fn scroll_detail(&mut self, action: Action) {
        let page = self.page_rows.max(1);
        self.detail_scroll = match action {
            Action::Up => self.detail_scroll.saturating_sub(1),
            Action::Down => self.detail_scroll + 1,
            Action::PageUp => self.detail_scroll.saturating_sub(page),
            Action::PageDown => self.detail_scroll + page,
            Action::First => 0,
            // The view clamps it to the end.
            _ => usize::MAX / 2,
        };
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
        let page = self.page_rows.max(1);
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
        // Keep the selection on screen.
        if index < self.offset {
            self.offset = index;
        } else if index >= self.offset + page {
            self.offset = index + 1 - page;
        }
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
