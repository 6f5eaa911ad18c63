//! The sessions table: its columns, the filter and sort the supervisor
//! chose, and the rows they give (computed on demand; only the visible ones
//! are drawn).

use std::cmp::Ordering;

use floorwalker_shared::floor::Floor;
use floorwalker_shared::session::{Session, State, Stuck};
use floorwalker_shared::subject::SiteId;

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
}

impl Column {
    /// Every column, in display order (which is also the sort cycle).
    pub(crate) const ALL: [Self; 8] = [
        Self::Site,
        Self::Page,
        Self::OnSite,
        Self::Pages,
        Self::Cart,
        Self::Source,
        Self::State,
        Self::Idle,
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
    /// Only this state.
    pub(crate) state: Option<State>,
    /// Only this site.
    pub(crate) site: Option<SiteId>,
}

impl Filter {
    fn keeps(&self, row: &Row<'_>) -> bool {
        if self.state.is_some_and(|s| s != row.state) {
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
        [
            row.session.subjects().site().as_str(),
            page.map_or("", |p| p.path.as_str()),
            page.map_or("", |p| p.title.as_str()),
            row.source.as_str(),
            row.session.visitor.as_deref().unwrap_or(""),
            row.state.name(),
        ]
        .iter()
        .any(|field| field.to_lowercase().contains(&needle))
    }

    /// Whether any filter is on.
    pub(crate) fn is_active(&self) -> bool {
        !self.text.is_empty() || self.state.is_some() || self.site.is_some()
    }
}

/// The order of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sort {
    pub(crate) column: Column,
    pub(crate) descending: bool,
}

impl Default for Sort {
    /// The most valuable carts first.
    fn default() -> Self {
        Self {
            column: Column::Cart,
            descending: true,
        }
    }
}

/// One row: a session and what is worked out for it at this instant.
#[derive(Debug, Clone)]
pub(crate) struct Row<'a> {
    pub(crate) session: &'a Session,
    pub(crate) state: State,
    pub(crate) stuck: Vec<Stuck>,
    pub(crate) source: String,
    pub(crate) on_site_ms: u64,
    pub(crate) idle_ms: u64,
}

impl<'a> Row<'a> {
    fn new(floor: &Floor, session: &'a Session, now_ms: u64) -> Self {
        Self {
            session,
            state: floor.state(session, now_ms),
            stuck: session.stuck(now_ms, floor.usual_dwell_here(session)),
            source: session.arrival.source(),
            on_site_ms: now_ms.saturating_sub(session.first_heard_ms),
            idle_ms: session.idle_ms(now_ms),
        }
    }
}

/// The rows `filter` keeps, in `sort` order; ties keep a stable order (by
/// session) so rows do not jump between frames.
pub(crate) fn rows<'a>(floor: &'a Floor, now_ms: u64, filter: &Filter, sort: Sort) -> Vec<Row<'a>> {
    let mut rows: Vec<Row<'a>> = floor
        .sessions()
        .map(|s| Row::new(floor, s, now_ms))
        .filter(|r| filter.keeps(r))
        .collect();
    rows.sort_by(|a, b| {
        let order = compare(a, b, sort.column);
        let order = if sort.descending {
            order.reverse()
        } else {
            order
        };
        order.then_with(|| a.session.subjects().cmp(b.session.subjects()))
    });
    rows
}

fn compare(a: &Row<'_>, b: &Row<'_>, column: Column) -> Ordering {
    let path = |r: &Row<'_>| r.session.page.as_ref().map(|p| p.path.clone());
    match column {
        Column::Site => a.session.subjects().site().cmp(b.session.subjects().site()),
        Column::Page => path(a).cmp(&path(b)),
        Column::OnSite => a.on_site_ms.cmp(&b.on_site_ms),
        Column::Pages => a.session.pages_seen.cmp(&b.session.pages_seen),
        Column::Cart => a
            .session
            .cart_value_minor()
            .cmp(&b.session.cart_value_minor()),
        Column::Source => a.source.cmp(&b.source),
        Column::State => a.state.cmp(&b.state),
        Column::Idle => a.idle_ms.cmp(&b.idle_ms),
    }
}
