//! V8's CPU profile, as a Chromium trace carries it
//! (`disabled-by-default-v8.cpu_profiler`): one `Profile` event on the
//! profiled thread names the profile and its start time; `ProfileChunk`
//! events (on the profiler's own thread, tied to it by `pid` and `id`) add
//! call-tree nodes (`cpuProfile.nodes`, each with its parent and the URL of
//! its function's script) and samples (`cpuProfile.samples`, node ids,
//! with `timeDeltas` from the previous sample, starting at the start time).

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::Value;

/// One sample of the main thread's stack.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Sample {
    /// When it was taken (trace microseconds).
    pub(super) ts: f64,
    /// The script URLs on its stack, each once.
    pub(super) urls: Rc<[String]>,
}

/// A call-tree node: its parent and its function's script.
struct Node {
    parent: Option<u64>,
    url: Option<String>,
}

/// One profile being rebuilt from its chunks.
struct Profile {
    nodes: HashMap<u64, Node>,
    samples: Vec<(f64, u64)>,
    clock: f64,
}

/// The samples of the profiles of thread `tid` in process `pid`, in time
/// order.
pub(super) fn samples(events: &[Value], pid: i64, tid: i64) -> Vec<Sample> {
    let mut profiles: HashMap<&str, Profile> = events
        .iter()
        .filter(|e| e["name"].as_str() == Some("Profile"))
        .filter(|e| e["pid"].as_i64() == Some(pid) && e["tid"].as_i64() == Some(tid))
        .filter_map(|e| {
            let start = e["args"]["data"]["startTime"]
                .as_f64()
                .or_else(|| e["ts"].as_f64())?;
            let profile = Profile {
                nodes: HashMap::new(),
                samples: Vec::new(),
                clock: start,
            };
            Some((e["id"].as_str()?, profile))
        })
        .collect();
    // Chunks add to what came before (nodes, the clock): in trace order.
    let mut ordered: Vec<&Value> = events
        .iter()
        .filter(|e| e["name"].as_str() == Some("ProfileChunk"))
        .filter(|e| e["pid"].as_i64() == Some(pid))
        .collect();
    ordered.sort_by(|a, b| {
        let ts = |e: &Value| e["ts"].as_f64().unwrap_or(0.0);
        ts(a).total_cmp(&ts(b))
    });
    for chunk in ordered {
        let Some(profile) = chunk["id"].as_str().and_then(|id| profiles.get_mut(id)) else {
            continue;
        };
        profile.add(&chunk["args"]["data"]);
    }

    let mut out = Vec::new();
    for profile in profiles.into_values() {
        let mut stacks: HashMap<u64, Rc<[String]>> = HashMap::new();
        for (ts, node) in &profile.samples {
            let urls = stacks
                .entry(*node)
                .or_insert_with(|| profile.stack_urls(*node))
                .clone();
            out.push(Sample { ts: *ts, urls });
        }
    }
    // V8 may write samples slightly out of order (negative deltas).
    out.sort_by(|a, b| a.ts.total_cmp(&b.ts));
    out
}

impl Profile {
    fn add(&mut self, data: &Value) {
        let profile = &data["cpuProfile"];
        for node in profile["nodes"].as_array().into_iter().flatten() {
            let Some(id) = node["id"].as_u64() else {
                continue;
            };
            let url = node["callFrame"]["url"]
                .as_str()
                .filter(|url| !url.is_empty())
                .map(str::to_owned);
            let parent = node["parent"].as_u64();
            self.nodes.insert(id, Node { parent, url });
        }
        let samples = profile["samples"].as_array().into_iter().flatten();
        let deltas = data["timeDeltas"].as_array().into_iter().flatten();
        for (sample, delta) in samples.zip(deltas) {
            self.clock += delta.as_f64().unwrap_or(0.0);
            if let Some(node) = sample.as_u64() {
                self.samples.push((self.clock, node));
            }
        }
    }

    /// The script URLs from `node` up to the root, each once.
    fn stack_urls(&self, node: u64) -> Rc<[String]> {
        let mut urls: Vec<String> = Vec::new();
        let mut at = Some(node);
        // Bounded by the node count, in case a broken trace holds a cycle.
        for _ in 0..=self.nodes.len() {
            let Some(node) = at.and_then(|id| self.nodes.get(&id)) else {
                break;
            };
            if let Some(url) = &node.url {
                if !urls.contains(url) {
                    urls.push(url.clone());
                }
            }
            at = node.parent;
        }
        urls.into()
    }
}
