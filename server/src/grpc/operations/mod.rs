//! The long-running operations a server holds (AIP-151): each submitted call's progress, its
//! answer or error once done, its cancel token, and the token that submitted it. Bounded
//! three ways, each refusal naming its limit: how many are held at once, running or kept
//! (`--max-operations`; the oldest finished ones make room first), the bytes of the
//! requests waiting and the answers kept (`--max-operation-mb`), and how long a finished
//! one is kept (`--operation-ttl-s`). Names carry the server's instance, so a name from
//! before a restart answers NOT_FOUND saying the operation was lost, never a silent wait.

use super::auth::may_use;
use super::lock;
use super::pb;
use super::pb::google::longrunning as lro;
use optimizer::CancelToken;
use prost::Message;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tokio::sync::watch;
use tonic::Status;

mod handle;
pub use handle::Handle;

/// The bounds on the operations of a server.
#[derive(Clone, Copy, Debug)]
pub struct OperationLimits {
    /// Operations held at once, running, queued or finished and kept.
    pub max_operations: usize,
    /// Bytes of the requests waiting or running and the answers kept, together.
    pub max_bytes: u64,
    /// How long a finished operation's answer is kept.
    pub ttl: Duration,
}

impl Default for OperationLimits {
    /// 64 operations, 1 GB, one hour.
    fn default() -> Self {
        OperationLimits {
            max_operations: 64,
            max_bytes: 1 << 30,
            ttl: Duration::from_secs(3600),
        }
    }
}

/// Where operation names begin (`operations/{instance}-{id}`), as googleapis' LRO paths.
const COLLECTION: &str = "operations/";

#[derive(Debug)]
struct Entry {
    /// The bearer token that submitted it (`None` with authentication off).
    owner: Option<Vec<u8>>,
    progress: pb::OperationProgress,
    result: Option<lro::operation::Result>,
    /// Bytes counted against the limit: the request while it waits or runs, the answer
    /// once done.
    bytes: u64,
    ended: Option<Instant>,
    /// Submission order, for listing and for making room.
    serial: u64,
    cancel: CancelToken,
    done: watch::Sender<bool>,
}

impl Entry {
    fn operation(&self, name: &str) -> lro::Operation {
        lro::Operation {
            name: name.to_string(),
            metadata: Some(pack("circulate.v1.OperationProgress", &self.progress)),
            done: self.result.is_some(),
            result: self.result.clone(),
        }
    }
}

#[derive(Debug, Default)]
struct Store {
    held: HashMap<String, Entry>,
    bytes: u64,
    serial: u64,
}

/// The operations of one server (cheap to clone: one shared store).
#[derive(Debug, Clone)]
pub struct Operations {
    store: Arc<Mutex<Store>>,
    limits: OperationLimits,
    /// 32 random bits fixed at start: the part of every name that tells a restart apart.
    instance: String,
}

/// `message` packed as the `Any` an operation's metadata or response carries.
pub fn pack<M: Message>(type_name: &str, message: &M) -> prost_types::Any {
    prost_types::Any {
        type_url: format!("type.googleapis.com/{type_name}"),
        value: message.encode_to_vec(),
    }
}

impl Operations {
    /// An empty store with these limits.
    pub fn new(limits: OperationLimits) -> Self {
        use rand::Rng;
        let instance: u32 = rand::rng().random();
        Operations {
            store: Arc::default(),
            limits,
            instance: format!("{instance:08x}"),
        }
    }

    /// Files a new operation of `kind` for `owner`, holding `request_bytes` until it ends,
    /// and gives the job's handle and the operation as first answered. RESOURCE_EXHAUSTED
    /// naming the limit when the store is full of running operations or bytes.
    pub fn submit(
        &self,
        owner: Option<Vec<u8>>,
        kind: &str,
        request_id: &str,
        regions_total: u32,
        request_bytes: u64,
        cancel: CancelToken,
    ) -> Result<(Handle, lro::Operation), Status> {
        self.expire();
        let mut store = lock(&self.store);
        make_room(&mut store, &self.limits, request_bytes)?;
        use rand::Rng;
        let id: u128 = rand::rng().random();
        let name = format!("{COLLECTION}{}-{id:032x}", self.instance);
        let now = prost_types::Timestamp::from(SystemTime::now());
        store.serial += 1;
        store.bytes += request_bytes;
        let entry = Entry {
            owner,
            progress: pb::OperationProgress {
                kind: kind.to_string(),
                state: pb::OperationState::Queued as i32,
                regions_total,
                create_time: Some(now),
                update_time: Some(now),
                request_id: request_id.to_string(),
                ..Default::default()
            },
            result: None,
            bytes: request_bytes,
            ended: None,
            serial: store.serial,
            cancel,
            done: watch::Sender::new(false),
        };
        let first = entry.operation(&name);
        store.held.insert(name.clone(), entry);
        tracing::info!(operation = %name, kind, held = store.held.len(), "operation submitted");
        Ok((
            Handle {
                store: self.store.clone(),
                name,
                limits: self.limits,
            },
            first,
        ))
    }

    /// The bounds the store keeps.
    pub fn limits(&self) -> OperationLimits {
        self.limits
    }

    /// Operation `name` as it stands, if `owner` submitted it.
    pub fn get(&self, name: &str, owner: Option<&[u8]>) -> Result<lro::Operation, Status> {
        self.expire();
        let store = lock(&self.store);
        let entry = self.owned(&store, name, owner)?;
        Ok(entry.operation(name))
    }

    /// The caller's operations, oldest first, a page at a time: `page_token` is where the
    /// last page ended. `filter` may be empty, `done=true` or `done=false`.
    pub fn list(
        &self,
        owner: Option<&[u8]>,
        filter: &str,
        page_size: i32,
        page_token: &str,
    ) -> Result<lro::ListOperationsResponse, Status> {
        self.expire();
        let done = match filter.replace(' ', "").as_str() {
            "" => None,
            "done=true" => Some(true),
            "done=false" => Some(false),
            other => {
                return Err(super::status::violation(
                    "filter",
                    &format!(
                        "{other:?} is not a filter this server reads: empty, done=true or done=false"
                    ),
                ));
            }
        };
        let after: u64 = if page_token.is_empty() {
            0
        } else {
            page_token.parse().map_err(|_| {
                super::status::violation("page_token", "is not a token this server gave")
            })?
        };
        let size = match page_size {
            s if s < 0 => return Err(super::status::violation("page_size", "must be >= 0")),
            0 => 100,
            s => (s as usize).min(1000),
        };
        let store = lock(&self.store);
        let mut mine: Vec<(&String, &Entry)> = store
            .held
            .iter()
            .filter(|(_, e)| may_use(e.owner.as_deref(), owner) && e.serial > after)
            .filter(|(_, e)| done.is_none_or(|d| e.result.is_some() == d))
            .collect();
        mine.sort_by_key(|(_, e)| e.serial);
        let more = mine.len() > size;
        mine.truncate(size);
        Ok(lro::ListOperationsResponse {
            next_page_token: match (more, mine.last()) {
                (true, Some((_, e))) => e.serial.to_string(),
                _ => String::new(),
            },
            operations: mine.iter().map(|(n, e)| e.operation(n)).collect(),
            unreachable: Vec::new(),
        })
    }

    /// Asks operation `name` to stop (its solve stops within about a second; it ends with
    /// CANCELLED). A finished one is left as it is.
    pub fn cancel(&self, name: &str, owner: Option<&[u8]>) -> Result<(), Status> {
        let store = lock(&self.store);
        let entry = self.owned(&store, name, owner)?;
        if entry.result.is_none() {
            entry.cancel.cancel();
            tracing::info!(operation = %name, "operation cancel asked");
        }
        Ok(())
    }

    /// Forgets operation `name`; one still running is cancelled first, as nobody could
    /// read its answer.
    pub fn delete(&self, name: &str, owner: Option<&[u8]>) -> Result<(), Status> {
        let mut store = lock(&self.store);
        self.owned(&store, name, owner)?;
        if let Some(entry) = store.held.remove(name) {
            entry.cancel.cancel();
            store.bytes -= entry.bytes;
            tracing::info!(operation = %name, "operation deleted");
        }
        Ok(())
    }

    /// Operation `name` once it is done, or as it stands after `timeout`.
    pub async fn wait(
        &self,
        name: &str,
        owner: Option<&[u8]>,
        timeout: Duration,
    ) -> Result<lro::Operation, Status> {
        let mut done = {
            let store = lock(&self.store);
            self.owned(&store, name, owner)?.done.subscribe()
        };
        // A deleted operation drops its sender: the wait ends and the get below says so.
        let _ = tokio::time::timeout(timeout, done.wait_for(|&d| d)).await;
        self.get(name, owner)
    }

    /// Drops finished operations kept longer than the time to live.
    pub fn expire(&self) {
        let mut store = lock(&self.store);
        let ttl = self.limits.ttl;
        let now = Instant::now();
        let old: Vec<String> = store
            .held
            .iter()
            .filter(|(_, e)| e.ended.is_some_and(|t| now.duration_since(t) > ttl))
            .map(|(n, _)| n.clone())
            .collect();
        for name in old {
            if let Some(e) = store.held.remove(&name) {
                store.bytes -= e.bytes;
                tracing::info!(operation = %name, "operation expired");
            }
        }
    }

    /// Expires old operations every few seconds for as long as the server runs.
    pub fn sweep_in_background(&self) {
        let operations = self.clone();
        let every = (self.limits.ttl / 4).clamp(Duration::from_millis(50), Duration::from_secs(5));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                operations.expire();
            }
        });
    }

    fn owned<'a>(
        &self,
        store: &'a Store,
        name: &str,
        owner: Option<&[u8]>,
    ) -> Result<&'a Entry, Status> {
        match store.held.get(name) {
            Some(e) if may_use(e.owner.as_deref(), owner) => Ok(e),
            _ => Err(self.not_found(name)),
        }
    }

    fn not_found(&self, name: &str) -> Status {
        let shown: String = name.chars().take(60).collect();
        let instance = name
            .strip_prefix(COLLECTION)
            .and_then(|rest| rest.split_once('-'))
            .map(|(instance, _)| instance);
        match instance {
            Some(i) if i.len() == self.instance.len() && i != self.instance => {
                Status::not_found(format!(
                    "operation `{shown}` was lost: the server restarted since it was \
                     submitted (operations live in its memory); submit it again"
                ))
            }
            _ => Status::not_found(format!(
                "no operation `{shown}` for this token (deleted, expired after the server's \
                 --operation-ttl-s, or never submitted)"
            )),
        }
    }
}

/// Room for a new operation of `bytes`: finished operations are dropped, oldest first,
/// until it fits; RESOURCE_EXHAUSTED naming the limit when the running ones alone fill it.
fn make_room(store: &mut Store, limits: &OperationLimits, bytes: u64) -> Result<(), Status> {
    let mut finished: Vec<(u64, String)> = store
        .held
        .iter()
        .filter(|(_, e)| e.result.is_some())
        .map(|(n, e)| (e.serial, n.clone()))
        .collect();
    finished.sort();
    let mut finished = finished.into_iter();
    while store.held.len() >= limits.max_operations || store.bytes + bytes > limits.max_bytes {
        let Some((_, name)) = finished.next() else {
            super::metrics::refused("operations");
            return Err(if store.held.len() >= limits.max_operations {
                Status::resource_exhausted(format!(
                    "{} operations are running or queued, the server's limit \
                     (--max-operations {}); wait for one to finish or cancel one",
                    store.held.len(),
                    limits.max_operations
                ))
            } else {
                Status::resource_exhausted(format!(
                    "running operations hold {} MB; this one would add {} MB, above the \
                     server's limit of {} MB (--max-operation-mb)",
                    store.bytes.div_ceil(1_000_000),
                    bytes.div_ceil(1_000_000),
                    limits.max_bytes / 1_000_000
                ))
            });
        };
        if let Some(e) = store.held.remove(&name) {
            store.bytes -= e.bytes;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
