//! A request's solve options and deadline into the library's named [`SolveRequest`]: the
//! proto's options, and the client's `grpc-timeout` header as the deadline that caps the
//! time limit.

use crate::grpc::pb;
use optimizer::{Algorithm, SolveRequest};
use std::time::Duration;
use tonic::metadata::MetadataMap;

/// One invalid field of a request: its path and what is wrong (INVALID_ARGUMENT with a
/// `BadRequest` violation, see `grpc::status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    /// The field path, e.g. `options.time_limit_s`.
    pub field: &'static str,
    /// What is wrong with it.
    pub description: String,
}

/// The client's deadline, from the `grpc-timeout` header (e.g. `500m`, `2S`).
pub fn deadline(metadata: &MetadataMap) -> Option<Duration> {
    let v = metadata.get("grpc-timeout")?.to_str().ok()?;
    let (n, unit) = v.split_at(v.len().checked_sub(1)?);
    let n: u64 = n.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n.saturating_mul(3600)),
        "M" => Duration::from_secs(n.saturating_mul(60)),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// The solve an `OptimizeRequest` asks for.
pub fn solve_request(
    options: Option<pb::SolveOptions>,
    deadline: Option<Duration>,
) -> Result<SolveRequest, FieldViolation> {
    let pb::SolveOptions {
        k,
        exact,
        no_pricing,
        time_limit_s,
        mip_gap,
        value_openings,
        alternatives,
        within,
        cost_ranging,
        // Read by the handler: the library does not write Valueflows.
        valueflows: _,
    } = options.unwrap_or_default();
    Ok(SolveRequest {
        k: k as usize,
        exact,
        pricing: !no_pricing,
        time_limit: checked_time_limit(time_limit_s)?,
        deadline,
        algorithm: Algorithm::Auto,
        mip_gap: checked_mip_gap(mip_gap)?,
        value_openings,
        cost_ranging,
        alternatives: optimizer::check_alternatives(alternatives as usize).map_err(
            |description| FieldViolation {
                field: "options.alternatives",
                description,
            },
        )?,
        within: within
            .map(optimizer::check_within)
            .transpose()
            .map_err(|description| FieldViolation {
                field: "options.within",
                description,
            })?,
    })
}

/// The solve a `MatchBatchRequest` asks for (its chunk size is the stream's, not the
/// solve's).
pub fn match_request(
    options: Option<pb::MatchOptions>,
    deadline: Option<Duration>,
) -> Result<SolveRequest, FieldViolation> {
    let pb::MatchOptions {
        k,
        exact,
        no_pricing,
        time_limit_s,
        chunk_size: _,
    } = options.unwrap_or_default();
    solve_request(
        Some(pb::SolveOptions {
            k,
            exact,
            no_pricing,
            time_limit_s,
            mip_gap: None,
            value_openings: false,
            alternatives: 0,
            within: None,
            valueflows: false,
            cost_ranging: false,
        }),
        deadline,
    )
}

/// A requested MIP gap, checked by the library's one rule.
fn checked_mip_gap(gap: Option<f64>) -> Result<Option<f64>, FieldViolation> {
    gap.map(optimizer::check_mip_gap)
        .transpose()
        .map_err(|description| FieldViolation {
            field: "options.mip_gap",
            description,
        })
}

/// A requested time limit, checked by the library's one rule.
fn checked_time_limit(seconds: Option<f64>) -> Result<Option<f64>, FieldViolation> {
    seconds
        .map(optimizer::check_time_limit)
        .transpose()
        .map_err(|description| FieldViolation {
            field: "options.time_limit_s",
            description,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_timeout(value: &str) -> MetadataMap {
        let mut metadata = MetadataMap::new();
        metadata.insert("grpc-timeout", value.parse().expect("ascii"));
        metadata
    }

    #[test]
    fn grpc_timeouts_in_every_unit_and_junk_ignored() {
        let cases = [
            ("2H", Some(Duration::from_secs(7200))),
            ("3M", Some(Duration::from_secs(180))),
            ("5S", Some(Duration::from_secs(5))),
            ("500m", Some(Duration::from_millis(500))),
            ("7u", Some(Duration::from_micros(7))),
            ("9n", Some(Duration::from_nanos(9))),
            ("5x", None),
            ("S", None),
            ("-1S", None),
        ];
        for (value, expected) in cases {
            assert_eq!(deadline(&with_timeout(value)), expected, "{value}");
        }
        assert_eq!(deadline(&MetadataMap::new()), None);
    }

    #[test]
    fn a_time_limit_that_is_no_number_of_seconds_names_its_field() {
        let options = pb::SolveOptions {
            time_limit_s: Some(f64::NAN),
            ..Default::default()
        };
        let e = solve_request(Some(options), None).unwrap_err();
        assert_eq!(e.field, "options.time_limit_s");
        let request = solve_request(None, Some(Duration::from_secs(10))).expect("valid");
        assert!(request.pricing && request.deadline.is_some());
    }
}
