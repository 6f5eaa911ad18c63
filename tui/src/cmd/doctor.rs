//! `floorwalker doctor`: checks a deployment from an operator's seat and
//! prints one line per check, `ok` or `problem` with what to do: the
//! server's version, the auth callout (the gate admitted this connection),
//! JetStream, every stream and consumer as `floorwalker setup` makes them
//! (its plan: anything it would change is a problem), the gate's status,
//! a recent intake report, the router's connection and, if asked, the
//! WebSocket listener. Exits with status 1 when any check finds a problem.

use std::path::Path;
use std::time::{Duration, Instant};

use clap::Args;
use color_eyre::eyre::{Result, WrapErr, bail};
use floorwalker::streams::plan::Action;
use floorwalker::streams::setup;
use floorwalker_shared::intake::IntakeReport;
use floorwalker_shared::subject;
use futures::StreamExt;

use crate::cmd::args::{self, ConnectArgs};

/// The oldest nats-server Floorwalker runs on (auth callout as it uses it).
const MIN_VERSION: (u64, u64) = (2, 10);

/// How long a service may take to answer or be heard: the intake reports
/// every second.
const LISTEN: Duration = Duration::from_secs(3);

/// The name the router's connection gives itself.
const ROUTER_CONNECTION: &str = "floorwalker-router";

#[derive(Debug, Args)]
pub(crate) struct DoctorArgs {
    #[command(flatten)]
    pub(crate) connect: ConnectArgs,

    /// Also check that the WebSocket listener browsers use answers at this
    /// ws:// or wss:// address.
    #[arg(long, value_name = "URL")]
    pub(crate) websocket: Option<String>,

    /// The storefront origin to present to the WebSocket listener, as a
    /// shopper's browser does (it must be one of the listener's allowed
    /// origins).
    #[arg(long, value_name = "ORIGIN", requires = "websocket")]
    pub(crate) origin: Option<String>,

    /// For wss://: a certificate authority (PEM) to trust besides the
    /// system's, for a certificate your own CA signed.
    #[arg(long, value_name = "FILE", requires = "websocket")]
    pub(crate) ca: Option<std::path::PathBuf>,
}

/// What one check found.
enum Found {
    Ok(String),
    Problem(String),
    /// Could not be checked with these credentials; not a failure.
    Skipped(String),
}

pub(crate) async fn run(args: &DoctorArgs, data_dir: &Path) -> Result<()> {
    let creds = args.connect.creds(data_dir, "admin")?;
    let server = &args.connect.nats.server;
    let client = args::connect(server, &creds, "floorwalker-doctor", None)
        .await
        .wrap_err(
            "doctor could not begin (if the server and the credentials are right, is `floorwalker \
             gate` running? Without it nats-server admits nobody)",
        )?;
    let mut found = vec![version(&client)];
    found.extend(gate(&client).await);
    found.push(jetstream(&client).await);
    found.extend(streams(&client).await);
    found.push(intake(&client).await);
    found.push(router(&client).await);
    if let Some(url) = &args.websocket {
        found.push(websocket(url, args.origin.as_deref(), args.ca.as_deref()).await);
    }
    let mut problems = 0;
    for f in &found {
        match f {
            Found::Ok(line) => println!("ok       {line}"),
            Found::Problem(line) => {
                problems += 1;
                println!("problem  {line}");
            }
            Found::Skipped(line) => println!("skipped  {line}"),
        }
    }
    if problems > 0 {
        bail!(
            "{problems} of {} checks found a problem (above)",
            found.len()
        );
    }
    println!("doctor: all is well on {server}");
    Ok(())
}

fn version(client: &async_nats::Client) -> Found {
    let version = client.server_info().version;
    let mut parts = version.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    let have = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    let (major, minor) = MIN_VERSION;
    if have >= MIN_VERSION {
        Found::Ok(format!("nats-server {version} (≥ {major}.{minor})"))
    } else {
        Found::Problem(format!(
            "nats-server {version} is older than {major}.{minor}: upgrade it (Floorwalker's \
             gate needs auth callout as {major}.{minor} has it)"
        ))
    }
}

/// The auth callout and the gate's status, from one status request.
async fn gate(client: &async_nats::Client) -> Vec<Found> {
    let started = Instant::now();
    let asked = tokio::time::timeout(
        LISTEN,
        client.request(subject::gate_status().to_string(), bytes::Bytes::new()),
    )
    .await;
    let auth_required = client.server_info().auth_required;
    let Ok(Ok(reply)) = asked else {
        let why = if auth_required {
            "no gate answered on fw.gate.status: start `floorwalker gate --config \
             ./auth/gate.toml` beside nats-server (or, with credentials other than admin's, \
             dashboard's or tail's, run doctor with admin.creds)"
        } else {
            "the server asks for no credentials and no gate answers: include \
             ./auth/nats-auth.conf (from `floorwalker auth init`) in nats-server's config and \
             start `floorwalker gate`"
        };
        return vec![Found::Problem(format!("auth callout: {why}"))];
    };
    let took = started.elapsed().as_millis();
    let status: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap_or_default();
    let shoppers = status["admitted_shoppers"].as_u64().unwrap_or(0);
    let refused: u64 = status["refused"].as_object().map_or(0, |m| {
        m.values().filter_map(serde_json::Value::as_u64).sum()
    });
    // This connection's credentials were checked by the server itself; a
    // gate answering on the status subject the accounts export is the
    // callout in place.
    let callout = if auth_required {
        Found::Ok(
            "auth callout: the server checks operators' credentials and asks the gate about \
             everyone else"
                .to_owned(),
        )
    } else {
        Found::Problem(
            "auth callout: the server asks for no credentials: is nats-server's config \
             including ./auth/nats-auth.conf?"
                .to_owned(),
        )
    };
    let mut found = vec![
        callout,
        Found::Ok(format!(
            "gate: answered its status in {took} ms ({shoppers} shoppers admitted, {refused} \
             connections refused)"
        )),
    ];
    if let Some(unvouched) = status["refused"]["unvouched"].as_u64().filter(|n| *n > 0) {
        found.push(Found::Problem(format!(
            "gate: refused {unvouched} shopper connections from a trusted proxy without its \
             word for their address: is the proxy using the file `floorwalker auth proxy` \
             wrote, and does nats-server.conf's websocket block have `pass_cookie: \"{}\"`? \
             (docs/DEPLOY.md, \"Behind a reverse proxy\")",
            floorwalker::gate::proxy::COOKIE
        )));
    }
    found
}

async fn jetstream(client: &async_nats::Client) -> Found {
    let js = async_nats::jetstream::new(client.clone());
    match js.query_account().await {
        Ok(account) => {
            let used = match i64::try_from(account.storage).unwrap_or(i64::MAX) {
                0 => "no storage used yet".to_owned(),
                n => format!("{} of storage used", floorwalker::streams::plan::bytes(n)),
            };
            Found::Ok(format!(
                "JetStream enabled ({} streams, {used})",
                account.streams
            ))
        }
        Err(e) => Found::Problem(format!(
            "JetStream: {e}: enable it in nats-server's config (`jetstream {{ store_dir: … }}`)"
        )),
    }
}

/// Every stream and consumer, as setup's plan sees them.
async fn streams(client: &async_nats::Client) -> Vec<Found> {
    let plan = match setup::survey(client).await {
        Ok(plan) => plan,
        Err(e) => return vec![Found::Problem(format!("streams: {e}"))],
    };
    plan.items
        .iter()
        .map(|item| {
            let name = &item.name;
            match &item.action {
                Action::Unchanged => Found::Ok(format!("{name}: as `floorwalker setup` makes it")),
                Action::Create => Found::Problem(format!(
                    "{name}: missing: run `floorwalker setup` (as admin)"
                )),
                Action::Update(changes) | Action::Blocked(changes) => {
                    let fields: Vec<String> = changes
                        .iter()
                        .map(|c| format!("{} {} → {}", c.field, c.old, c.new))
                        .collect();
                    Found::Problem(format!(
                        "{name}: setup would change {}: run `floorwalker setup`",
                        fields.join(", ")
                    ))
                }
            }
        })
        .collect()
}

/// An intake report heard within a few seconds (each intake sends one a
/// second).
async fn intake(client: &async_nats::Client) -> Found {
    let Ok(mut reports) = client.subscribe(subject::intake_report().to_string()).await else {
        return Found::Problem("intake: cannot listen to fw.intake.report".to_owned());
    };
    match tokio::time::timeout(LISTEN, reports.next()).await {
        Ok(Some(msg)) => match serde_json::from_slice::<IntakeReport>(&msg.payload) {
            Ok(report) => Found::Ok(format!(
                "intake '{}' reporting ({} batches and {} chat facts stored since it started)",
                report.instance, report.stored_events, report.stored_facts
            )),
            Err(_) => Found::Problem(
                "intake: a report on fw.intake.report is not one: is another program \
                 publishing there?"
                    .to_owned(),
            ),
        },
        _ => Found::Problem(format!(
            "intake: no report on fw.intake.report in {} s: start `floorwalker intake` (without \
             it no shopper's batch reaches operators; with credentials other than admin's, \
             dashboard's or tail's, run doctor with admin.creds)",
            LISTEN.as_secs()
        )),
    }
}

/// The router publishes nothing on its own, so its connection is looked
/// for among the account's (a request only the admin may make).
async fn router(client: &async_nats::Client) -> Found {
    let asked = tokio::time::timeout(
        LISTEN,
        client.request("$SYS.REQ.ACCOUNT.PING.CONNZ", "{}".into()),
    )
    .await;
    let Ok(Ok(reply)) = asked else {
        return Found::Skipped(
            "router: only the admin may list the account's connections; run doctor with \
             admin.creds to check it"
                .to_owned(),
        );
    };
    let connz: serde_json::Value = serde_json::from_slice(&reply.payload).unwrap_or_default();
    let routers = connz["data"]["connections"].as_array().map_or(0, |c| {
        c.iter()
            .filter(|c| c["name"].as_str() == Some(ROUTER_CONNECTION))
            .count()
    });
    match routers {
        0 => Found::Problem(
            "router: no router is connected: start `floorwalker router` (one per deployment)"
                .to_owned(),
        ),
        1 => Found::Ok("router: connected".to_owned()),
        n => Found::Problem(format!(
            "router: {n} routers are connected: run one per deployment, or shoppers hear \
             everything twice"
        )),
    }
}

/// Whether the WebSocket listener answers an upgrade (a browser's first
/// step): over TLS for wss://, trusting the system's certificate
/// authorities and `ca`.
async fn websocket(url: &str, origin: Option<&str>, ca: Option<&Path>) -> Found {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::{Error, http::HeaderValue};
    let mut request = match url.into_client_request() {
        Ok(r) => r,
        Err(e) => return Found::Problem(format!("WebSocket '{url}': not a WebSocket URL ({e})")),
    };
    if let Some(origin) = origin {
        match HeaderValue::from_str(origin) {
            Ok(v) => {
                request.headers_mut().insert("Origin", v);
            }
            Err(e) => return Found::Problem(format!("WebSocket: origin '{origin}': {e}")),
        }
    }
    let tls = match tls_config(ca) {
        Ok(config) => config,
        Err(why) => return Found::Problem(format!("WebSocket {url}: {why}")),
    };
    let connector = tokio_tungstenite::Connector::Rustls(std::sync::Arc::new(tls));
    let connecting =
        tokio_tungstenite::connect_async_tls_with_config(request, None, false, Some(connector));
    match tokio::time::timeout(LISTEN, connecting).await {
        Ok(Ok(_)) => Found::Ok(format!("WebSocket {url}: answers")),
        Ok(Err(Error::Http(response))) => Found::Problem(format!(
            "WebSocket {url}: reachable, but refused the connection (HTTP {}): add the \
             storefront's origin to the websocket block's allowed_origins",
            response.status()
        )),
        // rustls reports a certificate it does not trust as an IO error.
        Ok(Err(e)) if matches!(e, Error::Tls(_)) || e.to_string().contains("certificate") => {
            Found::Problem(format!(
                "WebSocket {url}: TLS failed ({e}): browsers will refuse it too; the \
                 certificate must name this host and be signed by an authority they trust \
                 (--ca FILE to check one of your own)"
            ))
        }
        Ok(Err(e)) => Found::Problem(format!("WebSocket {url}: {e}")),
        Err(_) => Found::Problem(format!(
            "WebSocket {url}: no answer in {} s",
            LISTEN.as_secs()
        )),
    }
}

/// Why the TLS client settings for wss:// could not be made.
#[derive(Debug, thiserror::Error)]
enum TlsSetup {
    /// The `--ca` file could not be read as PEM.
    #[error("reading --ca '{}': {source}", .path.display())]
    Read {
        path: std::path::PathBuf,
        source: rustls_pki_types::pem::Error,
    },
    /// The `--ca` file holds no certificate rustls can use.
    #[error("--ca '{}' holds no usable certificate", .0.display())]
    NoCertificate(std::path::PathBuf),
    /// The provider refused the protocol versions.
    #[error("TLS settings: {0}")]
    Settings(#[from] rustls::Error),
}

/// The TLS client settings for wss://: the system's certificate
/// authorities and `ca`'s, with the ring provider async-nats links.
fn tls_config(ca: Option<&Path>) -> Result<rustls::ClientConfig, TlsSetup> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    // Certificates the system's store cannot parse are left out, as browsers do.
    let (_, _) = roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    if let Some(ca) = ca {
        let certs = CertificateDer::pem_file_iter(ca)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|source| TlsSetup::Read {
                path: ca.to_owned(),
                source,
            })?;
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(TlsSetup::NoCertificate(ca.to_owned()));
        }
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?;
    Ok(config.with_root_certificates(roots).with_no_client_auth())
}
