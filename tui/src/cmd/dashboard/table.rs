//! The sessions table: its columns, the filter and sort the supervisor
//! chose, and the rows they give (computed on demand; only the visible ones
//! are drawn). Who needs help, and who first, is `triage`'s word: the Why
//! column sorts by its score, and the table starts sorted so.

use std::cmp::Ordering;

use floorwalker_shared::floor::Floor;
use floorwalker_shared::session::{Session, State};
use floorwalker_shared::subject::{SessionSubjects, SiteId};
use floorwalker_shared::triage;

/// A column of the sessions table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Site,
    Page,
    OnSite,
    Pages,
    Cart,
    Source,
    State,
    Idle,
    /// Why the shopper needs help; sorted by the needs help score.
    Why,
}

impl Column {
    /// Every column, in display order (which is also the sort cycle).
    pub(crate) const ALL: [Self; 9] = [
        Self::Site,
        Self::Page,
        Self::OnSite,
        Self::Pages,
        Self::Cart,
        Self::Source,
        Self::State,
        Self::Idle,
        Self::Why,
    ];

    /// The column's heading.
    pub(crate) fn title(self) -> &'static str {
        match self {
            Self::Site => "Site",
            Self::Page => "Page",
            Self::OnSite => "Time",
            Self::Pages => "Pg",
            Self::Cart => "Cart",
            Self::Source => "Source",
            Self::State => "State",
            Self::Idle => "Idle",
            Self::Why => "Why",
        }
    }

    /// The column after this one, for `s`.
    pub(crate) fn next(self) -> Self {
        let i = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }
}

/// Which rows show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    /// Text any of site, page, title, source, visitor or state must contain
    /// (case-insensitive).
    pub(crate) text: String,
    /// Only this state (without one, every shopper online).
    pub(crate) state: Option<State>,
    /// Only this site.
    pub(crate) site: Option<SiteId>,
    /// Only shoppers who need help.
    pub(crate) needs_help: bool,
}

impl Filter {
    fn keeps(&self, row: &Row<'_>) -> bool {
        // Without a state asked for, the shoppers online: the header's count.
        let state_kept = self
            .state
            .map_or_else(|| row.state.is_online(), |s| s == row.state);
        if !state_kept || (self.needs_help && !row.needs_help) {
            return false;
        }
        if self
            .site
            .as_ref()
            .is_some_and(|s| s != row.session.subjects().site())
        {
            return false;
        }
        if self.text.is_empty() {
            return true;
        }
        let needle = self.text.to_lowercase();
        let page = row.session.page.as_ref();
        let source = row.session.arrival.source();
        [
            row.session.subjects().site().as_str(),
            page.map_or("", |p| p.path.as_str()),
            page.map_or("", |p| p.title.as_str()),
            source.as_str(),
            row.session.visitor.as_deref().unwrap_or(""),
            row.state.name(),
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(&needle))
    }

    /// Whether any filter is on.
    pub(crate) fn is_active(&self) -> bool {
        !self.text.is_empty() || self.state.is_some() || self.site.is_some() || self.needs_help
    }
}

/// The order of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sort {
    pub(crate) column: Column,
    pub(crate) descending: bool,
}

impl Sort {
    /// Who needs help most first.
    pub(crate) const NEEDS_HELP: Self = Self {
        column: Column::Why,
        descending: true,
    };
}

impl Default for Sort {
    /// Who needs help most first: what a supervisor asks of the floor.
    fn default() -> Self {
        Self::NEEDS_HELP
    }
}

/// One row: a session and what is worked out for it at this instant. Only
/// what every row needs is worked out here, allocating nothing: the view
/// works out the rest for the rows on screen.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    pub(crate) session: &'a Session,
    pub(crate) state: State,
    /// Flagged: see `triage`.
    pub(crate) needs_help: bool,
    pub(crate) on_site_ms: u64,
    pub(crate) idle_ms: u64,
}

impl<'a> Row<'a> {
    fn new(floor: &Floor, session: &'a Session, now_ms: u64) -> Self {
        let state = floor.state(session, now_ms);
        Self {
            session,
            state,
            needs_help: triage::needs_help_in(floor, session, state, now_ms),
            on_site_ms: now_ms.saturating_sub(session.first_heard_ms),
            idle_ms: session.idle_ms(now_ms),
        }
    }
}

/// Whether `filter` keeps the session `key` at `now_ms`: one row's work,
/// where [`rows`] does every session's.
pub(crate) fn keeps(floor: &Floor, now_ms: u64, filter: &Filter, key: &SessionSubjects) -> bool {
    floor
        .get(key)
        .is_some_and(|session| filter.keeps(&Row::new(floor, session, now_ms)))
}

/// The rows `filter` keeps, in `sort` order. The floor yields sessions in
/// a fixed order and the sort is stable, so ties keep their places and rows
/// do not jump between frames.
pub(crate) fn rows<'a>(floor: &'a Floor, now_ms: u64, filter: &Filter, sort: Sort) -> Vec<Row<'a>> {
    let rows = floor
        .sessions()
        .map(|s| Row::new(floor, s, now_ms))
        .filter(|r| filter.keeps(r));
    let direction = |order: Ordering| {
        if sort.descending {
            order.reverse()
        } else {
            order
        }
    };
    // Each row's key is worked out once, not at every comparison.
    match sort.column {
        Column::Site | Column::Page | Column::Source => {
            let mut keyed: Vec<(String, Row<'a>)> = rows
                .map(|r| {
                    let key = match sort.column {
                        Column::Site => r.session.subjects().site().to_string(),
                        Column::Page => r
                            .session
                            .page
                            .as_ref()
                            .map(|p| p.path.clone())
                            .unwrap_or_default(),
                        _ => r.session.arrival.source(),
                    };
                    (key, r)
                })
                .collect();
            keyed.sort_by(|(a, _), (b, _)| direction(a.cmp(b)));
            keyed.into_iter().map(|(_, r)| r).collect()
        }
        column => {
            let mut keyed: Vec<(u64, Row<'a>)> = rows
                .map(|r| (number(floor, now_ms, &r, column), r))
                .collect();
            keyed.sort_by(|(a, _), (b, _)| direction(a.cmp(b)));
            keyed.into_iter().map(|(_, r)| r).collect()
        }
    }
}

/// The sort key of a column that holds a number (or an ordered state, or
/// the needs help score).
fn number(floor: &Floor, now_ms: u64, row: &Row<'_>, column: Column) -> u64 {
    match column {
        Column::OnSite => row.on_site_ms,
        Column::Pages => u64::from(row.session.pages_seen),
        Column::Cart => row.session.cart_value_minor(),
        Column::State => row.state as u64,
        Column::Idle => row.idle_ms,
        Column::Why => u64::from(triage::score_in(floor, row.session, row.state, now_ms).total()),
        Column::Site | Column::Page | Column::Source => 0,
    }
}
/// The first of `len` rows to show in `fit` lines, starting from `offset`
/// but moved so that row `selected` is in sight.
pub(crate) fn window(offset: usize, selected: Option<usize>, fit: usize, len: usize) -> usize {
    let mut first = offset;
    if let Some(i) = selected {
        if i < first {
            first = i;
        } else if fit > 0 && i >= first + fit {
            first = i + 1 - fit;
        }
    }
    first.min(len.saturating_sub(fit.max(1)))
}
