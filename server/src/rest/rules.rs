//! The HTTP binding of each RPC, generated from its `google.api.http` option, and the
//! matching of a request's method and path against them.

/// One RPC's HTTP binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpRule {
    /// The RPC's name (`MatchBatch`).
    pub rpc: &'static str,
    /// `GET`, `POST`, `DELETE`, ...
    pub method: &'static str,
    /// The path template, `{field}` for a variable (one segment, up to a `/` or `:`).
    pub path: &'static str,
    /// `*` when the body is the whole request, empty when there is none.
    pub body: &'static str,
    /// Full names of the request and response messages.
    pub input: &'static str,
    pub output: &'static str,
    /// Answers as a stream (NDJSON over HTTP).
    pub server_streaming: bool,
}

include!(concat!(env!("OUT_DIR"), "/http_rules.rs"));

impl HttpRule {
    /// The template's variables as (field, value) when `path` matches it.
    pub fn matches(&self, path: &str) -> Option<Vec<(&'static str, String)>> {
        let mut variables = Vec::new();
        let (mut template, mut rest) = (self.path, path);
        while !template.is_empty() {
            if let Some(after) = template.strip_prefix('{') {
                let (inside, after) = after.split_once('}')?;
                let (name, pattern) = inside.split_once('=').unwrap_or((inside, "*"));
                let end = taken(pattern, rest)?;
                variables.push((name, rest[..end].to_string()));
                (template, rest) = (after, &rest[end..]);
            } else {
                let literal = template.find('{').unwrap_or(template.len());
                rest = rest.strip_prefix(&template[..literal])?;
                template = &template[literal..];
            }
        }
        rest.is_empty().then_some(variables)
    }
}

/// How much of `path` a variable's pattern takes: each literal segment itself, `*` one
/// segment (up to a `/` or `:`), `**` the rest up to a custom verb's `:`; None when it does
/// not match or a segment would be empty.
fn taken(pattern: &str, path: &str) -> Option<usize> {
    let mut used = 0;
    for (i, segment) in pattern.split('/').enumerate() {
        if i > 0 {
            path[used..].strip_prefix('/')?;
            used += 1;
        }
        let rest = &path[used..];
        let len = match segment {
            "*" => rest.find(['/', ':']).unwrap_or(rest.len()),
            "**" => rest.find(':').unwrap_or(rest.len()),
            literal => {
                let after = rest.strip_prefix(literal)?;
                if !(after.is_empty() || after.starts_with(['/', ':'])) {
                    return None;
                }
                literal.len()
            }
        };
        if len == 0 {
            return None;
        }
        used += len;
    }
    Some(used)
}

/// The rule serving `method` at `path`, with its variables.
pub fn find(method: &str, path: &str) -> Option<(&'static HttpRule, Vec<(&'static str, String)>)> {
    RULES
        .iter()
        .filter(|r| r.method == method)
        .find_map(|r| r.matches(path).map(|v| (r, v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rpc_has_a_route() {
        let service = crate::grpc::pb::FILE_DESCRIPTOR_SET;
        let pool = prost_reflect::DescriptorPool::decode(service).expect("descriptor set");
        let rpcs: Vec<String> = pool
            .get_service_by_name("circulate.v1.Circulate")
            .expect("service")
            .methods()
            .map(|m| m.name().to_string())
            .collect();
        let routed: Vec<&str> = RULES.iter().map(|r| r.rpc).collect();
        assert_eq!(rpcs, routed[..rpcs.len()]);
        let operations = [
            "ListOperations",
            "GetOperation",
            "DeleteOperation",
            "CancelOperation",
        ];
        assert_eq!(
            routed[rpcs.len()..],
            operations,
            "WaitOperation is gRPC only"
        );
    }

    #[test]
    fn resource_names_match_their_patterns() {
        let (rule, vars) = find("GET", "/v1/operations/ab12").expect("get");
        assert_eq!(rule.rpc, "GetOperation");
        assert_eq!(vars, vec![("name", "operations/ab12".to_string())]);
        let (rule, vars) = find("POST", "/v1/operations/ab12:cancel").expect("cancel");
        assert_eq!(
            (rule.rpc, vars[0].1.as_str()),
            ("CancelOperation", "operations/ab12")
        );
        let (rule, vars) = find("GET", "/v1/operations").expect("list");
        assert_eq!(
            (rule.rpc, vars[0].1.as_str()),
            ("ListOperations", "operations")
        );
        assert_eq!(
            find("DELETE", "/v1/operations/ab12").expect("delete").0.rpc,
            "DeleteOperation"
        );
        assert!(find("GET", "/v1/operations/").is_none(), "an empty id");
        assert!(
            find("GET", "/v1/operationsx").is_none(),
            "another collection"
        );
        assert_eq!(
            find("POST", "/v1/match-batch:submit")
                .expect("submit")
                .0
                .rpc,
            "SubmitMatchBatch"
        );
    }

    #[test]
    fn paths_match_their_templates_only() {
        let (rule, vars) = find("POST", "/v1/sessions/ab12:revise").expect("revise");
        assert_eq!(rule.rpc, "Revise");
        assert_eq!(vars, vec![("session_id", "ab12".to_string())]);
        let (rule, vars) = find("DELETE", "/v1/sessions/ab12").expect("close");
        assert_eq!((rule.rpc, vars[0].1.as_str()), ("CloseSession", "ab12"));
        assert_eq!(
            find("POST", "/v1/match-batch").expect("mb").0.rpc,
            "MatchBatch"
        );
        assert_eq!(
            find("POST", "/v1/match-batch:stream")
                .expect("stream")
                .0
                .rpc,
            "MatchBatchStream"
        );
        assert!(
            find("POST", "/v1/sessions/:revise").is_none(),
            "an empty variable"
        );
        assert!(
            find("POST", "/v1/sessions/a/b:revise").is_none(),
            "two segments"
        );
        assert!(find("GET", "/v1/optimize").is_none(), "another method");
        assert!(find("POST", "/v1/optimize/").is_none(), "a trailing slash");
    }
}
