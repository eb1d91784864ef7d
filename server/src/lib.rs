//! circulate's server side: the gRPC service over the optimizer library ([`grpc`]) and batch
//! runs over many regional datasets ([`batch`]). The `circulate` binary (main.rs) adds the CLI
//! subcommands.

pub mod batch;
pub mod grpc;
