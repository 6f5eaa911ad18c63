//! `--alert` thresholds: a figure against a number (`longest_wait>60`,
//! `service_level<80`, `queue>5`, `agents_available<1`,
//! `refused_last_minute>100`) or against another figure of its kind
//! (`agents_needed>agents_on_duty`), and when they are crossed. An alert
//! with a figure that has nothing to compute it from never fires.

use std::fmt;
use std::str::FromStr;

use super::report::Report;

/// A figure an alert can watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Figure {
    /// The longest wait in the queue, in seconds.
    LongestWait,
    /// Service level, in percent.
    ServiceLevel,
    /// Chats waiting.
    Queue,
    /// Agents online with room for a chat.
    AgentsAvailable,
    /// Agents online who take chats, busy or not.
    AgentsOnDuty,
    /// Agents the chats need now for the service-level target.
    AgentsNeeded,
    /// Everything the intakes and the gates refused.
    Refused,
    /// Of those, refused in the last minute.
    RefusedLastMinute,
}

/// What a figure counts, so that an alert compares like with like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Percent,
    /// Chats, agents or refusals: how many.
    Count,
}

impl Figure {
    const ALL: [(&'static str, Self); 8] = [
        ("longest_wait", Self::LongestWait),
        ("service_level", Self::ServiceLevel),
        ("queue", Self::Queue),
        ("agents_available", Self::AgentsAvailable),
        ("agents_on_duty", Self::AgentsOnDuty),
        ("agents_needed", Self::AgentsNeeded),
        ("refused", Self::Refused),
        ("refused_last_minute", Self::RefusedLastMinute),
    ];

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }

    fn named(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    fn unit(self) -> Unit {
        match self {
            Self::LongestWait => Unit::Seconds,
            Self::ServiceLevel => Unit::Percent,
            _ => Unit::Count,
        }
    }

    /// The figure's value in `report`; `None` when there is nothing to
    /// compute it from (no chat yet answered has no service level).
    fn value(self, report: &Report) -> Option<u64> {
        match self {
            Self::LongestWait => Some(report.longest_wait_ms / 1_000),
            Self::ServiceLevel => report.service_level_pct.map(u64::from),
            Self::Queue => Some(u64::from(report.waiting)),
            Self::AgentsAvailable => Some(u64::from(report.agents_available)),
            Self::AgentsOnDuty => Some(u64::from(report.agents_on_duty)),
            // No chat ended in the last hour: no handle time, no need.
            Self::AgentsNeeded => report.agents_needed.map(u64::from),
            // Nothing heard from the intakes or the gates is no figure.
            Self::Refused => report.refusals.refused,
            Self::RefusedLastMinute => report.refusals.refused_last_minute,
        }
    }
}

/// What a figure is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    /// A number, in the figure's unit.
    Number(u64),
    /// Another figure of the same kind.
    Figure(Figure),
}

/// One threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Alert {
    figure: Figure,
    above: bool,
    limit: Limit,
}

/// A crossed alert: the figure's value, and what it was compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Crossed {
    pub(crate) value: u64,
    pub(crate) limit: u64,
}

impl FromStr for Alert {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let usage = || {
            format!(
                "'{text}' is not a threshold; write FIGURE>N, FIGURE<N or FIGURE>FIGURE with \
                 FIGURE one of longest_wait (seconds), service_level (percent), queue, \
                 agents_available, agents_on_duty, agents_needed, refused, refused_last_minute, \
                 e.g. --alert 'longest_wait>60' or --alert 'agents_needed>agents_on_duty'"
            )
        };
        let (at, above) = match (text.find('>'), text.find('<')) {
            (Some(at), None) => (at, true),
            (None, Some(at)) => (at, false),
            _ => return Err(usage()),
        };
        let (name, limit) = (text[..at].trim(), text[at + 1..].trim());
        let figure = Figure::named(name).ok_or_else(usage)?;
        let limit = match Figure::named(limit) {
            Some(other) if other.unit() != figure.unit() => {
                return Err(format!(
                    "'{text}' compares figures of different kinds ({name} and {limit}); \
                     compare a figure with a number or with a figure of its kind, e.g. \
                     --alert 'agents_needed>agents_on_duty'"
                ));
            }
            Some(other) => Limit::Figure(other),
            None => Limit::Number(
                limit
                    .trim_end_matches(['s', '%'])
                    .parse()
                    .map_err(|_| usage())?,
            ),
        };
        Ok(Self {
            figure,
            above,
            limit,
        })
    }
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = if self.above { '>' } else { '<' };
        match self.limit {
            Limit::Number(n) => write!(f, "{}{op}{n}", self.figure.name()),
            Limit::Figure(other) => write!(f, "{}{op}{}", self.figure.name(), other.name()),
        }
    }
}

impl Alert {
    /// The value and what it was compared with, if `report` crosses the
    /// threshold; never when either figure is missing.
    pub(crate) fn crossed(&self, report: &Report) -> Option<Crossed> {
        let value = self.figure.value(report)?;
        let limit = match self.limit {
            Limit::Number(n) => n,
            Limit::Figure(other) => other.value(report)?,
        };
        let crossed = if self.above {
            value > limit
        } else {
            value < limit
        };
        crossed.then_some(Crossed { value, limit })
    }

    /// The figure it is compared with, if it is compared with one.
    pub(crate) fn against(&self) -> Option<&'static str> {
        match self.limit {
            Limit::Figure(other) => Some(other.name()),
            Limit::Number(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_read_as_written_and_bad_ones_say_how_to_write_them() {
        let alert: Alert = "longest_wait>60s".parse().unwrap();
        assert_eq!(alert.to_string(), "longest_wait>60");
        let alert: Alert = "service_level < 80%".parse().unwrap();
        assert_eq!(alert.to_string(), "service_level<80");
        let alert: Alert = " agents_needed > agents_on_duty ".parse().unwrap();
        assert_eq!(alert.to_string(), "agents_needed>agents_on_duty");
        assert_eq!(alert.against(), Some("agents_on_duty"));
        for bad in [
            "longest_wait=60",
            "speed>3",
            "queue>lots",
            "queue<>3",
            "agents_needed>agents",
        ] {
            let err = bad.parse::<Alert>().unwrap_err();
            assert!(err.contains("FIGURE>N"), "{err}");
        }
        let err = "longest_wait>queue".parse::<Alert>().unwrap_err();
        assert!(err.contains("different kinds"), "{err}");
    }

    #[test]
    fn an_alert_is_crossed_only_past_its_limit_and_never_on_missing_figures() {
        let mut report = Report::default();
        let queue: Alert = "queue>2".parse().unwrap();
        report.waiting = 2;
        assert_eq!(queue.crossed(&report), None);
        report.waiting = 3;
        assert_eq!(queue.crossed(&report), Some(Crossed { value: 3, limit: 2 }));
        let level: Alert = "service_level<80".parse().unwrap();
        assert_eq!(level.crossed(&report), None, "no chats, no service level");
        report.service_level_pct = Some(79);
        assert_eq!(level.crossed(&report).map(|c| c.value), Some(79));
        let agents: Alert = "agents_available<1".parse().unwrap();
        assert_eq!(agents.crossed(&report).map(|c| c.value), Some(0));
        let refused: Alert = "refused_last_minute>10".parse().unwrap();
        assert_eq!(
            refused.crossed(&report),
            None,
            "no intake or gate heard, no figure"
        );
        report.refusals.refused_last_minute = Some(11);
        assert_eq!(refused.crossed(&report).map(|c| c.value), Some(11));
    }

    #[test]
    fn a_figure_against_a_figure_is_crossed_only_when_both_are_known() {
        let mut report = Report {
            agents_on_duty: 3,
            ..Report::default()
        };
        let short: Alert = "agents_needed>agents_on_duty".parse().unwrap();
        assert_eq!(short.crossed(&report), None, "no need known yet");
        report.agents_needed = Some(3);
        assert_eq!(short.crossed(&report), None, "as many as needed");
        report.agents_needed = Some(5);
        assert_eq!(short.crossed(&report), Some(Crossed { value: 5, limit: 3 }));
        // The other way round, and against a figure that may be missing.
        let spare: Alert = "agents_on_duty>agents_needed".parse().unwrap();
        assert_eq!(spare.crossed(&report), None);
        report.agents_needed = None;
        assert_eq!(spare.crossed(&report), None);
    }
}
