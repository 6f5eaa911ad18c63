//! The exposition being written ([`Book`]): families of constant metrics
//! that prometheus-client encodes in the OpenMetrics text format, and the
//! units and labels they are written with.

use std::time::Duration;

use floorwalker_shared::subject::SiteId;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Unit;

/// One label set: (name, value) pairs, in the order they are written.
pub(super) type Labels = Vec<(&'static str, String)>;

/// One family's samples, in the order they are written.
#[derive(Debug)]
enum Samples {
    /// A gauge of whole numbers.
    Count(Vec<(Labels, u64)>),
    /// A gauge in a unit.
    Measure(Vec<(Labels, f64)>),
    /// A counter.
    Counter(Vec<(Labels, u64)>),
}

/// One family: its name (without the prefix, unit or `_total`), help and
/// unit, and its samples.
#[derive(Debug)]
struct Family {
    name: &'static str,
    help: &'static str,
    unit: Option<Unit>,
    samples: Samples,
}

/// The exposition being written: families in the order they are added,
/// each sample in the order it is given, so that two scrapes list the same
/// lines in the same order (prometheus-client's own `Family` keeps its
/// label sets in a hash map). A family without samples is left out, as
/// the crate's own metrics are.
#[derive(Debug, Default)]
pub(super) struct Book(Vec<Family>);

impl Book {
    /// A gauge of whole numbers.
    pub(super) fn count(
        &mut self,
        name: &'static str,
        help: &'static str,
        samples: impl IntoIterator<Item = (Labels, u64)>,
    ) {
        let samples = Samples::Count(samples.into_iter().collect());
        self.0.push(Family {
            name,
            help,
            unit: None,
            samples,
        });
    }

    /// A gauge in `unit` (seconds, ratio, minor units of money).
    pub(super) fn measure(
        &mut self,
        name: &'static str,
        help: &'static str,
        unit: Unit,
        samples: impl IntoIterator<Item = (Labels, f64)>,
    ) {
        let samples = Samples::Measure(samples.into_iter().collect());
        self.0.push(Family {
            name,
            help,
            unit: Some(unit),
            samples,
        });
    }

    /// A counter (its name gets `_total`).
    pub(super) fn counter(
        &mut self,
        name: &'static str,
        help: &'static str,
        samples: impl IntoIterator<Item = (Labels, u64)>,
    ) {
        let samples = Samples::Counter(samples.into_iter().collect());
        self.0.push(Family {
            name,
            help,
            unit: None,
            samples,
        });
    }
}

impl Collector for Book {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> std::fmt::Result {
        for family in &self.0 {
            let (kind, empty) = match &family.samples {
                Samples::Count(s) => (MetricType::Gauge, s.is_empty()),
                Samples::Measure(s) => (MetricType::Gauge, s.is_empty()),
                Samples::Counter(s) => (MetricType::Counter, s.is_empty()),
            };
            if empty {
                continue;
            }
            // As `Registry::register` writes help: a sentence.
            let help = format!("{}.", family.help);
            let mut metric =
                encoder.encode_descriptor(family.name, &help, family.unit.as_ref(), kind)?;
            match &family.samples {
                Samples::Count(samples) => {
                    for (labels, n) in samples {
                        let n = i64::try_from(*n).unwrap_or(i64::MAX);
                        ConstGauge::new(n).encode(metric.encode_family(labels)?)?;
                    }
                }
                Samples::Measure(samples) => {
                    for (labels, v) in samples {
                        ConstGauge::new(*v).encode(metric.encode_family(labels)?)?;
                    }
                }
                Samples::Counter(samples) => {
                    for (labels, n) in samples {
                        ConstCounter::new(*n).encode(metric.encode_family(labels)?)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The unit of a share: 0.0 to 1.0.
pub(super) fn ratio() -> Unit {
    Unit::Other("ratio".into())
}

/// `ms` in seconds.
pub(super) fn seconds(ms: u64) -> f64 {
    Duration::from_millis(ms).as_secs_f64()
}

/// A whole percent as a ratio.
pub(super) fn percent(p: u8) -> f64 {
    f64::from(p) / 100.0
}

/// No labels.
pub(super) fn none() -> Labels {
    Vec::new()
}

/// The label of a figure of `site`.
pub(super) fn site(site: &SiteId) -> Labels {
    vec![("site", site.to_string())]
}

/// A currency code as a label: three capital letters, or not shown (the
/// code comes from shoppers' pages).
pub(super) fn currency(code: &str) -> Option<String> {
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then(|| code.to_owned())
}
