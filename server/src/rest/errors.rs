//! Errors over HTTP: a gRPC status as `google.rpc.Status` JSON (code, message and its
//! details, the `BadRequest` field violations of invalid input), under the HTTP status the
//! gRPC transcoding table (google/rpc/code.proto) gives its code.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;
use tonic::{Code, Status};
use tonic_types::StatusExt;

/// The gRPC code an answer carries (kept for the metrics).
#[derive(Debug, Clone, Copy)]
struct GrpcCode(i32);

/// The HTTP status of a gRPC code.
pub fn http_status(code: Code) -> StatusCode {
    match code {
        Code::Ok => StatusCode::OK,
        Code::Cancelled => StatusCode::from_u16(499).expect("499 is a valid status"),
        Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => {
            StatusCode::BAD_REQUEST
        }
        Code::DeadlineExceeded => StatusCode::GATEWAY_TIMEOUT,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::AlreadyExists | Code::Aborted => StatusCode::CONFLICT,
        Code::PermissionDenied => StatusCode::FORBIDDEN,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::ResourceExhausted => StatusCode::TOO_MANY_REQUESTS,
        Code::Unimplemented => StatusCode::NOT_IMPLEMENTED,
        Code::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Code::Unknown | Code::Internal | Code::DataLoss => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// `status` as `google.rpc.Status` JSON.
pub fn status_json(status: &Status) -> serde_json::Value {
    let mut details = Vec::new();
    if let Some(bad) = status.get_error_details().bad_request() {
        let violations: Vec<_> = bad
            .field_violations
            .iter()
            .map(|v| json!({"field": v.field, "description": v.description}))
            .collect();
        details.push(json!({
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": violations
        }));
    }
    json!({"code": status.code() as i32, "message": status.message(), "details": details})
}

/// The HTTP answer for `status`.
pub fn response(status: &Status) -> Response {
    let body = status_json(status).to_string();
    let mut response = (
        http_status(status.code()),
        [(http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    response
        .extensions_mut()
        .insert(GrpcCode(status.code() as i32));
    response
}

/// An error found before any call was chosen (no route, wrong method).
pub fn plain(status: StatusCode, message: &str) -> Response {
    let code = match status {
        StatusCode::NOT_FOUND => Code::NotFound,
        _ => Code::Unimplemented,
    };
    let mut response = self::response(&Status::new(code, message));
    *response.status_mut() = status;
    response
}

/// The gRPC code of an answer made here (OK for a success).
pub fn grpc_code(response: &Response) -> i32 {
    response.extensions().get::<GrpcCode>().map_or(0, |c| c.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_violations_come_through() {
        let status = crate::grpc::status::violation("options.within", "must be at most 10");
        let json = status_json(&status);
        assert_eq!(json["code"], 3);
        assert_eq!(
            json["details"][0]["fieldViolations"][0]["field"],
            "options.within"
        );
        assert_eq!(http_status(status.code()), StatusCode::BAD_REQUEST);
        assert_eq!(
            http_status(Code::ResourceExhausted),
            StatusCode::TOO_MANY_REQUESTS
        );
    }
}
