//! Builds datasets from the EU PRTR public register ([`register`], reading its files in
//! `files`) through a mapping file of activity codes to materials, needs and processes
//! ([`mapping`]).

mod files;

// The mapping's fields are the keys of `datasets/prtr-mapping.toml`, documented in that file.
#[allow(missing_docs)]
pub mod mapping;
pub mod register;

pub use mapping::Mapping;
pub use register::{ImportReport, Projection, import};
