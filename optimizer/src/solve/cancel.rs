//! Stopping a solve from another thread: a client that went away, a server shutting down.
//! Every long loop of the solve layer looks at the token at least every second.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag that stops a solve from another thread. Clones share it; a child also stops when
/// its parent does (a request's token under the server's shutdown token).
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    own: Arc<AtomicBool>,
    parent: Option<Arc<AtomicBool>>,
}

impl CancelToken {
    /// A fresh token.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// A token that is cancelled with this one, or on its own.
    pub fn child(&self) -> Self {
        CancelToken {
            own: Arc::new(AtomicBool::new(false)),
            parent: Some(self.own.clone()),
        }
    }

    /// Asks every loop that watches this token to stop.
    pub fn cancel(&self) {
        self.own.store(true, Ordering::Relaxed);
    }

    /// Whether the solve should stop.
    pub fn is_cancelled(&self) -> bool {
        self.own.load(Ordering::Relaxed)
            || self
                .parent
                .as_ref()
                .is_some_and(|p| p.load(Ordering::Relaxed))
    }
}
