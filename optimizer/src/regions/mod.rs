//! Regions of a dataset: statistical areas and a dataset's outline read from GeoJSON
//! ([`areas`], e.g. the NUTS-3 polygons of Eurostat) and a dataset cut into one dataset per
//! area its sites fall in ([`split`]), for batch runs over real regions; and the regions
//! joined again into one network in which flows may cross borders, with what crosses and a
//! trade ledger ([`federation`]).

pub mod areas;
pub mod federation;
pub mod split;

pub use areas::{
    Area, OUTLINE_FILE, dataset_outline, load_areas, load_outline, parse_areas, write_outline,
};
pub use split::{AreaCount, SplitReport, split_by_area};
