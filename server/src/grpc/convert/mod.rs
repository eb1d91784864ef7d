//! The one conversion layer between the API and the optimizer: requests in ([`request`]),
//! results out ([`response`]). Every conversion destructures its message whole, so a field
//! added to the proto fails to compile until it is carried.

mod request;
mod response;

pub use request::{field_path, raw_dataset, raw_match_dataset, violations};
pub use response::{matches, status, unmatched};
