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

pub fn invalid(errors: &optimizer::FieldErrors) -> Status {
    let violations = convert::violations(errors);
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
    Status::with_error_details(
        tonic::Code::InvalidArgument,
        format!("{} invalid field(s): {summary}", violations.len()),
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
