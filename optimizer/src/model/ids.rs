//! Identifiers and units as newtypes, so a site id is never passed where a material id is
//! expected and tonnes are never added to kilometres.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// An id shares its text: results name a site or material once per flow, and at a million
/// flows a copied `String` per name was 4 allocations per flow and about 0.1 GB of the peak.
macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Arc<str>);

        impl $name {
            /// The id as written.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s.into())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.into())
            }
        }
    };
}

string_id!(
    /// A site's (enterprise's, facility's) id as written in `sites.csv`.
    SiteId
);
string_id!(
    /// A material's id as written in `materials.csv`.
    MaterialId
);
string_id!(
    /// A process's id as written in `processes.csv`.
    ProcessId
);

macro_rules! index {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub(crate) u32);

        impl $name {
            /// The handle of position `i`. Positions are `u32` inside the library (at a
            /// million listings the arc arrays are the largest thing in memory).
            ///
            /// # Panics
            /// When `i` does not fit in a `u32`: validation caps every table far below that.
            #[inline]
            pub fn new(i: usize) -> Self {
                Self(u32::try_from(i).expect("index fits in u32"))
            }

            /// The position as a `usize`, for slicing.
            #[inline]
            pub fn get(self) -> usize {
                self.0 as usize
            }
        }
    };
}
pub(crate) use index;

index!(
    /// Position of a site in [`crate::Dataset::sites`].
    SiteIdx
);
index!(
    /// Position of a material in [`crate::Dataset::materials`].
    MaterialIdx
);
index!(
    /// Position of a supply in [`crate::Dataset::supplies`].
    SupplyIdx
);
index!(
    /// Position of a demand in [`crate::Dataset::demands`].
    DemandIdx
);
index!(
    /// Position of a process in [`crate::Dataset::processes`].
    ProcessIdx
);

/// A mass in tonnes (for streams, tonnes per year).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tonnes(pub f64);

/// A distance in kilometres.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Km(pub f64);
