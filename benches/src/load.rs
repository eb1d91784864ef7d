//! A bounded load test of `circulate serve`, loopback only, that stops by itself: it starts
//! the release server as a child process, then for `--seconds` keeps twice its concurrency
//! limit of clients busy with a mix of large match batches (some cancelled midway by a short
//! client deadline) while one more client sends small batches back to back. It prints the
//! p50/p99 latency and status codes per kind of request and the server's peak RSS, and fails
//! when the RSS passes `--rss-budget-mb` or a small request waited behind a large one
//! (took over `--small-max-s`). Before the load it sends the hostile requests of the
//! hardening issue once each (8 MiB of empty offers, `exact` or a huge `k` on 10k x 10k,
//! numbers the solver reads as infinite) and fails if any gets a server error. Beside them,
//! one more what-if client than the server's `--max-sessions` opens sessions, revises them
//! (some revisions cancelled by a short deadline, the next checked to answer) and closes or
//! abandons them; refusals must name their bound, and an abandoned session must be gone
//! once idle past `--session-idle-s`. With `--address-space-mb 4096` the server runs under
//! `prlimit --as`. Every large and small client has a REST twin (the same batch as JSON,
//! `POST /v1/match-batch` on the server's `--http-addr`, cancelled the same way), so both
//! paths are loaded side by side at the same concurrency.
//!
//! `make load` (or `cargo run --release -p circulate-benches --bin load -- --seconds 60`)

mod rss;

use anyhow::{Context, bail};
use circulate::grpc::pb;
use circulate::grpc::pb::circulate_client::CirculateClient;
use clap::Parser;
use http_body_util::Full;
use hyper::body::Bytes;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tonic::transport::Channel;

#[derive(Debug, Parser)]
#[command(about = "Bounded load test of circulate serve (loopback only)")]
struct Args {
    /// How long to keep the server busy.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// The server's large-solve slots; twice as many clients send large requests.
    #[arg(long, default_value_t = 2)]
    max_concurrent_solves: usize,
    /// Offers (and as many requests) in a large batch.
    #[arg(long, default_value_t = 30_000)]
    large: usize,
    /// Offers (and as many requests) in a small batch.
    #[arg(long, default_value_t = 50)]
    small: usize,
    /// The server's `--max-model-mb`.
    #[arg(long, default_value_t = 1500)]
    max_model_mb: u64,
    /// Fail when the server's peak resident memory passes this.
    #[arg(long, default_value_t = 4096)]
    rss_budget_mb: u64,
    /// Fail when a small request takes longer than this.
    #[arg(long, default_value_t = 2.0)]
    small_max_s: f64,
    /// The server binary (default: `circulate` beside this one).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Cap the server's address space (`prlimit --as`), MB, as a hostile deployment would.
    #[arg(long)]
    address_space_mb: Option<u64>,
    /// The server's `--max-sessions`; one more client than this opens what-if sessions.
    #[arg(long, default_value_t = 3)]
    max_sessions: usize,
    /// The server's `--session-idle-s`.
    #[arg(long, default_value_t = 2)]
    session_idle_s: u64,
    /// Offers (and as many requests) in a session's batch.
    #[arg(long, default_value_t = 5_000)]
    session: usize,
    /// Write the server's log (`CIRCULATE_LOG=info`) here.
    #[arg(long)]
    server_log: Option<PathBuf>,
}

/// What happened to the requests of one kind.
#[derive(Debug, Default)]
struct Tally {
    seconds: Vec<f64>,
    codes: BTreeMap<String, usize>,
}

type Tallies = Arc<Mutex<BTreeMap<&'static str, Tally>>>;

fn record(tallies: &Tallies, kind: &'static str, seconds: f64, code: String) {
    let mut t = tallies.lock().unwrap_or_else(|e| e.into_inner());
    let tally = t.entry(kind).or_default();
    tally.seconds.push(seconds);
    *tally.codes.entry(code).or_default() += 1;
}

/// A batch of `n` offers and `n` requests on the `make peers` uniform instance.
fn batch(n: usize, seed: u64) -> pb::MatchBatchRequest {
    let ds = optimizer::generate::uniform::generate(n, seed, false);
    let listing = |s: &optimizer::Stream| {
        let site = ds.site(s.site);
        (
            site.id.to_string(),
            ds.material(s.material).id.to_string(),
            s.quantity.0,
            site.lon,
            site.lat,
        )
    };
    pb::MatchBatchRequest {
        materials: ds
            .materials
            .iter()
            .map(|m| pb::Material {
                id: m.id.to_string(),
                import_cost: Some(m.import_cost),
                disposal_cost: Some(m.disposal_cost),
                ..Default::default()
            })
            .collect(),
        offers: ds
            .supplies
            .iter()
            .map(|s| {
                let (id, material, quantity_t, lon, lat) = listing(s);
                pb::Offer {
                    id,
                    material,
                    quantity_t,
                    lon,
                    lat,
                    disposal_cost_avoided: None,
                }
            })
            .collect(),
        requests: ds
            .demands
            .iter()
            .map(|s| {
                let (id, material, quantity_t, lon, lat) = listing(s);
                pb::Request {
                    id,
                    material,
                    quantity_t,
                    lon,
                    lat,
                    max_km: None,
                    value_per_t: None,
                }
            })
            .collect(),
        transport: Some(pb::Transport {
            cost_per_tkm: Some(ds.transport.cost_per_tkm),
            co2_kg_per_tkm: Some(ds.transport.co2_kg_per_tkm),
            detour_factor: Some(ds.transport.detour_factor),
            max_haul_km: None,
        }),
        ..Default::default()
    }
}

/// The server as a child process on a free loopback port; killed when dropped.
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl ServerProcess {
    /// Peak resident set of the server, MB.
    fn peak_rss_mb(&self) -> Option<f64> {
        rss::peak_rss_mb(&self.0.id().to_string())
    }
}

/// The server, its gRPC address (a URI) and its REST address.
fn start_server(args: &Args) -> anyhow::Result<(ServerProcess, String, SocketAddr)> {
    let binary = match &args.server {
        Some(p) => p.clone(),
        None => std::env::current_exe()?.with_file_name("circulate"),
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let rest: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let log = match &args.server_log {
        Some(path) => Stdio::from(std::fs::File::create(path)?),
        None => Stdio::null(),
    };
    // prlimit execs the server, so the child's pid stays the server's.
    let mut command = match args.address_space_mb {
        Some(mb) => {
            let mut c = Command::new("prlimit");
            c.arg(format!("--as={}", mb << 20)).arg(&binary);
            c
        }
        None => Command::new(&binary),
    };
    let child = command
        .args(["serve", "--addr", &addr])
        .args(["--http-addr", &rest.to_string()])
        .args([
            "--max-concurrent-solves",
            &args.max_concurrent_solves.to_string(),
        ])
        .args(["--max-model-mb", &args.max_model_mb.to_string()])
        .args(["--max-sessions", &args.max_sessions.to_string()])
        .args(["--session-idle-s", &args.session_idle_s.to_string()])
        .env("CIRCULATE_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start {} (build it first)", binary.display()))?;
    Ok((ServerProcess(child), format!("http://{addr}"), rest))
}

async fn connect(addr: &str) -> anyhow::Result<CirculateClient<Channel>> {
    for _ in 0..100 {
        if let Ok(c) = CirculateClient::connect(addr.to_owned()).await {
            return Ok(c.max_decoding_message_size(256 << 20));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server at {addr} did not come up")
}

/// Sends `request` of `kind` until `until`, recording each answer; with `cancel_after`, the
/// client gives up (cancels) after that long.
async fn client_loop(
    addr: String,
    kind: &'static str,
    request: Arc<pb::MatchBatchRequest>,
    cancel_after: Option<Duration>,
    until: Instant,
    tallies: Tallies,
) -> anyhow::Result<()> {
    let mut client = connect(&addr).await?;
    while Instant::now() < until {
        let mut r = tonic::Request::new((*request).clone());
        if let Some(after) = cancel_after {
            r.set_timeout(after);
        }
        let started = Instant::now();
        let code = match client.match_batch(r).await {
            Ok(_) => "Ok".to_owned(),
            Err(s) => format!("{:?}", s.code()),
        };
        let busy = code == "ResourceExhausted";
        record(&tallies, kind, started.elapsed().as_secs_f64(), code);
        if busy {
            // A refused client backs off a little, as a real one would.
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    Ok(())
}

type RestSender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn rest_connect(addr: SocketAddr) -> anyhow::Result<RestSender> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// [`client_loop`] over REST: the batch as JSON (`body`) on a kept-alive HTTP/1.1
/// connection, the deadline as a `timeout` header and the client's own timer (after which
/// it drops the connection, as a browser or a platform's HTTP client gives up).
async fn rest_loop(
    addr: SocketAddr,
    kind: &'static str,
    body: Bytes,
    cancel_after: Option<Duration>,
    until: Instant,
    tallies: Tallies,
) -> anyhow::Result<()> {
    use http_body_util::BodyExt;
    let mut connection: Option<RestSender> = None;
    while Instant::now() < until {
        let sender = match &mut connection {
            Some(s) => s,
            None => connection.insert(rest_connect(addr).await?),
        };
        let mut request = http::Request::post("/v1/match-batch")
            .header("host", addr.to_string())
            .header("content-type", "application/json");
        if let Some(after) = cancel_after {
            request = request.header("timeout", after.as_secs_f64().to_string());
        }
        let request = request.body(Full::new(body.clone()))?;
        let started = Instant::now();
        let call = async {
            let response = sender.send_request(request).await?;
            let status = response.status();
            let bytes = response.into_body().collect().await?.to_bytes();
            Ok::<_, anyhow::Error>((status, bytes))
        };
        let outcome = match cancel_after {
            Some(after) => tokio::time::timeout(after, call).await.ok(),
            None => Some(call.await),
        };
        let code = match outcome {
            Some(Ok((status, _))) if status == http::StatusCode::OK => "Ok".to_owned(),
            Some(Ok((_, bytes))) => {
                let code = serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| v["code"].as_i64())
                    .unwrap_or(2);
                format!("{:?}", tonic::Code::from(code as i32))
            }
            Some(Err(e)) => {
                connection = None;
                format!("transport error ({e})")
            }
            None => {
                connection = None;
                "DeadlineExceeded".to_owned()
            }
        };
        let busy = code == "ResourceExhausted";
        record(&tallies, kind, started.elapsed().as_secs_f64(), code);
        if busy {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    Ok(())
}

/// What went wrong in the session clients' runs (each a failure of the load test).
type Findings = Arc<Mutex<Vec<String>>>;

/// A what-if client until `until`: opens a session on `batch`, revises it five times (every
/// third revision cancelled by a 100 ms deadline, and the next one checked to answer), then
/// closes it, or on every other round abandons it for the idle sweep to drop.
async fn session_loop(
    addr: String,
    batch: Arc<pb::MatchBatchRequest>,
    client_number: usize,
    until: Instant,
    tallies: Tallies,
    findings: Findings,
) -> anyhow::Result<()> {
    let mut client = connect(&addr).await?;
    let mut round = 0;
    while Instant::now() < until {
        round += 1;
        let open = pb::OpenSessionRequest {
            problem: Some(pb::open_session_request::Problem::Batch((*batch).clone())),
            request_id: String::new(),
        };
        let started = Instant::now();
        let id = match client.open_session(open).await {
            Ok(plan) => {
                record(
                    &tallies,
                    "session open",
                    started.elapsed().as_secs_f64(),
                    "Ok".into(),
                );
                plan.into_inner().session_id
            }
            Err(s) => {
                record(
                    &tallies,
                    "session open",
                    started.elapsed().as_secs_f64(),
                    format!("{:?}", s.code()),
                );
                if s.code() == tonic::Code::ResourceExhausted
                    && !s.message().contains("--max-sessions")
                    && !s.message().contains("--max-model-mb")
                    && !s.message().contains("busy")
                {
                    findings
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(format!(
                            "a refused session did not name its bound: {}",
                            s.message()
                        ));
                }
                tokio::time::sleep(Duration::from_millis(300)).await;
                continue;
            }
        };
        let mut after_cancel = false;
        for revision in 0..5usize {
            let offer = &batch.offers
                [(client_number * 7919 + round * 104_729 + revision * 31) % batch.offers.len()];
            let change = pb::Change {
                change: Some(pb::change::Change::Quantity(pb::QuantityChange {
                    stream: Some(pb::StreamRef {
                        kind: pb::StreamKind::Supply as i32,
                        index: 0,
                        listing_id: offer.id.clone(),
                    }),
                    quantity_t: offer.quantity_t * (0.5 + (revision as f64) / 4.0),
                })),
            };
            let mut request = tonic::Request::new(pb::ReviseRequest {
                session_id: id.clone(),
                changes: vec![change],
                time_limit_s: None,
                request_id: String::new(),
            });
            let cancelled = revision % 3 == 2;
            if cancelled {
                request.set_timeout(Duration::from_millis(100));
            }
            let kind = if cancelled {
                "session revise, cancelled at 0.1 s"
            } else {
                "session revise"
            };
            let body = request.get_ref().clone();
            let started = Instant::now();
            let mut code = match client.revise(request).await {
                Ok(_) => "Ok".to_owned(),
                Err(s) => format!("{:?}", s.code()),
            };
            if after_cancel {
                // The session must answer after a cancelled revision: a client retries while
                // that revision is still stopping (Aborted) or the slots are busy.
                let mut tries = 0;
                let mut last_message = String::new();
                while (code == "Aborted" || code == "ResourceExhausted") && tries < 50 {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    code = match client.revise(body.clone()).await {
                        Ok(_) => "Ok".to_owned(),
                        Err(s) => {
                            last_message = s.message().to_owned();
                            format!("{:?}", s.code())
                        }
                    };
                    tries += 1;
                }
                if code != "Ok" {
                    findings
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(format!(
                            "a revision after a cancelled one answered {code} ({last_message})"
                        ));
                }
            }
            after_cancel = cancelled;
            if code == "Aborted" || code == "ResourceExhausted" {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            record(&tallies, kind, started.elapsed().as_secs_f64(), code);
        }
        if round % 2 == 0 {
            let started = Instant::now();
            let code = match client
                .close_session(pb::CloseSessionRequest { session_id: id })
                .await
            {
                Ok(_) => "Ok".to_owned(),
                Err(s) => format!("{:?}", s.code()),
            };
            record(
                &tallies,
                "session close",
                started.elapsed().as_secs_f64(),
                code,
            );
        }
    }
    Ok(())
}

/// An abandoned session is gone once it has been idle past the bound.
async fn abandoned_session_expires(
    addr: &str,
    batch: &pb::MatchBatchRequest,
    idle_s: u64,
) -> anyhow::Result<Option<String>> {
    let mut client = connect(addr).await?;
    let open = pb::OpenSessionRequest {
        problem: Some(pb::open_session_request::Problem::Batch(batch.clone())),
        request_id: String::new(),
    };
    let id = loop {
        match client.open_session(open.clone()).await {
            Ok(plan) => break plan.into_inner().session_id,
            Err(s) if s.code() == tonic::Code::ResourceExhausted => {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(s) => return Ok(Some(format!("opening a session for the expiry check: {s}"))),
        }
    };
    tokio::time::sleep(Duration::from_secs(idle_s + 6)).await;
    let revise = pb::ReviseRequest {
        session_id: id,
        changes: vec![],
        time_limit_s: None,
        request_id: String::new(),
    };
    Ok(match client.revise(revise).await {
        Err(s) if s.code() == tonic::Code::NotFound => None,
        other => Some(format!(
            "an abandoned session was still there after {} s idle: {:?}",
            idle_s + 6,
            other.map(|_| "answered")
        )),
    })
}

/// The hostile requests of the hardening issue, each sent once before the load: each must be
/// answered with a client error or a result, and the server must stay up.
async fn hostile_cases(addr: &str, large: &pb::MatchBatchRequest) -> anyhow::Result<Vec<String>> {
    let mut client = connect(addr).await?;
    let ten_k = batch(10_000, 3);
    let with = |mut r: pb::MatchBatchRequest, k: u32, exact: bool| {
        r.options = Some(pb::MatchOptions {
            k,
            exact,
            ..Default::default()
        });
        r
    };
    let empty_offers = pb::MatchBatchRequest {
        offers: vec![pb::Offer::default(); 4 << 20],
        ..Default::default()
    };
    let bad_numbers = {
        let mut r = ten_k.clone();
        r.offers[0].quantity_t = 1e20;
        r.requests[1].lon = f64::NAN;
        r.materials[0].import_cost = Some(-1e308);
        r.options = Some(pb::MatchOptions {
            time_limit_s: Some(f64::INFINITY),
            ..Default::default()
        });
        r
    };
    let cases = [
        ("8 MiB of empty offers", empty_offers),
        ("exact on 10k x 10k", with(ten_k.clone(), 0, true)),
        ("k = 4e9 on 10k x 10k", with(ten_k, u32::MAX, false)),
        ("numbers the solver reads as infinite", bad_numbers),
        ("the large batch with exact", with(large.clone(), 0, true)),
    ];
    let mut rows = Vec::new();
    for (name, request) in cases {
        let started = Instant::now();
        let outcome = match client.match_batch(request).await {
            Ok(_) => "Ok".to_owned(),
            Err(s) => format!(
                "{:?}: {}",
                s.code(),
                s.message().chars().take(90).collect::<String>()
            ),
        };
        rows.push(format!(
            "| {name} | {:.2} | {outcome} |",
            started.elapsed().as_secs_f64()
        ));
    }
    Ok(rows)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    eprintln!(
        "load: building batches ({} and {} listings per side)",
        args.large, args.small
    );
    let large = Arc::new(batch(args.large, 1));
    let small = Arc::new(batch(args.small, 2));
    let session_batch = Arc::new(batch(args.session, 3));
    let (server, addr, rest) = start_server(&args)?;
    let json = |batch: &pb::MatchBatchRequest| -> anyhow::Result<Bytes> {
        let body = circulate::rest::json::encode("circulate.v1.MatchBatchRequest", batch)
            .map_err(|s| anyhow::anyhow!("{s}"))?;
        Ok(Bytes::from(body))
    };
    let (large_json, small_json) = (json(&large)?, json(&small)?);
    connect(&addr).await?;
    let hostile = hostile_cases(&addr, &large).await?;
    println!("| hostile request | s | answer |\n| --- | ---: | --- |");
    for row in &hostile {
        println!("{row}");
    }
    println!();
    let until = Instant::now() + Duration::from_secs(args.seconds);
    let tallies: Tallies = Arc::default();
    let mut tasks = Vec::new();
    // Twice the concurrency limit of large clients, every other one cancelling after 1 s.
    // And as many over REST.
    for i in 0..2 * args.max_concurrent_solves {
        let (kind, rest_kind, cancel) = if i % 2 == 0 {
            ("large", "large, REST", None)
        } else {
            (
                "large, cancelled at 1 s",
                "large, REST, cancelled at 1 s",
                Some(Duration::from_secs(1)),
            )
        };
        tasks.push(tokio::spawn(client_loop(
            addr.clone(),
            kind,
            large.clone(),
            cancel,
            until,
            tallies.clone(),
        )));
        tasks.push(tokio::spawn(rest_loop(
            rest,
            rest_kind,
            large_json.clone(),
            cancel,
            until,
            tallies.clone(),
        )));
    }
    tasks.push(tokio::spawn(client_loop(
        addr.clone(),
        "small",
        small,
        None,
        until,
        tallies.clone(),
    )));
    tasks.push(tokio::spawn(rest_loop(
        rest,
        "small, REST",
        small_json,
        None,
        until,
        tallies.clone(),
    )));
    // One more what-if client than the server holds sessions.
    let findings: Findings = Arc::default();
    for i in 0..=args.max_sessions {
        tasks.push(tokio::spawn(session_loop(
            addr.clone(),
            session_batch.clone(),
            i,
            until,
            tallies.clone(),
            findings.clone(),
        )));
    }
    eprintln!("load: {} s of mixed requests against {addr}", args.seconds);
    for t in tasks {
        t.await??;
    }
    if let Some(finding) =
        abandoned_session_expires(&addr, &session_batch, args.session_idle_s).await?
    {
        findings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(finding);
    }
    let peak = server.peak_rss_mb().unwrap_or(f64::NAN);
    drop(server);

    println!(
        "| requests | count | p50 s | p99 s | max s | codes |\n| --- | ---: | ---: | ---: | ---: | --- |"
    );
    let tallies = tallies.lock().unwrap_or_else(|e| e.into_inner());
    let mut small_max = 0.0_f64;
    for (kind, tally) in tallies.iter() {
        let mut s = tally.seconds.clone();
        s.sort_by(f64::total_cmp);
        let max = s.last().copied().unwrap_or(f64::NAN);
        if kind.starts_with("small") {
            small_max = small_max.max(max);
        }
        let codes: Vec<String> = tally
            .codes
            .iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        println!(
            "| {kind} | {} | {:.3} | {:.3} | {max:.3} | {} |",
            s.len(),
            percentile(&s, 0.5),
            percentile(&s, 0.99),
            codes.join(", ")
        );
    }
    println!(
        "\nserver peak RSS: {peak:.0} MB (budget {} MB)",
        args.rss_budget_mb
    );
    let mut failed: Vec<String> = hostile
        .iter()
        .filter(|row| {
            ["Internal", "Unknown", "Unavailable"]
                .iter()
                .any(|c| row.contains(&format!("| {c}")))
        })
        .map(|row| format!("a hostile request got a server error: {row}"))
        .collect();
    if peak.is_nan() || peak > args.rss_budget_mb as f64 {
        failed.push(format!(
            "peak RSS {peak:.0} MB over {} MB",
            args.rss_budget_mb
        ));
    }
    if small_max > args.small_max_s {
        failed.push(format!(
            "a small request took {small_max:.2} s (over {} s): it waited behind a large one",
            args.small_max_s
        ));
    }
    for small in ["small", "small, REST"] {
        if tallies
            .get(small)
            .is_none_or(|t| !t.codes.contains_key("Ok"))
        {
            failed.push(format!("no {small} request succeeded"));
        }
    }
    failed.extend(findings.lock().unwrap_or_else(|e| e.into_inner()).drain(..));
    if failed.is_empty() {
        println!("load test passed");
        Ok(())
    } else {
        bail!("load test failed: {}", failed.join("; "))
    }
}
