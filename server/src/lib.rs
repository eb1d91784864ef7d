//! circulate's server side: the gRPC service over the optimizer library ([`grpc`]), batch
//! runs over many regional datasets ([`batch`]), and results folders published in one step
//! ([`publish`]). The `circulate` binary (main.rs) adds the CLI
//! subcommands.

pub mod batch;
pub mod grpc;
pub mod publish;
