//! Targets for the desk's figures, and how a figure stands against its own:
//! fine, amber (the target is crossed) or red (crossed far enough to act
//! now). The dashboard colours and marks a figure by its [`Level`]; the
//! limits are the shop's, from its configuration.
//!
//! A figure with nothing to compute it from (no chat answered yet) is
//! [`Level::Fine`]: a warning needs evidence.

use serde::Deserialize;

use super::Service;
use crate::staffing::{Advice, Outcome, Target};

/// How a figure stands against its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Level {
    /// Within the target.
    #[default]
    Fine,
    /// Past the amber limit.
    Amber,
    /// Past the red limit.
    Red,
}

impl Level {
    /// A marker that says the level without colour: nothing, `!` or `!!`.
    pub fn marker(self) -> &'static str {
        match self {
            Self::Fine => "",
            Self::Amber => "!",
            Self::Red => "!!",
        }
    }
}

/// The two limits of one figure, in the figure's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Crossing this makes the figure amber.
    pub amber: u64,
    /// Crossing this makes it red.
    pub red: u64,
}

impl Limits {
    /// The level of a figure that should stay at most the limits
    /// (a wait): amber above `amber`, red above `red`.
    pub fn at_most(self, value: Option<u64>) -> Level {
        match value {
            Some(v) if v > self.red => Level::Red,
            Some(v) if v > self.amber => Level::Amber,
            _ => Level::Fine,
        }
    }

    /// The level of a figure that should stay at least the limits (a
    /// share answered in time): amber below `amber`, red below `red`.
    pub fn at_least(self, value: Option<u64>) -> Level {
        match value {
            Some(v) if v < self.red => Level::Red,
            Some(v) if v < self.amber => Level::Amber,
            _ => Level::Fine,
        }
    }
}

/// The targets of the desk's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Targets {
    /// Service level in percent: amber and red below.
    pub service_level: Limits,
    /// Average speed of answer in seconds: amber and red above.
    pub average_answer: Limits,
    /// The longest wait in the queue in seconds: amber and red above.
    pub longest_wait: Limits,
    /// First response time (90th percentile) in seconds: amber and red above.
    pub first_response: Limits,
    /// Agents with room for a chat: amber and red below.
    pub agents_available: Limits,
}

impl Default for Targets {
    /// Common contact-centre targets: 80% answered in time, answers in
    /// half a minute, nobody waiting two minutes, an agent free.
    fn default() -> Self {
        Self {
            service_level: Limits { amber: 80, red: 60 },
            average_answer: Limits { amber: 30, red: 60 },
            longest_wait: Limits {
                amber: 60,
                red: 120,
            },
            first_response: Limits { amber: 30, red: 60 },
            agents_available: Limits { amber: 1, red: 1 },
        }
    }
}

/// Why targets cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TargetsError {
    /// The red limit of a figure is less severe than its amber one.
    #[error("{figure}: red ({red}) must be at least as far from target as amber ({amber})")]
    RedBeforeAmber {
        /// The figure's name in configuration.
        figure: &'static str,
        /// Its amber limit.
        amber: u64,
        /// Its red limit.
        red: u64,
    },
}

/// How each figure of a [`Service`] stands against the [`Targets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Levels {
    /// Service level.
    pub service_level: Level,
    /// Average speed of answer.
    pub average_answer: Level,
    /// The longest wait.
    pub longest_wait: Level,
    /// First response time.
    pub first_response: Level,
    /// Agents available.
    pub agents_available: Level,
}

impl Levels {
    /// The worst of them.
    pub fn worst(&self) -> Level {
        [
            self.service_level,
            self.average_answer,
            self.longest_wait,
            self.first_response,
            self.agents_available,
        ]
        .into_iter()
        .max()
        .unwrap_or_default()
    }
}

impl Targets {
    /// Checks that every red limit is at least as severe as its amber one.
    ///
    /// # Errors
    /// The first figure whose limits are the wrong way round.
    pub fn check(&self) -> Result<(), TargetsError> {
        let most = [
            ("average_answer", self.average_answer),
            ("longest_wait", self.longest_wait),
            ("first_response", self.first_response),
        ];
        let least = [
            ("service_level", self.service_level),
            ("agents_available", self.agents_available),
        ];
        let wrong = most
            .into_iter()
            .find(|(_, l)| l.red < l.amber)
            .or_else(|| least.into_iter().find(|(_, l)| l.red > l.amber));
        match wrong {
            Some((figure, l)) => Err(TargetsError::RedBeforeAmber {
                figure,
                amber: l.amber,
                red: l.red,
            }),
            None => Ok(()),
        }
    }

    /// How each of `service`'s figures stands.
    pub fn levels(&self, service: &Service) -> Levels {
        let secs = |ms: u64| ms / 1_000;
        Levels {
            service_level: self
                .service_level
                .at_least(service.service_level_percent.map(u64::from)),
            average_answer: self
                .average_answer
                .at_most(service.average_answer_ms.map(secs)),
            // An empty queue has no wait to judge.
            longest_wait: self
                .longest_wait
                .at_most((service.waiting > 0).then(|| secs(service.longest_wait_ms))),
            first_response: self
                .first_response
                .at_most(service.first_response_ms.map(|(_, p90)| secs(p90))),
            agents_available: self
                .agents_available
                .at_least(Some(u64::from(service.agents_available))),
        }
    }
}

impl Targets {
    /// The staffing model's target: the service level's own (its amber
    /// limit, the share the shop aims at) within `within_ms`, the desk's
    /// "answered in time".
    pub fn staffing_target(&self, within_ms: u64) -> Target {
        // Both far below 2^52: exact.
        #[allow(clippy::cast_precision_loss)]
        let (share, within) = (self.service_level.amber as f64, within_ms as f64);
        Target {
            share: (share / 100.0).min(1.0),
            within_secs: within / 1_000.0,
        }
    }

    /// How the agents on duty stand against the agents needed: amber when
    /// fewer, red when so few that the service level they would give is
    /// below the service level's red limit (none on duty at all is red).
    /// No need known is fine: a warning needs evidence.
    pub fn staffing(&self, advice: &Advice) -> Level {
        if advice.short().is_none() {
            return Level::Fine;
        }
        let answered = if advice.have == 0 {
            0
        } else {
            advice
                .at(advice.have)
                .map_or(0, |o| u64::from(Outcome::percent(o.service_level)))
        };
        if answered < self.service_level.red {
            Level::Red
        } else {
            Level::Amber
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_figure_turns_amber_then_red_as_it_crosses_its_limits() {
        let t = Targets::default();
        let sl = |p: u8| {
            t.levels(&Service {
                service_level_percent: Some(p),
                agents_available: 2,
                ..Service::default()
            })
            .service_level
        };
        assert_eq!((sl(100), sl(80), sl(79), sl(60), sl(59)), {
            use Level::{Amber, Fine, Red};
            (Fine, Fine, Amber, Amber, Red)
        });
        let wait = |waiting: u32, secs: u64| {
            t.levels(&Service {
                waiting,
                longest_wait_ms: secs * 1_000,
                agents_available: 2,
                ..Service::default()
            })
        };
        assert_eq!(wait(1, 60).longest_wait, Level::Fine);
        assert_eq!(wait(1, 61).longest_wait, Level::Amber);
        assert_eq!(wait(1, 121).longest_wait, Level::Red);
        assert_eq!(wait(1, 121).worst(), Level::Red);
        assert_eq!(wait(0, 500).longest_wait, Level::Fine, "no queue, no wait");
    }

    #[test]
    fn figures_with_nothing_to_compute_them_from_are_fine_but_no_agent_is_red() {
        let levels = Targets::default().levels(&Service::default());
        assert_eq!(levels.service_level, Level::Fine);
        assert_eq!(levels.average_answer, Level::Fine);
        assert_eq!(levels.agents_available, Level::Red);
    }

    #[test]
    fn limits_the_wrong_way_round_are_refused_by_name() {
        let mut t = Targets::default();
        assert_eq!(t.check(), Ok(()));
        t.longest_wait = Limits { amber: 60, red: 30 };
        assert!(matches!(
            t.check(),
            Err(TargetsError::RedBeforeAmber {
                figure: "longest_wait",
                ..
            })
        ));
        t = Targets::default();
        t.service_level = Limits { amber: 60, red: 80 };
        assert!(matches!(
            t.check(),
            Err(TargetsError::RedBeforeAmber {
                figure: "service_level",
                ..
            })
        ));
    }

    #[test]
    fn too_few_agents_on_duty_are_amber_and_far_too_few_red() {
        use crate::staffing::{Load, Measured, erlang_a};
        // The case: 11 agents of one chat answer 74% within 20 s.
        let load = Load {
            arrivals_per_min: 2.0,
            handle_min: 5.0,
            patience_min: Some(2.0),
        };
        let advice = |needed: Option<u32>, have: u32| Advice {
            recent: Measured::default(),
            hour: Measured::default(),
            load: Some(load),
            concurrency: 1,
            target: Target {
                share: 0.8,
                within_secs: 20.0,
            },
            needed,
            have,
            levels: alloc::vec::Vec::new(),
        };
        let t = Targets::default();
        assert!(erlang_a(&load, 9, 20.0).service_level < 0.6);
        assert_eq!(t.staffing(&advice(Some(12), 12)), Level::Fine);
        assert_eq!(t.staffing(&advice(Some(12), 13)), Level::Fine);
        assert_eq!(t.staffing(&advice(Some(12), 11)), Level::Amber);
        assert_eq!(t.staffing(&advice(Some(12), 9)), Level::Red);
        assert_eq!(t.staffing(&advice(Some(12), 0)), Level::Red);
        assert_eq!(t.staffing(&advice(None, 0)), Level::Fine, "no evidence");
        let target = t.staffing_target(30_000);
        assert_eq!(target, Target::default());
    }
}
