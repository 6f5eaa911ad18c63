//! The figures at a glance, each with a sparkline of the last 30 minutes;
//! the queue's with its figures instead, and the agents it needs against
//! the agents on duty on its border.

use floorwalker_shared::metrics::Level;
use floorwalker_shared::metrics::Sample;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};

use crate::cmd::dashboard::app::App;
use crate::cmd::dashboard::strings::{self, NOT_YET};
use crate::ui::framed::{framed, framed_with};
use crate::ui::theme::Theme;
use floorwalker::format::{duration, money_short};

pub(super) fn draw(frame: &mut Frame<'_>, area: Rect, app: &App, theme: Theme) {
    if area.height < 4 {
        return;
    }
    let f = &app.figures;
    let value = f
        .at_risk_value
        .iter()
        .map(|(currency, minor)| money_short(*minor, currency))
        .collect::<Vec<_>>()
        .join("+");
    let (queue, queue_detail, staffing) = queue(app, theme);
    let panels: [(&str, Line<'static>, Second); 4] = [
        (
            "Shoppers",
            Line::from(format!("{} on · {} chk", f.online, f.in_checkout)),
            Second::Spark(|s| s.online),
        ),
        (
            "Carts at risk",
            Line::from(if f.carts_at_risk == 0 {
                "0".to_owned()
            } else {
                format!("{} · {value}", f.carts_at_risk)
            }),
            Second::Spark(|s| s.carts_at_risk),
        ),
        (
            "Offers",
            Line::from(format!(
                "{} sent {}✓ {}✗",
                f.offers_sent, f.offers_accepted, f.offers_declined
            )),
            Second::Spark(|s| s.offers_sent),
        ),
        ("Queue", queue, Second::Text(queue_detail)),
    ];
    // The queue's figures need the most room.
    let areas = Layout::horizontal([
        Constraint::Ratio(1, 5),
        Constraint::Ratio(1, 5),
        Constraint::Ratio(1, 5),
        Constraint::Ratio(2, 5),
    ])
    .split(area);
    for (i, ((title, text, second), area)) in panels.into_iter().zip(areas.iter()).enumerate() {
        let inner = if i == QUEUE {
            framed_with(frame, *area, title, staffing.clone(), theme)
        } else {
            framed(frame, *area, title, theme)
        };
        let [line, below] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
        frame.render_widget(Paragraph::new(text), line);
        match second {
            Second::Spark(series) => {
                let data = app.history.series(app.now_ms, series);
                // The newest minutes, as many as fit.
                let skip = data.len().saturating_sub(below.width as usize);
                frame.render_widget(
                    Sparkline::default().data(&data[skip..]).style(theme.dim()),
                    below,
                );
            }
            Second::Text(text) => frame.render_widget(Paragraph::new(text), below),
        }
    }
}

/// A figure past its target: coloured, and marked for a terminal without
/// colour.
fn figure(text: &str, level: Level, theme: Theme) -> Span<'static> {
    Span::styled(format!("{text}{}", level.marker()), theme.level(level))
}

/// The queue panel's lines (the queue, its times and service level) and
/// the figure on its border (agents needed against agents on duty).
fn queue(app: &App, theme: Theme) -> (Line<'static>, Line<'static>, Line<'static>) {
    let q = &app.figures.service;
    let levels = app.targets.levels(q);
    let detail = Line::from(vec![
        Span::raw("ASA "),
        figure(
            &q.average_answer_ms
                .map_or_else(|| NOT_YET.to_owned(), duration),
            levels.average_answer,
            theme,
        ),
        Span::raw(" FRT "),
        figure(
            &q.first_response_ms.map_or_else(
                || NOT_YET.to_owned(),
                |(p50, p90)| format!("{}/{}", duration(p50), duration(p90)),
            ),
            levels.first_response,
            theme,
        ),
        Span::raw(" SL "),
        figure(
            &q.service_level_percent
                .map_or_else(|| NOT_YET.to_owned(), |p| format!("{p}%")),
            levels.service_level,
            theme,
        ),
    ]);
    let waiting = Line::from(vec![
        Span::raw(format!("{} waiting · ", q.waiting)),
        figure(
            &if q.waiting == 0 {
                NOT_YET.to_owned()
            } else {
                duration(q.longest_wait_ms)
            },
            levels.longest_wait,
            theme,
        ),
    ]);
    let staffing = Line::from(figure(
        &strings::need_have(app.staffing.needed, app.staffing.have),
        app.targets.staffing(&app.staffing),
        theme,
    ));
    (waiting, detail, staffing)
}

/// The queue's panel, which the staffing figure goes with.
const QUEUE: usize = 3;

/// A panel's second line: a sparkline of one figure, or more text.
enum Second {
    Spark(fn(&Sample) -> u32),
    Text(Line<'static>),
}
