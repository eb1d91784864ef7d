//! Input: the raw, as-written form of a dataset ([`raw`]), reading a dataset folder into it
//! ([`read`]), converting it into the validated [`crate::Dataset`] ([`validate`](mod@validate)), writing
//! one back ([`write`](mod@write)), building one from the PRTR register ([`prtr`]), and opening
//! a raw source file, plain or gzip ([`source`]).

mod config;
pub mod limits;
pub mod prtr;
// Every raw field is a column of the schema, documented once there ([`schema`]).
#[allow(missing_docs)]
pub mod raw;
pub mod read;
pub mod schema;
pub mod source;
pub mod validate;
pub mod write;

pub use raw::RawDataset;
pub use read::read_folder;
pub use validate::validate;
pub use write::write_folder;

use crate::model::domain::Dataset;
use crate::model::error::Error;
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
            let mut more = more;
            more.retain(|e| !unparsed.contains(&e.location));
            errors.append(more);
            Err(Error::Invalid(errors))
        }
    }
}
