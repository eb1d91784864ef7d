//! The one conversion layer between the API and the optimizer: requests in ([`request`]),
//! their options and deadline ([`options`]), results out ([`response`]), a what-if
//! session's changes in and plan changes out ([`changes`]). Every conversion
//! destructures its message whole, so a field added to the proto fails to compile until it
//! is carried.

mod changes;
mod options;
mod request;
mod response;

pub use changes::Listings;
pub use changes::{Problem, changes, plan_diff, record_added};
pub use options::{FieldViolation, deadline, match_request, solve_request};
pub use request::{field_path, raw_dataset, raw_dataset_at, raw_match_dataset, violations};
pub use response::{chunks, match_batch_response, matches, status, unmatched};
