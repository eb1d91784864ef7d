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
use std::collections::HashSet;
use std::path::Path;

/// Reads and validates a dataset folder in one go, reporting parse and validation problems
/// together.
pub fn load(dir: &Path) -> Result<Dataset, Error> {
    let started = std::time::Instant::now();
    let (raw, mut errors) = read_folder(dir)?;
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        "dataset files read"
    );
    let started = std::time::Instant::now();
    let validated = validate(&raw);
    tracing::debug!(
        seconds = started.elapsed().as_secs_f64(),
        "dataset validated"
    );
    match validated {
        Ok(ds) if errors.is_empty() => Ok(ds),
        Ok(_) => Err(Error::Invalid(errors)),
        Err(more) => {
            // A cell that did not parse reads as empty; its "is required" would repeat it.
            let unparsed: HashSet<_> = errors.iter().map(|e| e.location.clone()).collect();
            errors.0.extend(
                more.0
                    .into_iter()
                    .filter(|e| !unparsed.contains(&e.location)),
            );
            Err(Error::Invalid(errors))
        }
    }
}
