//! `floorwalker tail --prometheus`: the figures scraped over HTTP during a
//! scripted chat, checked against the OpenMetrics text format strictly.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use bytes::Bytes;
use floorwalker_shared::chat::{ChatFact, DeskFact};
use floorwalker_shared::event::Push;
use floorwalker_tests::clients::connect_shopper_with;
use floorwalker_tests::server::{Service, TestServer};
use floorwalker_tests::setup::create_streams;
use floorwalker_tests::wait_until;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt as _, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::runtime::Runtime;

use crate::chat::{Console, Page};

const WAIT: Duration = Duration::from_secs(5);
const SEEN: Duration = Duration::from_secs(30);

/// What OpenMetrics 1.0 asks an exposition to be served as.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A shopper asks, an agent answers, ends the chat, and the shopper says
/// No (an incident, recorded by the router); a page without a credential
/// is refused by the gate. Scraped all along, the exporter answers only
/// `GET /metrics`, always in the OpenMetrics text format, and ends up
/// showing the chat answered, the facts the intake stored, what the router
/// pushed and recorded, the shoppers the gate admitted, and the one
/// refusal under its reason.
#[test]
fn prometheus_scrapes_the_figures_of_a_chat() {
    let server = TestServer::start();
    create_streams(&server);
    let _router = server.start_router();
    let exporter = Exporter::start(&server);

    // Until tail has read the streams and asked the gates: 503, not zeros.
    let first = wait_until(SEEN, || {
        let got = exporter.get(Method::GET, "/metrics");
        (got.status == StatusCode::OK).then_some(got)
    })
    .expect("the exporter never got ready");
    let before = Exposition::parse(&first.body);
    // Nobody on the floor yet: no site, so no figures of one.
    assert_eq!(
        before.sum("floorwalker_chats_answered"),
        None,
        "{}",
        first.body
    );
    for path in ["/", "/metrics/", "/nope"] {
        assert_eq!(
            exporter.get(Method::GET, path).status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        exporter.get(Method::POST, "/metrics").status,
        StatusCode::NOT_FOUND
    );

    assert!(connect_shopper_with(&server, None).is_err());
    let mut agent = Console::open(&server);
    agent.record(DeskFact::Status {
        available: true,
        capacity: 1,
    });
    let mut page = Page::open(&server);
    let chat_id = || "chat-p".to_owned();
    page.say(ChatFact::Request {
        chat_id: chat_id(),
        offer_id: None,
    });
    agent.record(DeskFact::Claim { chat_id: chat_id() });
    page.wait_push("who joined", |p| {
        matches!(p, Push::ChatJoined { .. }).then_some(())
    });
    page.here();
    page.say(ChatFact::Message {
        chat_id: chat_id(),
        msg_id: "s1".into(),
        text: "Is it warm enough for winter?".into(),
    });
    agent.record(DeskFact::Message {
        chat_id: chat_id(),
        msg_id: "a1".into(),
        text: "Down to minus ten.".into(),
    });
    page.wait_push("the answer", |p| {
        matches!(p, Push::AgentMessage { .. }).then_some(())
    });
    agent.record(DeskFact::End { chat_id: chat_id() });
    page.wait_push("the survey", |p| {
        matches!(p, Push::SurveyPrompt { .. }).then_some(())
    });
    page.here();
    page.say(ChatFact::Survey {
        chat_id: chat_id(),
        helped: false,
        comment: None,
    });

    let (got, m) = wait_until(SEEN, || {
        let got = exporter.get(Method::GET, "/metrics");
        let m = Exposition::parse(&got.body);
        let settled = m.value("floorwalker_router_facts_recorded_total", &[]) >= Some(1.0)
            && m.value("floorwalker_surveys_answered", &[("site", "shop")]) == Some(1.0)
            && m.value("floorwalker_intake_stored_facts_total", &[]) >= Some(3.0)
            && m.value(
                "floorwalker_gate_refused_total",
                &[("reason", "no_credential")],
            ) == Some(1.0);
        settled.then_some((got, m))
    })
    .unwrap_or_else(|| {
        panic!(
            "the figures never showed the chat:\n{}",
            exporter.get(Method::GET, "/metrics").body
        )
    });
    assert_eq!(got.content_type.as_deref(), Some(OPENMETRICS));
    println!("{}", got.body);

    let shop = [("site", "shop")];
    let at_least = |name: &str, labels: &[(&str, &str)], n: f64| {
        let v = m.value(name, labels);
        assert!(
            v >= Some(n),
            "{name}{labels:?} = {v:?}, want ≥ {n}:\n{}",
            got.body
        );
    };
    let exactly = |name: &str, labels: &[(&str, &str)], n: f64| {
        assert_eq!(
            m.value(name, labels),
            Some(n),
            "{name}{labels:?}:\n{}",
            got.body
        );
    };
    // The desk, as tail prints it.
    exactly("floorwalker_chats_answered", &shop, 1.0);
    exactly("floorwalker_chats_abandoned", &shop, 0.0);
    exactly("floorwalker_chats_waiting", &shop, 0.0);
    exactly("floorwalker_chats_active", &shop, 0.0);
    exactly("floorwalker_chats_service_level_ratio", &shop, 1.0);
    exactly("floorwalker_surveys_satisfied_ratio", &shop, 0.0);
    exactly("floorwalker_incidents_open", &[], 1.0);
    exactly("floorwalker_incidents_untaken", &[], 1.0);
    exactly("floorwalker_agents", &[("state", "available")], 1.0);
    // One chat of seconds in the last quarter of an hour: the agent on
    // duty is the one needed.
    exactly("floorwalker_agents_on_duty", &[], 1.0);
    exactly("floorwalker_agents_needed", &[], 1.0);
    exactly("floorwalker_chats_service_level_target_seconds", &[], 30.0);
    let asa = m.value("floorwalker_chats_answer_average_seconds", &shop);
    assert!(
        asa.is_some_and(|s| (0.0..SEEN.as_secs_f64()).contains(&s)),
        "{asa:?}"
    );
    // The intake: the request, the message and the survey, nothing refused.
    exactly("floorwalker_intakes", &[], 1.0);
    exactly("floorwalker_intakes_silent", &[], 0.0);
    at_least("floorwalker_intake_stored_facts_total", &[], 3.0);
    let intake_refused = m.sum("floorwalker_intake_refused_total");
    assert_eq!(intake_refused, Some(0.0), "{}", got.body);
    // The gate: shoppers admitted, the one refusal (operators sign in with
    // credentials the server checks: the gate never sees them).
    exactly("floorwalker_gates_answering", &[], 1.0);
    at_least("floorwalker_gate_admitted_shoppers_total", &[], 1.0);
    assert_eq!(
        m.sum("floorwalker_gate_refused_total"),
        Some(1.0),
        "{}",
        got.body
    );
    // The router: who joined, the answer, the survey (queue news too, had
    // the claim come after its next tick); the incident it recorded.
    exactly("floorwalker_routers", &[], 1.0);
    exactly("floorwalker_routers_silent", &[], 0.0);
    at_least("floorwalker_router_pushes_total", &[], 3.0);
    at_least("floorwalker_router_facts_read_total", &[], 7.0);
    exactly("floorwalker_router_incidents_opened_total", &[], 1.0);
    exactly("floorwalker_router_facts_not_recorded_total", &[], 0.0);
    exactly("floorwalker_router_facts_refused_total", &[], 0.0);
}

/// `floorwalker tail --prometheus 127.0.0.1:0` as a service, and an HTTP
/// client to scrape it.
struct Exporter {
    _tail: Service,
    base: String,
    runtime: Runtime,
    client: Client<HttpConnector, Empty<Bytes>>,
}

/// One HTTP answer.
struct Got {
    status: StatusCode,
    content_type: Option<String>,
    body: String,
}

impl Exporter {
    fn start(server: &TestServer) -> Self {
        let creds = floorwalker::creds::file_in(&server.dir().join("auth"), "tail");
        let url = server.server().client_url();
        let args = [
            "tail".as_ref(),
            "--every".as_ref(),
            "60".as_ref(),
            "--prometheus".as_ref(),
            "127.0.0.1:0".as_ref(),
            "--server".as_ref(),
            url.as_ref(),
            "--creds".as_ref(),
            creds.as_os_str(),
        ];
        let said = "tail: serving OpenMetrics on ";
        let tail = Service::run(server.dir(), "metrics", &args, said);
        let printed = std::fs::read_to_string(server.dir().join("metrics.out")).unwrap();
        let base = printed
            .lines()
            .find_map(|l| l.strip_prefix(said))
            .and_then(|url| url.strip_suffix("/metrics"))
            .unwrap_or_else(|| panic!("no address in {printed}"))
            .to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        Self {
            _tail: tail,
            base,
            runtime: Runtime::new().unwrap(),
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    fn get(&self, method: Method, path: &str) -> Got {
        let request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .body(Empty::new())
            .unwrap();
        self.runtime.block_on(async {
            let answer = tokio::time::timeout(WAIT, self.client.request(request))
                .await
                .expect("an answer in time")
                .expect("an HTTP answer");
            let status = answer.status();
            let content_type = answer
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = answer.into_body().collect().await.unwrap().to_bytes();
            Got {
                status,
                content_type,
                body: String::from_utf8(body.to_vec()).unwrap(),
            }
        })
    }
}

/// An exposition read strictly, as OpenMetrics 1.0's text format defines
/// it (prometheus-client writes it but does not read it): every line is
/// `# HELP`, `# TYPE` or `# UNIT` of the family being described, or a
/// sample of it, and the last is `# EOF`. A family is described once,
/// before its samples, which come together; a sample's name is its
/// family's (a counter's with `_total`, and a family with a unit ends in
/// it); labels are well formed and unique; values are numbers, a
/// counter's never negative; every name starts with `floorwalker_`.
/// Panics, saying where, on the first breach.
#[derive(Debug, Default)]
struct Exposition {
    samples: BTreeMap<(String, Labels), f64>,
}

impl Exposition {
    fn parse(text: &str) -> Self {
        let body = text
            .strip_suffix("# EOF\n")
            .unwrap_or_else(|| panic!("no '# EOF' line at the end:\n{text}"));
        let mut done: BTreeSet<String> = BTreeSet::new();
        let mut family: Option<Family> = None;
        let mut exposition = Self::default();
        for (n, line) in body.lines().enumerate() {
            let at = || format!("line {}: '{line}'", n + 1);
            if let Some(meta) = line.strip_prefix("# ") {
                let mut parts = meta.splitn(3, ' ');
                let (kind, name, rest) = (parts.next(), parts.next(), parts.next());
                let (Some(kind), Some(name), Some(rest)) = (kind, name, rest) else {
                    panic!("a metadata line without a name and a value: {}", at());
                };
                assert!(metric_name(name), "a bad family name: {}", at());
                if family.as_ref().is_none_or(|f| f.name != name) {
                    if let Some(f) = family.take() {
                        done.insert(f.name);
                    }
                    assert!(!done.contains(name), "a family described twice: {}", at());
                    assert!(name.starts_with("floorwalker_"), "no prefix: {}", at());
                    family = Some(Family::new(name));
                }
                let f = family.as_mut().unwrap();
                assert!(!f.sampled, "metadata after samples: {}", at());
                assert!(f.seen.insert(kind.to_owned()), "{kind} twice: {}", at());
                match kind {
                    "HELP" => {}
                    "TYPE" => {
                        assert!(
                            [
                                "counter",
                                "gauge",
                                "info",
                                "stateset",
                                "unknown",
                                "histogram",
                                "gaugehistogram",
                                "summary"
                            ]
                            .contains(&rest),
                            "an unknown type: {}",
                            at()
                        );
                        rest.clone_into(&mut f.kind);
                    }
                    "UNIT" => {
                        assert!(
                            name.ends_with(&format!("_{rest}")),
                            "a unit not in the name: {}",
                            at()
                        );
                    }
                    _ => panic!("not HELP, TYPE or UNIT: {}", at()),
                }
                continue;
            }
            let f = family
                .as_mut()
                .unwrap_or_else(|| panic!("a sample before any TYPE: {}", at()));
            assert!(!f.kind.is_empty(), "a sample before its TYPE: {}", at());
            f.sampled = true;
            let (name, labels, value) =
                sample(line).unwrap_or_else(|| panic!("not a sample: {}", at()));
            let want = match f.kind.as_str() {
                "counter" => {
                    assert!(
                        !f.name.ends_with("_total"),
                        "counter family with _total: {}",
                        at()
                    );
                    assert!(value >= 0.0, "a negative counter: {}", at());
                    format!("{}_total", f.name)
                }
                "gauge" => f.name.clone(),
                other => panic!("a {other} here: {}", at()),
            };
            assert_eq!(name, want, "a sample of another family: {}", at());
            let key = (name, labels);
            assert!(
                exposition.samples.insert(key, value).is_none(),
                "a sample twice: {}",
                at()
            );
        }
        exposition
    }

    /// The value of the sample `name` with exactly `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let mut labels: Labels = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        labels.sort();
        self.samples.get(&(name.to_owned(), labels)).copied()
    }

    /// Every sample of `name` added up; `None` if there is none.
    fn sum(&self, name: &str) -> Option<f64> {
        let values: Vec<f64> = self
            .samples
            .iter()
            .filter(|((n, _), _)| n == name)
            .map(|(_, v)| *v)
            .collect();
        (!values.is_empty()).then(|| values.iter().sum())
    }
}

/// A sample's labels, (name, value), sorted by name.
type Labels = Vec<(String, String)>;

/// The family whose lines are being read.
#[derive(Debug)]
struct Family {
    name: String,
    kind: String,
    seen: BTreeSet<String>,
    sampled: bool,
}

impl Family {
    fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            kind: String::new(),
            seen: BTreeSet::new(),
            sampled: false,
        }
    }
}

fn metric_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b':')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

fn label_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `name{label="value",…} value` (no timestamp, no exemplar: none is
/// written), labels sorted by name.
fn sample(line: &str) -> Option<(String, Labels, f64)> {
    let end = line.find(['{', ' '])?;
    let name = &line[..end];
    if !metric_name(name) {
        return None;
    }
    let mut rest = &line[end..];
    let mut labels = Vec::new();
    if let Some(inner) = rest.strip_prefix('{') {
        rest = inner;
        loop {
            let eq = rest.find('=')?;
            let label = &rest[..eq];
            if !label_name(label) || labels.iter().any(|(l, _)| l == label) {
                return None;
            }
            rest = rest[eq..].strip_prefix("=\"")?;
            let mut value = String::new();
            let mut chars = rest.char_indices();
            let close = loop {
                match chars.next()? {
                    (i, '"') => break i,
                    (_, '\\') => match chars.next()? {
                        (_, '\\') => value.push('\\'),
                        (_, '"') => value.push('"'),
                        (_, 'n') => value.push('\n'),
                        _ => return None,
                    },
                    (_, '\n') => return None,
                    (_, c) => value.push(c),
                }
            };
            labels.push((label.to_owned(), value));
            rest = &rest[close + 1..];
            if let Some(more) = rest.strip_prefix(',') {
                rest = more;
            } else {
                rest = rest.strip_prefix('}')?;
                break;
            }
        }
    }
    let value = rest.strip_prefix(' ')?;
    let value = match value {
        "NaN" => f64::NAN,
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v if v
            .bytes()
            .all(|b| b.is_ascii_digit() || b"-.e+".contains(&b)) =>
        {
            v.parse().ok()?
        }
        _ => return None,
    };
    labels.sort();
    Some((name.to_owned(), labels, value))
}

#[test]
fn the_check_refuses_what_is_not_openmetrics() {
    let good = "# HELP floorwalker_x A thing.\n# TYPE floorwalker_x counter\nfloorwalker_x_total{a=\"q\\\"\"} 1\n# EOF\n";
    let m = Exposition::parse(good);
    assert_eq!(m.value("floorwalker_x_total", &[("a", "q\"")]), Some(1.0));
    let bad = [
        // No EOF.
        "# TYPE floorwalker_x gauge\nfloorwalker_x 1\n",
        // A counter's sample without _total.
        "# TYPE floorwalker_x counter\nfloorwalker_x 1\n# EOF\n",
        // A sample of an undeclared family.
        "# TYPE floorwalker_x gauge\nfloorwalker_y 1\n# EOF\n",
        // A family described twice.
        "# TYPE floorwalker_x gauge\nfloorwalker_x 1\n# TYPE floorwalker_z gauge\n# TYPE floorwalker_x gauge\n# EOF\n",
        // A label without quotes, a trailing comma, a value that is not a number.
        "# TYPE floorwalker_x gauge\nfloorwalker_x{a=b} 1\n# EOF\n",
        "# TYPE floorwalker_x gauge\nfloorwalker_x{a=\"b\",} 1\n# EOF\n",
        "# TYPE floorwalker_x gauge\nfloorwalker_x one\n# EOF\n",
        // A unit not in the name.
        "# TYPE floorwalker_x gauge\n# UNIT floorwalker_x seconds\nfloorwalker_x 1\n# EOF\n",
        // Without the prefix, and a blank line.
        "# TYPE up gauge\nup 1\n# EOF\n",
        "# TYPE floorwalker_x gauge\n\nfloorwalker_x 1\n# EOF\n",
    ];
    for text in bad {
        let refused = std::panic::catch_unwind(|| Exposition::parse(text)).is_err();
        assert!(refused, "taken: {text}");
    }
}
