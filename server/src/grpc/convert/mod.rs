//! The one conversion layer between the API and the optimizer: requests in ([`request`]),
//! their options and deadline ([`options`]), results out ([`response`]). Every conversion
//! destructures its message whole, so a field added to the proto fails to compile until it
//! is carried.

mod options;
mod request;
mod response;

pub use options::{FieldViolation, deadline, match_request, solve_request};
pub use request::{field_path, raw_dataset, raw_match_dataset, violations};
pub use response::{chunks, match_batch_response, matches, status, unmatched};
