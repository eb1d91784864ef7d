//! The one mapping from library errors to gRPC statuses, and the rich `BadRequest` status
//! that lists every invalid field.

use super::convert;
use optimizer::Error;
use tonic::Status;
use tonic_types::{ErrorDetails, StatusExt};

/// The one mapping from library errors to gRPC statuses.
pub fn to_status(e: Error) -> Status {
    match e {
        Error::Invalid(errors) => invalid(&errors),
        Error::Io { path, source } => Status::internal(format!("cannot read {path}: {source}")),
        Error::Solver(msg) => Status::internal(format!("solver failure: {msg}")),
    }
}

/// INVALID_ARGUMENT listing the first problems as `BadRequest` violations (field path and
/// description, both cut short) and counting the rest, so the trailers stay small however
/// much of the request is wrong.
pub fn invalid(errors: &optimizer::FieldErrors) -> Status {
    let (violations, more) = convert::violations(errors);
    let mut details = ErrorDetails::new();
    for (field, description) in &violations {
        details.add_bad_request_violation(field.clone(), description.clone());
    }
    let summary = violations
        .iter()
        .take(3)
        .map(|(f, d)| format!("{f}: {d}"))
        .collect::<Vec<_>>()
        .join("; ");
    let listed = if more > 0 {
        format!(" (the first {} listed)", violations.len())
    } else {
        String::new()
    };
    Status::with_error_details(
        tonic::Code::InvalidArgument,
        format!("{} invalid field(s){listed}: {summary}", errors.len()),
        details,
    )
}

/// INVALID_ARGUMENT for one field, with its `BadRequest` violation.
pub fn violation(field: &str, description: &str) -> Status {
    let mut details = ErrorDetails::new();
    details.add_bad_request_violation(field, description);
    Status::with_error_details(
        tonic::Code::InvalidArgument,
        format!("{field}: {description}"),
        details,
    )
}

impl From<convert::FieldViolation> for Status {
    fn from(v: convert::FieldViolation) -> Self {
        violation(v.field, &v.description)
    }
}
