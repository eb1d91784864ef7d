//! Where a request runs: admitted by its estimated memory ([`Budget`]), then given a slot
//! in the lane of its weight (small requests never wait behind a large solve) and a rayon
//! pool of its own, on tokio's blocking threads. A request the client abandons cancels its
//! solve, which frees the slot and the CPU within about a second.

use super::admission::{Budget, Shape, Weight};
use super::metrics;
use optimizer::CancelToken;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;
use tonic::Status;

/// A bound on requests running at once.
#[derive(Debug, Clone)]
struct Lane {
    name: &'static str,
    slots: Arc<Semaphore>,
}

impl Lane {
    fn new(name: &'static str, slots: usize) -> Self {
        Lane {
            name,
            slots: Arc::new(Semaphore::new(slots.max(1))),
        }
    }

    /// A rayon pool for one request. Each request gets its own: in a shared pool, a request
    /// waiting for its parallel loop to finish runs other requests' queued work meanwhile,
    /// so a cancelled solve was seen to hold its slot for 84 s behind a neighbour's pricing
    /// (measured with `make load`). Starting a pool costs well under a millisecond.
    fn pool(&self) -> Result<rayon::ThreadPool, Status> {
        let name = self.name;
        rayon::ThreadPoolBuilder::new()
            .thread_name(move |i| format!("{name}-{i}"))
            .build()
            .map_err(|e| Status::unavailable(format!("cannot start threads: {e}")))
    }
}

/// Cancels its token when dropped: tonic drops a handler's future when the client cancels,
/// disconnects or passes its deadline, and this guard, held across the await, turns that
/// into a stop of the blocking solve.
struct CancelOnDrop(CancelToken);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// `work` on tokio's blocking pool, for what would hold a runtime thread too long without
/// needing a solve slot: reading or writing megabytes of JSON, validating a large request.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Status> + Send + 'static,
) -> Result<T, Status> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| Status::internal(format!("a blocking task failed: {e}")))?
}

/// The lanes of a service and the budget that admits into them.
#[derive(Debug, Clone)]
pub struct Lanes {
    budget: Budget,
    /// Slots of large solves.
    heavy: Lane,
    /// Slots of small requests, so they never wait behind a large solve.
    light: Lane,
    /// Slots of what-if sessions' solves (opening and revising), so sessions never take the
    /// slots of one-off requests.
    sessions: Lane,
    /// Slots of long-running operations, which wait for one instead of being refused.
    operations: Lane,
    /// Cancelled at shutdown; every request's token is its child.
    shutdown: CancelToken,
}

impl Lanes {
    /// At most `max_concurrent_solves` large solves at once, and as many small ones beside
    /// them; more get RESOURCE_EXHAUSTED immediately, as do requests estimated above
    /// `budget`. Cancelling `shutdown` stops every running solve.
    pub fn new(max_concurrent_solves: usize, budget: Budget, shutdown: CancelToken) -> Self {
        Lanes {
            budget,
            heavy: Lane::new("solve", max_concurrent_solves),
            light: Lane::new("light", max_concurrent_solves),
            sessions: Lane::new("session", max_concurrent_solves),
            operations: Lane::new("operation", max_concurrent_solves),
            shutdown,
        }
    }

    /// Runs a request on the blocking pool inside a thread pool of its own, holding a slot
    /// of its lane for its whole duration; the job gets a token that is cancelled when the
    /// request is abandoned.
    pub async fn run<T: Send + 'static>(
        &self,
        what: &'static str,
        shape: Shape,
        job: impl FnOnce(CancelToken) -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        self.run_in(what, shape, false, job).await
    }

    /// [`Lanes::run`] in the sessions' lane (admitted by the same budget).
    pub async fn run_session<T: Send + 'static>(
        &self,
        what: &'static str,
        shape: Shape,
        job: impl FnOnce(CancelToken) -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        self.run_in(what, shape, true, job).await
    }

    /// Whether `shape` is within the budget (RESOURCE_EXHAUSTED naming the limit if not).
    pub fn admit(&self, shape: &Shape) -> Result<Weight, Status> {
        self.budget.admit(shape).inspect_err(|_| {
            metrics::refused("over_budget");
        })
    }

    /// A token for work that no client holds open (an operation): cancelled at shutdown.
    pub fn token(&self) -> CancelToken {
        self.shutdown.child()
    }

    /// Runs an operation's job in the operations' lane once a slot is free, waiting for one
    /// (checking `cancel` while it waits). The operation's shape was admitted when it was
    /// submitted.
    pub async fn run_queued<T: Send + 'static>(
        &self,
        what: &'static str,
        cancel: CancelToken,
        job: impl FnOnce(CancelToken) -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        let lane = &self.operations;
        let permit = loop {
            tokio::select! {
                permit = lane.slots.clone().acquire_owned() => {
                    break permit.map_err(|_| Status::unavailable("the server is stopping"))?;
                }
                () = tokio::time::sleep(std::time::Duration::from_millis(100)) => {
                    if cancel.is_cancelled() {
                        return Err(Status::cancelled(format!("{what} cancelled while queued")));
                    }
                }
            }
        };
        self.execute(what, Weight::Heavy, lane, permit, cancel, job)
            .await
    }

    async fn run_in<T: Send + 'static>(
        &self,
        what: &'static str,
        shape: Shape,
        session: bool,
        job: impl FnOnce(CancelToken) -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        let weight = self.admit(&shape)?;
        let lane = match weight {
            _ if session => &self.sessions,
            Weight::Light => &self.light,
            Weight::Heavy => &self.heavy,
        };
        let permit = lane.slots.clone().try_acquire_owned().map_err(|_| {
            metrics::refused("busy");
            Status::resource_exhausted(format!("all solve slots are busy; retry later ({what})"))
        })?;
        let cancel = self.shutdown.child();
        let guard = CancelOnDrop(cancel.clone());
        let out = self.execute(what, weight, lane, permit, cancel, job).await;
        drop(guard);
        out
    }

    /// `job` on the blocking pool inside a thread pool of its own, holding `permit`.
    async fn execute<T: Send + 'static>(
        &self,
        what: &'static str,
        weight: Weight,
        lane: &Lane,
        permit: tokio::sync::OwnedSemaphorePermit,
        cancel: CancelToken,
        job: impl FnOnce(CancelToken) -> Result<T, Status> + Send + 'static,
    ) -> Result<T, Status> {
        let started = Instant::now();
        let pool = lane.pool()?;
        // Logged from the blocking task, so an abandoned request logs its end too.
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut in_flight = metrics::SolveInFlight::start(what);
            let out = pool.install(|| job(cancel.clone()));
            let outcome = match (&out, cancel.is_cancelled()) {
                (_, true) => "cancelled",
                (Ok(_), false) => "ok",
                (Err(_), false) => "error",
            };
            in_flight.ended(outcome);
            tracing::info!(
                rpc = what,
                ?weight,
                seconds = started.elapsed().as_secs_f64(),
                outcome,
                "request done"
            );
            out
        })
        .await
        .map_err(|e| Status::internal(format!("solve task failed: {e}")))?
    }
}
