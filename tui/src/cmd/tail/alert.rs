//! `--alert` thresholds: `longest_wait>60`, `service_level<80`, `queue>5`,
//! `agents_available<1`, `refused_last_minute>100`, and when they are
//! crossed.

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
    /// Everything the intakes and the gates refused.
    Refused,
    /// Of those, refused in the last minute.
    RefusedLastMinute,
}

impl Figure {
    const ALL: [(&'static str, Self); 6] = [
        ("longest_wait", Self::LongestWait),
        ("service_level", Self::ServiceLevel),
        ("queue", Self::Queue),
        ("agents_available", Self::AgentsAvailable),
        ("refused", Self::Refused),
        ("refused_last_minute", Self::RefusedLastMinute),
    ];

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }

    /// The figure's value in `report`; `None` when there is nothing to
    /// compute it from (no chat yet answered has no service level).
    fn value(self, report: &Report) -> Option<u64> {
        match self {
            Self::LongestWait => Some(report.longest_wait_ms / 1_000),
            Self::ServiceLevel => report.service_level_pct.map(u64::from),
            Self::Queue => Some(u64::from(report.waiting)),
            Self::AgentsAvailable => Some(u64::from(report.agents_available)),
            // Nothing heard from the intakes or the gates is no figure.
            Self::Refused => report.refusals.refused,
            Self::RefusedLastMinute => report.refusals.refused_last_minute,
        }
    }
}

/// One threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Alert {
    figure: Figure,
    above: bool,
    limit: u64,
}

impl FromStr for Alert {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let usage = || {
            format!(
                "'{text}' is not a threshold; write FIGURE>N or FIGURE<N with FIGURE one of \
                 longest_wait (seconds), service_level (percent), queue, agents_available, \
                 refused, refused_last_minute, e.g. --alert 'longest_wait>60'"
            )
        };
        let (at, above) = match (text.find('>'), text.find('<')) {
            (Some(at), None) => (at, true),
            (None, Some(at)) => (at, false),
            _ => return Err(usage()),
        };
        let (name, limit) = (text[..at].trim(), text[at + 1..].trim());
        let figure = Figure::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
            .ok_or_else(usage)?;
        let limit = limit
            .trim_end_matches(['s', '%'])
            .parse()
            .map_err(|_| usage())?;
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
        write!(f, "{}{op}{}", self.figure.name(), self.limit)
    }
}

impl Alert {
    /// The value, if `report` crosses the threshold.
    pub(crate) fn crossed(&self, report: &Report) -> Option<u64> {
        let value = self.figure.value(report)?;
        let crossed = if self.above {
            value > self.limit
        } else {
            value < self.limit
        };
        crossed.then_some(value)
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
        for bad in ["longest_wait=60", "speed>3", "queue>lots", "queue<>3"] {
            let err = bad.parse::<Alert>().unwrap_err();
            assert!(err.contains("FIGURE>N"), "{err}");
        }
    }

    #[test]
    fn an_alert_is_crossed_only_past_its_limit_and_never_on_missing_figures() {
        let mut report = Report::default();
        let queue: Alert = "queue>2".parse().unwrap();
        report.waiting = 2;
        assert_eq!(queue.crossed(&report), None);
        report.waiting = 3;
        assert_eq!(queue.crossed(&report), Some(3));
        let level: Alert = "service_level<80".parse().unwrap();
        assert_eq!(level.crossed(&report), None, "no chats, no service level");
        report.service_level_pct = Some(79);
        assert_eq!(level.crossed(&report), Some(79));
        let agents: Alert = "agents_available<1".parse().unwrap();
        assert_eq!(agents.crossed(&report), Some(0));
        let refused: Alert = "refused_last_minute>10".parse().unwrap();
        assert_eq!(
            refused.crossed(&report),
            None,
            "no intake or gate heard, no figure"
        );
        report.refusals.refused_last_minute = Some(11);
        assert_eq!(refused.crossed(&report), Some(11));
    }
}
