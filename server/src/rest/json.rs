//! The proto3 JSON mapping, through the descriptor set the server already carries for
//! reflection: a body is read into a dynamic message of the RPC's input type (JSON or proto
//! field names, enums by name or number, 64-bit integers as strings or numbers, unknown
//! fields refused) and transcoded to the generated type; an answer goes the other way, with
//! JSON field names and default values left out. prost-reflect passes the protobuf
//! conformance suite's JSON tests, and using it costs no generated code per message.

use crate::grpc::pb;
use crate::grpc::status::violation;
use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, SerializeOptions, Value};
use std::sync::OnceLock;
use tonic::Status;

fn pool() -> &'static DescriptorPool {
    static POOL: OnceLock<DescriptorPool> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(pb::FILE_DESCRIPTOR_SET)
            .expect("the descriptor set compiled into the server decodes")
    })
}

fn descriptor(full_name: &str) -> MessageDescriptor {
    pool()
        .get_message_by_name(full_name)
        .expect("the route table names messages of the same descriptor set")
}

/// The request `T` (of message type `full_name`) from a JSON body, with the path's
/// `variables` set; a body that is not valid JSON of the type is INVALID_ARGUMENT naming the
/// field where reading stopped.
pub fn decode<T: prost::Message + Default>(
    full_name: &str,
    body: &[u8],
    variables: &[(String, String)],
) -> Result<T, Status> {
    let desc = descriptor(full_name);
    let mut message = if body.iter().all(u8::is_ascii_whitespace) {
        DynamicMessage::new(desc.clone())
    } else {
        let mut reader = serde_json::Deserializer::from_slice(body);
        let mut track = serde_path_to_error::Track::new();
        let read = DynamicMessage::deserialize(
            desc.clone(),
            serde_path_to_error::Deserializer::new(&mut reader, &mut track),
        )
        .and_then(|m| reader.end().map(|()| m));
        match read {
            Ok(m) => m,
            Err(e) => {
                let path = track.path().to_string();
                let field = match path.as_str() {
                    "." | "?" | "" => "body".to_string(),
                    _ => path,
                };
                return Err(violation(&field, &e.to_string()));
            }
        }
    };
    for (name, value) in variables {
        let name = name.as_str();
        let field = desc
            .get_field_by_name(name)
            .or_else(|| desc.get_field_by_json_name(name))
            .filter(|f| !f.is_list() && !f.is_map())
            .ok_or_else(|| {
                violation(
                    name,
                    "is not a field this call takes from the path or query",
                )
            })?;
        message.set_field(&field, scalar(&field, name, value)?);
    }
    message
        .transcode_to::<T>()
        .map_err(|e| Status::internal(format!("transcoding the request: {e}")))
}

/// A path or query value as the field's type; INVALID_ARGUMENT naming it when it is not one.
fn scalar(field: &prost_reflect::FieldDescriptor, name: &str, text: &str) -> Result<Value, Status> {
    use prost_reflect::Kind;
    let bad = || violation(name, &format!("{text:?} is not a valid {:?}", field.kind()));
    Ok(match field.kind() {
        Kind::String => Value::String(text.to_string()),
        Kind::Bool => Value::Bool(text.parse().map_err(|_| bad())?),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => Value::I32(text.parse().map_err(|_| bad())?),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Value::I64(text.parse().map_err(|_| bad())?),
        Kind::Uint32 | Kind::Fixed32 => Value::U32(text.parse().map_err(|_| bad())?),
        Kind::Uint64 | Kind::Fixed64 => Value::U64(text.parse().map_err(|_| bad())?),
        Kind::Double => Value::F64(text.parse().map_err(|_| bad())?),
        Kind::Float => Value::F32(text.parse().map_err(|_| bad())?),
        _ => return Err(violation(name, "cannot be given in the path or query")),
    })
}

/// The pairs of a query string, percent-decoded (`+` as a space); a pair that does not
/// decode to UTF-8 is INVALID_ARGUMENT.
pub fn query_parameters(query: &str) -> Result<Vec<(String, String)>, Status> {
    fn decoded(text: &str) -> Option<String> {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' => {
                    let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                    out.push(u8::from_str_radix(hex, 16).ok()?);
                    i += 2;
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8(out).ok()
    }
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match (decoded(k), decoded(v)) {
                (Some(k), Some(v)) => Ok((k, v)),
                _ => Err(violation(
                    "query",
                    &format!("{pair:?} is not percent-encoded UTF-8"),
                )),
            }
        })
        .collect()
}

/// `message` (of type `full_name`) as JSON.
pub fn encode<T: prost::Message>(full_name: &str, message: &T) -> Result<Vec<u8>, Status> {
    let mut dynamic = DynamicMessage::new(descriptor(full_name));
    dynamic
        .transcode_from(message)
        .map_err(|e| Status::internal(format!("transcoding the answer: {e}")))?;
    let mut out = Vec::new();
    let mut writer = serde_json::Serializer::new(&mut out);
    dynamic
        .serialize_with_options(&mut writer, &SerializeOptions::new())
        .map_err(|e| Status::internal(format!("writing the answer as JSON: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_read_in_the_json_mapping() {
        let body =
            br#"{"offers":[{"id":"o1","material":"wood","quantityT":5,"lon":24.9,"lat":60.2}],
                        "options":{"chunk_size":30}}"#;
        let req: pb::MatchBatchRequest =
            decode("circulate.v1.MatchBatchRequest", body, &[]).expect("valid");
        assert_eq!(req.offers[0].id, "o1");
        assert_eq!(req.offers[0].quantity_t, 5.0);
        let json = encode("circulate.v1.MatchBatchRequest", &req).expect("encodes");
        let text = String::from_utf8(json).expect("utf-8");
        assert!(text.contains(r#""quantityT":5.0"#), "{text}");
    }

    #[test]
    fn a_bad_body_names_its_field() {
        let body = br#"{"offers":[{"id":"o1"},{"id":"o2","quantityT":"lots"}]}"#;
        let err = decode::<pb::MatchBatchRequest>("circulate.v1.MatchBatchRequest", body, &[])
            .expect_err("a string for a number");
        assert_eq!(err.code(), tonic::Code::InvalidArgument);
        assert!(
            err.message().starts_with("offers[1].quantityT"),
            "{}",
            err.message()
        );
        let err =
            decode::<pb::MatchBatchRequest>("circulate.v1.MatchBatchRequest", b"{\"nope\":1}", &[])
                .expect_err("an unknown field");
        assert!(err.message().contains("nope"), "{}", err.message());
        let err = decode::<pb::MatchBatchRequest>("circulate.v1.MatchBatchRequest", b"{", &[])
            .expect_err("not JSON");
        assert!(err.message().starts_with("body"), "{}", err.message());
    }

    #[test]
    fn path_variables_are_set() {
        let req: pb::ReviseRequest = decode(
            "circulate.v1.ReviseRequest",
            br#"{"changes":[{"co2Price":100}]}"#,
            &[("session_id".to_string(), "abc".to_string())],
        )
        .expect("valid");
        assert_eq!(req.session_id, "abc");
        assert_eq!(req.changes.len(), 1);
    }

    #[test]
    fn query_parameters_are_typed_and_named_when_wrong() {
        use crate::grpc::pb::google::longrunning::ListOperationsRequest;
        let pairs =
            query_parameters("pageSize=2&filter=done%3Dtrue&page_token=7").expect("decodes");
        let req: ListOperationsRequest =
            decode("google.longrunning.ListOperationsRequest", b"", &pairs).expect("valid");
        assert_eq!((req.page_size, req.filter.as_str()), (2, "done=true"));
        assert_eq!(req.page_token, "7");
        let pairs = query_parameters("pageSize=many").expect("decodes");
        let err = decode::<ListOperationsRequest>(
            "google.longrunning.ListOperationsRequest",
            b"",
            &pairs,
        )
        .expect_err("not a number");
        assert!(err.message().starts_with("pageSize"), "{}", err.message());
        let pairs = query_parameters("nope=1").expect("decodes");
        let err = decode::<ListOperationsRequest>(
            "google.longrunning.ListOperationsRequest",
            b"",
            &pairs,
        )
        .expect_err("no such field");
        assert!(err.message().starts_with("nope"), "{}", err.message());
        assert!(query_parameters("a=%ff").is_err(), "not UTF-8");
    }
}
