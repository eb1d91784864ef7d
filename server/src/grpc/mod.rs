//! The gRPC service: generated code ([`pb`]), the conversion layer ([`convert`]), the one
//! map from library errors to statuses ([`status`]), admission by estimated memory
//! ([`admission`]) into lanes of slots and pools ([`lanes`]), the thin handlers
//! ([`service`]), answers kept for retried request ids ([`idempotency`]), and the server
//! around them ([`server`]) with its tokens ([`auth`]), metrics and logs ([`metrics`],
//! [`observe`]).

pub mod admission;
pub mod auth;
pub mod convert;
pub mod idempotency;
pub mod lanes;
pub mod metrics;
pub mod observe;
pub mod server;
pub mod service;
pub mod sessions;
pub mod status;
mod what_if;

/// Code generated from `proto/circulate/v1/circulate.proto`.
#[allow(clippy::all, missing_debug_implementations, unreachable_pub)]
pub mod pb {
    tonic::include_proto!("circulate.v1");
    /// The encoded descriptor set, for server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/circulate_descriptor.bin"));
}
