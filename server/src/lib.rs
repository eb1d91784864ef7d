//! circulate's server side: the gRPC service over the optimizer library ([`grpc`]). The
//! `circulate` binary (main.rs) adds the CLI subcommands.

pub mod grpc;
