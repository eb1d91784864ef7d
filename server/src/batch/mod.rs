//! Batch runs over many regional datasets: finding them ([`discover`]), taking a stable
//! share of them on one node of a cluster ([`shard`]), solving them side by side with
//! results written atomically so a killed run resumes ([`run`]), one summary row per region
//! ([`row`]) and the index page linking their reports ([`index_page`]), merging the
//! summaries of shards ([`merge`]), sweeps over one region's prices ([`sweep`]), and the
//! regions solved as one network with the exchange between them ([`exchange`]).

pub mod discover;
pub mod exchange;
pub mod index_page;
pub mod merge;
pub mod row;
pub mod run;
pub mod shard;
pub mod sweep;

pub use discover::{Region, regions_from_manifest, regions_under};
pub use merge::merge_summaries;
pub use row::RegionRow;
pub use run::{BatchOptions, BatchOutcome, Progress, run_batch};
pub use shard::Shard;
