//! Idempotent calls (AIP-155): a request that carries a `request_id` is solved once per
//! token and RPC. A repeat within the time to live gets the stored answer; one that arrives
//! while the first still runs waits for it; a repeat with the same id and another body gets
//! ALREADY_EXISTS. Only successful answers are kept (a refused or failed call can be retried
//! for real), as encoded protobuf, and the store is bounded in entries and bytes (the oldest
//! go first; an answer larger than the whole budget is not kept). A first call that is
//! abandoned midway leaves nothing behind: a waiting repeat then runs the call itself.

use super::metrics;
use super::status::violation;
use prost::Message;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tonic::Status;

/// Longest `request_id` (a UUID's length).
pub const MAX_REQUEST_ID: usize = 36;

/// Bounds of the store.
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyLimits {
    /// How long an answer is kept.
    pub ttl: Duration,
    /// Answers kept at most.
    pub max_entries: usize,
    /// Bytes of encoded answers kept at most.
    pub max_bytes: usize,
}

impl Default for IdempotencyLimits {
    fn default() -> Self {
        IdempotencyLimits {
            ttl: Duration::from_secs(600),
            max_entries: 1024,
            max_bytes: 256 << 20,
        }
    }
}

/// A first call's outcome as its waiters see it: `None` while it runs.
type Outcome = Option<Result<Arc<Vec<u8>>, Status>>;

enum Entry {
    Running {
        fingerprint: u64,
        done: watch::Receiver<Outcome>,
    },
    Done {
        fingerprint: u64,
        answer: Arc<Vec<u8>>,
        stored: Instant,
    },
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    owner: u64,
    rpc: &'static str,
    request_id: String,
}

#[derive(Default)]
struct Store {
    entries: HashMap<Key, Entry>,
    bytes: usize,
}

/// The store of answers by request id; cloned handles share it.
#[derive(Clone)]
pub struct Idempotency {
    store: Arc<Mutex<Store>>,
    limits: IdempotencyLimits,
    /// Keys the hashes of tokens and bodies, so neither can be chosen to collide.
    hasher: std::collections::hash_map::RandomState,
}

impl std::fmt::Debug for Idempotency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Idempotency")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// What [`Idempotency::begin`] found.
enum Begin {
    Stored(Arc<Vec<u8>>),
    Wait(watch::Receiver<Outcome>),
    Run(watch::Sender<Outcome>),
}

/// Removes a running entry whose call was dropped before it ended; its waiters see the
/// sender go and run the call themselves.
struct Abandoned<'a> {
    idempotency: &'a Idempotency,
    key: Option<Key>,
}

impl Drop for Abandoned<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let mut store = self.idempotency.lock();
            if matches!(store.entries.get(&key), Some(Entry::Running { .. })) {
                store.entries.remove(&key);
            }
        }
    }
}

impl Idempotency {
    pub fn new(limits: IdempotencyLimits) -> Self {
        Idempotency {
            store: Arc::default(),
            limits,
            hasher: Default::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic while the lock was held leaves a consistent map (every change is one
        // insert or remove), so a poisoned lock is still usable.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn hash(&self, bytes: &[u8]) -> u64 {
        let mut h = self.hasher.build_hasher();
        h.write(bytes);
        h.finish()
    }

    /// Runs `call` once for (`owner`, `rpc`, `request_id`) as the module header says, the
    /// `request` (encoded) telling a repeat from another body; an empty `request_id` runs
    /// it every time.
    pub async fn once<Resp, F, Fut>(
        &self,
        owner: Option<&[u8]>,
        rpc: &'static str,
        request: &[u8],
        request_id: &str,
        call: F,
    ) -> Result<Resp, Status>
    where
        Resp: Message + Default,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Resp, Status>>,
    {
        if request_id.is_empty() {
            return call().await;
        }
        check(request_id)?;
        let key = Key {
            owner: self.hash(owner.unwrap_or_default()),
            rpc,
            request_id: request_id.to_string(),
        };
        let fingerprint = self.hash(request);
        let mut call = Some(call);
        loop {
            match self.begin(&key, fingerprint)? {
                Begin::Stored(answer) => {
                    metrics::idempotent(rpc, "replayed");
                    return decode(&answer);
                }
                Begin::Wait(mut done) => {
                    metrics::idempotent(rpc, "waited");
                    // The sender going away without an outcome: the first call was
                    // abandoned; look again (and run it here if nobody else does).
                    let outcome = done.wait_for(Option::is_some).await.map(|o| o.clone());
                    match outcome {
                        Ok(Some(Ok(answer))) => return decode(&answer),
                        Ok(Some(Err(status))) => return Err(status),
                        _ => continue,
                    }
                }
                Begin::Run(done) => {
                    let mut guard = Abandoned {
                        idempotency: self,
                        key: Some(key.clone()),
                    };
                    let call = call.take().expect("a call runs at most once");
                    let result = call().await;
                    guard.key = None;
                    let outcome = match &result {
                        Ok(answer) => Ok(self.store_answer(&key, fingerprint, answer)),
                        Err(status) => {
                            self.lock().entries.remove(&key);
                            Err(status.clone())
                        }
                    };
                    let _ = done.send(Some(outcome));
                    return result;
                }
            }
        }
    }

    fn begin(&self, key: &Key, fingerprint: u64) -> Result<Begin, Status> {
        let mut store = self.lock();
        let now = Instant::now();
        let ttl = self.limits.ttl;
        let mut freed = 0;
        store.entries.retain(|_, e| match e {
            Entry::Done { stored, answer, .. } if now.duration_since(*stored) > ttl => {
                freed += answer.len();
                false
            }
            _ => true,
        });
        store.bytes -= freed;
        let conflict = || {
            metrics::idempotent(key.rpc, "conflict");
            Status::already_exists(format!(
                "request_id {:?} was used for a different request in the last {} s",
                key.request_id,
                ttl.as_secs()
            ))
        };
        match store.entries.get(key) {
            Some(Entry::Done {
                fingerprint: f,
                answer,
                ..
            }) => {
                if *f != fingerprint {
                    return Err(conflict());
                }
                Ok(Begin::Stored(answer.clone()))
            }
            Some(Entry::Running {
                fingerprint: f,
                done,
            }) => {
                if *f != fingerprint {
                    return Err(conflict());
                }
                Ok(Begin::Wait(done.clone()))
            }
            None => {
                let (send, done) = watch::channel(None);
                store
                    .entries
                    .insert(key.clone(), Entry::Running { fingerprint, done });
                Ok(Begin::Run(send))
            }
        }
    }

    /// Keeps `answer` (evicting the oldest past the bounds) and returns it encoded.
    fn store_answer<Resp: Message>(
        &self,
        key: &Key,
        fingerprint: u64,
        answer: &Resp,
    ) -> Arc<Vec<u8>> {
        let encoded = Arc::new(answer.encode_to_vec());
        let mut store = self.lock();
        if encoded.len() > self.limits.max_bytes {
            store.entries.remove(key);
            metrics::idempotent(key.rpc, "too_large");
            return encoded;
        }
        while store.bytes + encoded.len() > self.limits.max_bytes
            || store.entries.len() > self.limits.max_entries
        {
            let oldest = store
                .entries
                .iter()
                .filter_map(|(k, e)| match e {
                    Entry::Done { stored, .. } => Some((*stored, k.clone())),
                    Entry::Running { .. } => None,
                })
                .min_by_key(|(stored, _)| *stored);
            let Some((_, oldest)) = oldest else { break };
            if let Some(Entry::Done { answer, .. }) = store.entries.remove(&oldest) {
                store.bytes -= answer.len();
            }
            metrics::idempotent(key.rpc, "evicted");
        }
        store.bytes += encoded.len();
        store.entries.insert(
            key.clone(),
            Entry::Done {
                fingerprint,
                answer: encoded.clone(),
                stored: Instant::now(),
            },
        );
        metrics::idempotent(key.rpc, "stored");
        metrics::idempotency_bytes(store.bytes);
        encoded
    }
}

fn check(request_id: &str) -> Result<(), Status> {
    if request_id.len() > MAX_REQUEST_ID || !request_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(violation(
            "request_id",
            &format!("must be 1 to {MAX_REQUEST_ID} printable ASCII characters (a UUID)"),
        ));
    }
    Ok(())
}

fn decode<Resp: Message + Default>(answer: &[u8]) -> Result<Resp, Status> {
    Resp::decode(answer).map_err(|e| Status::internal(format!("a stored answer: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn limits() -> IdempotencyLimits {
        IdempotencyLimits {
            ttl: Duration::from_secs(600),
            max_entries: 3,
            max_bytes: 1 << 20,
        }
    }

    /// A call that counts its runs and answers with its argument.
    async fn call(
        store: &Idempotency,
        runs: &AtomicUsize,
        owner: &[u8],
        id: &str,
        body: &str,
    ) -> Result<String, Status> {
        let body = body.to_string();
        store
            .once(Some(owner), "Test", body.as_bytes(), id, || async {
                runs.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(format!("answer to {body}"))
            })
            .await
    }

    #[tokio::test]
    async fn a_repeat_is_answered_once_and_a_different_body_conflicts() {
        let store = Idempotency::new(limits());
        let runs = AtomicUsize::new(0);
        let (a, b) = tokio::join!(
            call(&store, &runs, b"t", "id-1", "x"),
            call(&store, &runs, b"t", "id-1", "x")
        );
        assert_eq!(a.unwrap(), "answer to x");
        assert_eq!(b.unwrap(), "answer to x");
        assert_eq!(
            call(&store, &runs, b"t", "id-1", "x").await.unwrap(),
            "answer to x"
        );
        assert_eq!(runs.load(Ordering::SeqCst), 1, "solved once");
        let err = call(&store, &runs, b"t", "id-1", "y").await.unwrap_err();
        assert_eq!(err.code(), tonic::Code::AlreadyExists);
        // Another token, or no id: its own call.
        call(&store, &runs, b"u", "id-1", "y").await.unwrap();
        call(&store, &runs, b"t", "", "x").await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn failures_are_not_kept_and_bad_ids_are_refused() {
        let store = Idempotency::new(limits());
        let runs = AtomicUsize::new(0);
        let failing = || async {
            runs.fetch_add(1, Ordering::SeqCst);
            Err::<String, _>(Status::resource_exhausted("busy"))
        };
        let body = "x".to_string();
        for _ in 0..2 {
            let err = store
                .once(None, "Test", body.as_bytes(), "f", failing)
                .await
                .unwrap_err();
            assert_eq!(err.code(), tonic::Code::ResourceExhausted);
        }
        assert_eq!(
            runs.load(Ordering::SeqCst),
            2,
            "a failure is retried for real"
        );
        for bad in ["x".repeat(37), "has space".to_string(), "é".to_string()] {
            let err = call(&store, &runs, b"t", &bad, "x").await.unwrap_err();
            assert_eq!(err.code(), tonic::Code::InvalidArgument, "{bad}");
        }
    }

    #[tokio::test]
    async fn the_store_stays_within_its_bounds() {
        let store = Idempotency::new(limits());
        let runs = AtomicUsize::new(0);
        for i in 0..10 {
            call(&store, &runs, b"t", &format!("id-{i}"), "x")
                .await
                .unwrap();
        }
        assert!(store.lock().entries.len() <= 4);
        // The newest is still answered from the store, the oldest is solved again.
        let before = runs.load(Ordering::SeqCst);
        call(&store, &runs, b"t", "id-9", "x").await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), before);
        call(&store, &runs, b"t", "id-0", "x").await.unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), before + 1);
    }

    #[tokio::test]
    async fn an_abandoned_first_call_lets_the_repeat_run() {
        let store = Idempotency::new(limits());
        let runs = AtomicUsize::new(0);
        let first = tokio::time::timeout(
            Duration::from_millis(10),
            call(&store, &runs, b"t", "id-a", "x"),
        )
        .await;
        assert!(first.is_err(), "abandoned");
        assert!(store.lock().entries.is_empty(), "nothing left behind");
        assert_eq!(
            call(&store, &runs, b"t", "id-a", "x").await.unwrap(),
            "answer to x"
        );
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }
}
