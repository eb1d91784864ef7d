//! circulate's application side: the gRPC service over the optimizer library ([`grpc`])
//! and the same calls as JSON over HTTP ([`rest`]),
//! batch runs over many regional datasets ([`batch`]), the HTML report a planner opens
//! ([`html`]), results folders published in one step ([`publish`]) and the one number
//! formatter of pages and terminal ([`format`]). The `circulate` binary (main.rs) adds the
//! CLI subcommands.

pub mod batch;
pub mod format;
pub mod grpc;
pub mod html;
pub mod publish;
pub mod rest;
