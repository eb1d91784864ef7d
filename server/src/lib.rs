//! circulate's server side: the gRPC service over the optimizer library. The `circulate`
//! binary (main.rs) adds the CLI subcommands.

pub mod grpc;
pub mod serve;
