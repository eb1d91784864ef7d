//! Datasets: the raw, as-written form ([`raw`]), reading a dataset folder into it
//! ([`folder`]), and converting it into the validated [`crate::Dataset`] ([`validate`]).

pub mod folder;
pub mod raw;
pub mod validate;
pub mod write;

pub use folder::read_folder;
pub use raw::RawDataset;
pub use validate::validate;
pub use write::write_folder;

use crate::{Dataset, Error};
use std::path::Path;

/// Reads and validates a dataset folder in one go.
pub fn load(dir: &Path) -> Result<Dataset, Error> {
    let raw = read_folder(dir)?;
    validate(&raw).map_err(Error::Invalid)
}
