//! The what-if sessions a server holds: each a [`WhatIf`] (model and basis kept between
//! revisions) with what its changes are read against, owned by the bearer token that opened
//! it. Bounded three ways, each refusal naming its limit: how many are open
//! (`--max-sessions`), the memory they hold by the admission estimate of each
//! (`--max-session-mb`), and idle time (`--session-idle-s`; an expired session is dropped
//! by a sweep every few seconds and at every session call). Ids are 128 random bits, and a
//! session another token opened answers NOT_FOUND, as an unknown one does.

use super::auth::may_use;
use super::convert::Problem;
use super::lock;
use super::metrics;
use optimizer::WhatIf;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tonic::Status;

/// The bounds on the sessions of a server.
#[derive(Clone, Copy, Debug)]
pub struct SessionLimits {
    /// Sessions open at once.
    pub max_sessions: usize,
    /// Estimated bytes all open sessions may hold together.
    pub max_bytes: u64,
    /// How long a session may go without a call before it is dropped.
    pub idle: Duration,
}

impl SessionLimits {
    /// The defaults: 32 sessions, a quarter of the machine's memory, 15 minutes idle.
    pub fn default_for(memory_budget_bytes: u64) -> Self {
        SessionLimits {
            max_sessions: 32,
            max_bytes: memory_budget_bytes / 2,
            idle: Duration::from_secs(15 * 60),
        }
    }
}

/// A session and what its changes are read against.
#[derive(Debug)]
pub struct Held {
    /// The dataset, its plan and its kept basis.
    pub what_if: WhatIf,
    /// A region's streams by position, or a batch's listings by id.
    pub problem: Problem,
    /// Revisions accepted so far.
    pub revisions: u32,
}

#[derive(Debug)]
struct Entry {
    /// The bearer token that opened it (`None` with authentication off).
    owner: Option<Vec<u8>>,
    bytes: u64,
    last_used: Instant,
    held: Arc<Mutex<Held>>,
}

#[derive(Debug, Default)]
struct Store {
    open: HashMap<String, Entry>,
    /// Sessions being opened: counted against the limits before their first solve.
    opening: usize,
    /// Bytes of open sessions and of those being opened.
    bytes: u64,
}

/// The sessions of one server (cheap to clone: one shared store).
#[derive(Debug, Clone)]
pub struct Sessions {
    store: Arc<Mutex<Store>>,
    limits: SessionLimits,
}

/// Room held for a session being opened; given back if the open fails.
#[derive(Debug)]
pub struct Reservation {
    store: Arc<Mutex<Store>>,
    bytes: u64,
    done: bool,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.done {
            let mut store = lock(&self.store);
            store.opening -= 1;
            store.bytes -= self.bytes;
        }
    }
}

impl Sessions {
    /// An empty store with these limits.
    pub fn new(limits: SessionLimits) -> Self {
        Sessions {
            store: Arc::default(),
            limits,
        }
    }

    /// Holds room for a session of `bytes`, or RESOURCE_EXHAUSTED naming the bound it would
    /// pass.
    pub fn reserve(&self, bytes: u64) -> Result<Reservation, Status> {
        self.expire_idle();
        let mut store = lock(&self.store);
        let count = store.open.len() + store.opening;
        if count >= self.limits.max_sessions {
            metrics::refused("sessions");
            return Err(Status::resource_exhausted(format!(
                "{count} sessions are open, the server's limit (--max-sessions {}); close one \
                 or wait for idle ones to expire",
                self.limits.max_sessions
            )));
        }
        if store.bytes + bytes > self.limits.max_bytes {
            metrics::refused("session_memory");
            return Err(Status::resource_exhausted(format!(
                "open sessions hold an estimated {} MB; this one would add {} MB, above the \
                 server's limit of {} MB (--max-session-mb)",
                store.bytes.div_ceil(1_000_000),
                bytes.div_ceil(1_000_000),
                self.limits.max_bytes / 1_000_000
            )));
        }
        store.opening += 1;
        store.bytes += bytes;
        Ok(Reservation {
            store: self.store.clone(),
            bytes,
            done: false,
        })
    }

    /// Files an opened session under a new id and returns the id.
    pub fn insert(&self, mut room: Reservation, owner: Option<Vec<u8>>, held: Held) -> String {
        room.done = true;
        let id = new_id();
        let mut store = lock(&self.store);
        store.opening -= 1;
        store.open.insert(
            id.clone(),
            Entry {
                owner,
                bytes: room.bytes,
                last_used: Instant::now(),
                held: Arc::new(Mutex::new(held)),
            },
        );
        metrics::sessions_open(store.open.len());
        tracing::info!(session = %id, mb = room.bytes / 1_000_000, open = store.open.len(), "session opened");
        id
    }

    /// The session `id` if `owner` opened it, marked as used now; NOT_FOUND otherwise.
    pub fn get(&self, id: &str, owner: Option<&[u8]>) -> Result<Arc<Mutex<Held>>, Status> {
        self.expire_idle();
        let mut store = lock(&self.store);
        match store.open.get_mut(id) {
            Some(entry) if may_use(entry.owner.as_deref(), owner) => {
                entry.last_used = Instant::now();
                Ok(entry.held.clone())
            }
            _ => Err(not_found(id)),
        }
    }

    /// Drops session `id` if `owner` opened it and returns it (a revision still running
    /// on it ends first, then the session goes).
    pub fn remove(&self, id: &str, owner: Option<&[u8]>) -> Result<Arc<Mutex<Held>>, Status> {
        let mut store = lock(&self.store);
        match store.open.get(id) {
            Some(entry) if may_use(entry.owner.as_deref(), owner) => {
                let entry = store.open.remove(id).ok_or_else(|| not_found(id))?;
                store.bytes -= entry.bytes;
                metrics::sessions_open(store.open.len());
                tracing::info!(session = %id, open = store.open.len(), "session closed");
                Ok(entry.held)
            }
            _ => Err(not_found(id)),
        }
    }

    /// Drops every session idle for longer than the limit (one a revision is solving is
    /// not idle).
    pub fn expire_idle(&self) {
        let mut store = lock(&self.store);
        let now = Instant::now();
        let idle = self.limits.idle;
        let expired: Vec<String> = store
            .open
            .iter()
            .filter(|(_, e)| now.duration_since(e.last_used) > idle && e.held.try_lock().is_ok())
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            if let Some(entry) = store.open.remove(&id) {
                store.bytes -= entry.bytes;
                tracing::info!(session = %id, idle_s = idle.as_secs(), "session expired");
            }
        }
        metrics::sessions_open(store.open.len());
    }

    /// Sessions open now.
    pub fn open_count(&self) -> usize {
        lock(&self.store).open.len()
    }

    /// Sweeps idle sessions every few seconds for as long as the server runs.
    pub fn sweep_in_background(&self) {
        let sessions = self.clone();
        let every = (self.limits.idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(5));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                sessions.expire_idle();
            }
        });
    }
}

fn not_found(id: &str) -> Status {
    let shown: String = id.chars().take(40).collect();
    Status::not_found(format!(
        "no session `{shown}` open for this token (closed, expired, or never opened)"
    ))
}

/// 128 random bits in hex, from the operating system's generator by way of rand's.
fn new_id() -> String {
    use rand::Rng;
    let bits: u128 = rand::rng().random();
    format!("{bits:032x}")
}
