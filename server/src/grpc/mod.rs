//! The gRPC service: generated code, the conversion layer and the handlers.

pub mod convert;
pub mod service;

/// Code generated from `proto/circulate/v1/circulate.proto`.
#[allow(clippy::all, missing_debug_implementations, unreachable_pub)]
pub mod pb {
    tonic::include_proto!("circulate.v1");
    /// The encoded descriptor set, for server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/circulate_descriptor.bin"));
}
