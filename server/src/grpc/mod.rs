//! The gRPC service: generated code ([`pb`]), the conversion layer ([`convert`]), the one
//! map from library errors to statuses ([`status`]), admission by estimated memory
//! ([`admission`]) into lanes of slots and pools ([`lanes`]), the thin handlers
//! ([`service`]), answers kept for retried request ids ([`idempotency`]), long-running
//! operations ([`operations`], their calls in `submit`), and the server
//! around them ([`server`]) with its tokens ([`auth`]), metrics and logs ([`metrics`],
//! [`observe`]).

pub mod admission;
pub mod auth;
pub mod convert;
pub mod idempotency;
pub mod lanes;
pub mod metrics;
pub mod observe;
pub mod operations;
pub mod server;
pub mod service;
pub mod sessions;
pub mod status;
mod submit;
mod what_if;

/// The lock of one of the service's stores (sessions, operations). Every update of them is
/// one step under the lock, so a panic while holding it leaves the store whole and a
/// poisoned lock is taken as it is.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Code generated from `proto/circulate/v1/circulate.proto` and the googleapis files it
/// imports (`google.longrunning` for operations, `google.rpc.Status` for their errors),
/// nested by package as the generated paths expect; `circulate.v1` is re-exported here.
#[allow(clippy::all, missing_debug_implementations, unreachable_pub)]
pub mod pb {
    pub mod circulate {
        pub mod v1 {
            tonic::include_proto!("circulate.v1");
        }
    }
    pub mod google {
        pub mod api {
            tonic::include_proto!("google.api");
        }
        pub mod longrunning {
            tonic::include_proto!("google.longrunning");
        }
        pub mod rpc {
            tonic::include_proto!("google.rpc");
        }
    }
    pub use circulate::v1::*;
    /// The encoded descriptor set, for server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/circulate_descriptor.bin"));
}
