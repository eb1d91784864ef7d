//! The HTTP face of the service, read from the proto at build time: every RPC's
//! `google.api.http` option becomes a row of the route table the server dispatches on
//! (`http_rules.rs`) and an operation of the OpenAPI 3.1 document it serves
//! (`openapi.json`), with a JSON Schema for each message in the proto3 JSON mapping (JSON
//! field names, 64-bit integers as strings, enums by name) and the proto's comments as
//! descriptions.

use prost_reflect::{
    DescriptorPool, EnumDescriptor, FieldDescriptor, Kind, MessageDescriptor, Value,
};
use serde_json::{Map, Value as Json, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One RPC with its HTTP binding.
pub struct Rule {
    rpc: String,
    method: &'static str,
    path: String,
    body: String,
    input: MessageDescriptor,
    output: MessageDescriptor,
    server_streaming: bool,
    comment: String,
}

/// The service's annotated RPCs.
pub struct Api {
    rules: Vec<Rule>,
    service_comment: String,
}

impl Api {
    /// The rules of `service`; an RPC without an HTTP option is an error, so none is left
    /// out of the REST API by accident.
    pub fn read(pool: &DescriptorPool, service: &str) -> Result<Api, String> {
        Self::read_service(pool, service, true)
    }

    /// `self` with the annotated RPCs of a service defined elsewhere (googleapis'
    /// `google.longrunning.Operations`, whose WaitOperation has no HTTP binding and stays
    /// gRPC only).
    pub fn with(mut self, pool: &DescriptorPool, service: &str) -> Result<Api, String> {
        self.rules
            .extend(Self::read_service(pool, service, false)?.rules);
        Ok(self)
    }

    fn read_service(pool: &DescriptorPool, service: &str, every_rpc: bool) -> Result<Api, String> {
        let http = pool
            .get_extension_by_name("google.api.http")
            .ok_or("google/api/annotations.proto is not imported")?;
        let service = pool
            .get_service_by_name(service)
            .ok_or_else(|| format!("no service {service}"))?;
        let comments = Comments::of(pool);
        let mut rules = Vec::new();
        for m in service.methods() {
            let options = m.options();
            if !options.has_extension(&http) {
                if every_rpc {
                    return Err(format!("rpc {} has no google.api.http option", m.name()));
                }
                continue;
            }
            let Value::Message(rule) = options.get_extension(&http).into_owned() else {
                return Err(format!(
                    "rpc {}: google.api.http is not a message",
                    m.name()
                ));
            };
            let text = |name: &str| match rule.get_field_by_name(name).as_deref() {
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            let (method, path) = ["get", "put", "post", "delete", "patch"]
                .into_iter()
                .find(|verb| rule.has_field_by_name(verb))
                .map(|verb| (verb_name(verb), text(verb)))
                .ok_or_else(|| format!("rpc {}: no HTTP verb", m.name()))?;
            rules.push(Rule {
                rpc: m.name().to_string(),
                method,
                path,
                body: text("body"),
                input: m.input(),
                output: m.output(),
                server_streaming: m.is_server_streaming(),
                comment: comments.get(m.parent_file().name(), m.path()),
            });
        }
        Ok(Api {
            rules,
            service_comment: comments.get(service.parent_file().name(), service.path()),
        })
    }

    /// Rust source: `pub const RULES: &[HttpRule]`, for `include!` where `HttpRule` is.
    pub fn route_table(&self) -> String {
        let mut s = String::from("pub const RULES: &[HttpRule] = &[\n");
        for r in &self.rules {
            s.push_str(&format!(
                "    HttpRule {{ rpc: {:?}, method: {:?}, path: {:?}, body: {:?}, input: {:?}, output: {:?}, server_streaming: {} }},\n",
                r.rpc,
                r.method,
                r.path,
                r.body,
                r.input.full_name(),
                r.output.full_name(),
                r.server_streaming
            ));
        }
        s.push_str("];\n");
        s
    }

    /// The OpenAPI 3.1 document, pretty-printed JSON.
    pub fn document(&self, pool: &DescriptorPool, version: &str) -> String {
        let comments = Comments::of(pool);
        let mut schemas = Schemas::default();
        let mut paths: BTreeMap<String, Map<String, Json>> = BTreeMap::new();
        for r in &self.rules {
            let mut parameters: Vec<Json> = path_params(&r.path)
                .iter()
                .map(|p| {
                    json!({"name": p.openapi_name(&r.input), "in": "path", "required": true,
                           "schema": {"type": "string"}})
                })
                .collect();
            parameters.push(json!({
                "name": "timeout", "in": "header", "required": false,
                "description": "Deadline in seconds (decimal), the same as gRPC's grpc-timeout; it caps the solve's time limit.",
                "schema": {"type": "number", "minimum": 0}
            }));
            let output = schemas.reference(&r.output, &comments);
            let (media, summary_suffix) = if r.server_streaming {
                ("application/x-ndjson", " One JSON object per line.")
            } else {
                ("application/json", "")
            };
            let (summary, description) = split_comment(&r.comment);
            let mut operation = json!({
                "operationId": r.rpc,
                "summary": summary,
                "description": format!("{description}{summary_suffix}").trim().to_string(),
                "parameters": parameters,
                "responses": {
                    "200": {"description": format!("The {} answer.", r.rpc),
                            "content": {media: {"schema": output}}},
                    "default": {"description": "An error: its gRPC code, message and details (BadRequest field violations for invalid input).",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/google.rpc.Status"}}}}
                }
            });
            if r.body == "*" {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": {"application/json": {"schema": schemas.reference(&r.input, &comments)}}
                });
            }
            paths
                .entry(openapi_path(&r.path, &r.input))
                .or_default()
                .insert(r.method.to_ascii_lowercase(), operation);
        }
        let mut components = schemas.done();
        components.insert("google.rpc.Status".into(), rpc_status_schema());
        let document = json!({
            "openapi": "3.1.0",
            "info": {
                "title": "circulate",
                "version": version,
                "description": self.service_comment,
                "license": {"name": "MIT", "identifier": "MIT"}
            },
            "paths": paths,
            "components": {
                "schemas": components,
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                    "description": "The server's --tokens, when it has any."}}
            },
            "security": [{}, {"bearer": []}]
        });
        serde_json::to_string_pretty(&document).expect("JSON values serialise")
    }
}

fn verb_name(verb: &str) -> &'static str {
    match verb {
        "get" => "GET",
        "put" => "PUT",
        "post" => "POST",
        "delete" => "DELETE",
        _ => "PATCH",
    }
}

/// A variable of a path template: `{field}`, or `{field=literal/**}` whose value is the
/// whole matched text (`operations/7f3a`), as googleapis' resource names are bound.
struct PathParam {
    /// The variable as written between the braces.
    template: String,
    field: String,
    /// What follows `=`: literal segments and `*` / `**`; empty for a plain `{field}`.
    pattern: String,
}

impl PathParam {
    /// OpenAPI path parameters cannot hold a `/`, so a resource name is given as its literal
    /// segments and the id its wildcard stands for, named after the collection
    /// (`operations/{operationsId}`, as Google's discovery documents name them).
    fn openapi_segment(&self, input: &MessageDescriptor) -> String {
        if self.pattern.is_empty() {
            return format!("{{{}}}", json_name(input, &self.field));
        }
        self.pattern
            .split('/')
            .map(|segment| match segment {
                "*" | "**" => format!("{{{}}}", self.openapi_name(input)),
                literal => literal.to_string(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The OpenAPI parameter's name; a pattern without a wildcard has no parameter.
    fn openapi_name(&self, input: &MessageDescriptor) -> String {
        if self.pattern.is_empty() {
            return json_name(input, &self.field);
        }
        let collection = self
            .pattern
            .split('/')
            .take_while(|s| !s.starts_with('*'))
            .last()
            .unwrap_or("resource");
        format!("{collection}Id")
    }

    fn has_parameter(&self) -> bool {
        self.pattern.is_empty() || self.pattern.contains('*')
    }
}

/// The variables of a path template that take a value from the path.
fn path_params(path: &str) -> Vec<PathParam> {
    all_path_params(path)
        .into_iter()
        .filter(PathParam::has_parameter)
        .collect()
}

fn all_path_params(path: &str) -> Vec<PathParam> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}'))
        .map(|(inside, _)| {
            let (field, pattern) = inside.split_once('=').unwrap_or((inside, ""));
            PathParam {
                template: inside.to_string(),
                field: field.to_string(),
                pattern: pattern.to_string(),
            }
        })
        .collect()
}

/// The template with its variables by JSON name, as OpenAPI names path parameters.
fn openapi_path(path: &str, input: &MessageDescriptor) -> String {
    let mut out = path.to_string();
    for p in all_path_params(path) {
        out = out.replace(&format!("{{{}}}", p.template), &p.openapi_segment(input));
    }
    out
}

fn json_name(message: &MessageDescriptor, field: &str) -> String {
    message
        .get_field_by_name(field)
        .map_or_else(|| field.to_string(), |f| f.json_name().to_string())
}

/// The first sentence of a comment as the summary, the whole as the description.
fn split_comment(comment: &str) -> (String, String) {
    let flat = comment.split_whitespace().collect::<Vec<_>>().join(" ");
    let summary = match flat.find(". ") {
        Some(i) => flat[..=i].to_string(),
        None => flat.clone(),
    };
    (summary, flat)
}

/// Leading comments by file and descriptor path.
struct Comments(HashMap<(String, Vec<i32>), String>);

impl Comments {
    fn of(pool: &DescriptorPool) -> Comments {
        let mut map = HashMap::new();
        for file in pool.files() {
            let proto = file.file_descriptor_proto();
            let Some(info) = &proto.source_code_info else {
                continue;
            };
            for location in &info.location {
                if let Some(text) = &location.leading_comments {
                    map.insert(
                        (file.name().to_string(), location.path.clone()),
                        text.clone(),
                    );
                }
            }
        }
        Comments(map)
    }

    fn get(&self, file: &str, path: &[i32]) -> String {
        self.0
            .get(&(file.to_string(), path.to_vec()))
            .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    }
}

/// The message and enum schemas reached from the operations.
#[derive(Default)]
struct Schemas {
    done: BTreeMap<String, Json>,
    seen: BTreeSet<String>,
}

impl Schemas {
    fn reference(&mut self, message: &MessageDescriptor, comments: &Comments) -> Json {
        let name = message.full_name().to_string();
        if self.seen.insert(name.clone()) {
            let schema = self.message(message, comments);
            self.done.insert(name.clone(), schema);
        }
        json!({"$ref": format!("#/components/schemas/{name}")})
    }

    fn enum_reference(&mut self, e: &EnumDescriptor, comments: &Comments) -> Json {
        let name = e.full_name().to_string();
        if self.seen.insert(name.clone()) {
            let values: Vec<String> = e.values().map(|v| v.name().to_string()).collect();
            let comment = comments.get(e.parent_file().name(), e.path());
            let note = "By name; the numbers are accepted on input.";
            let description = format!("{comment} {note}").trim().to_string();
            let schema = json!({"type": "string", "enum": values, "description": description});
            self.done.insert(name.clone(), schema);
        }
        json!({"$ref": format!("#/components/schemas/{name}")})
    }

    fn message(&mut self, message: &MessageDescriptor, comments: &Comments) -> Json {
        let mut properties = Map::new();
        let mut oneofs: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for field in message.fields() {
            let mut schema = self.field(&field, comments);
            let comment = comments.get(field.parent_file().name(), field.path());
            if !comment.is_empty() {
                schema = with_description(schema, &comment);
            }
            if let Some(oneof) = field.containing_oneof().filter(|o| !o.is_synthetic()) {
                oneofs
                    .entry(oneof.name().to_string())
                    .or_default()
                    .push(field.json_name().to_string());
            }
            properties.insert(field.json_name().to_string(), schema);
        }
        let mut description = comments.get(message.parent_file().name(), message.path());
        for (name, fields) in &oneofs {
            description.push_str(&format!(
                " At most one of {} (`{name}`).",
                fields.join(", ")
            ));
        }
        let mut schema = json!({"type": "object", "properties": properties});
        let description = description.trim();
        if !description.is_empty() {
            schema["description"] = json!(description);
        }
        if !oneofs.is_empty() {
            // A oneof's members exclude each other: not two of them at once.
            let all: Vec<Json> = oneofs
                .values()
                .flat_map(|fields| {
                    let fields = fields.clone();
                    (0..fields.len()).flat_map(move |i| {
                        let fields = fields.clone();
                        (i + 1..fields.len())
                            .map(move |j| json!({"not": {"required": [fields[i], fields[j]]}}))
                    })
                })
                .collect();
            if !all.is_empty() {
                schema["allOf"] = json!(all);
            }
        }
        schema
    }

    fn field(&mut self, field: &FieldDescriptor, comments: &Comments) -> Json {
        if field.is_map() {
            let Kind::Message(entry) = field.kind() else {
                unreachable!("a map field is a message of entries")
            };
            let value = entry.map_entry_value_field();
            return json!({"type": "object", "additionalProperties": self.kind(&value.kind(), comments)});
        }
        let single = self.kind(&field.kind(), comments);
        if field.is_list() {
            json!({"type": "array", "items": single})
        } else {
            single
        }
    }

    fn kind(&mut self, kind: &Kind, comments: &Comments) -> Json {
        match kind {
            Kind::Double | Kind::Float => json!({"type": "number"}),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
                json!({"type": "integer", "format": "int32"})
            }
            Kind::Uint32 | Kind::Fixed32 => {
                json!({"type": "integer", "minimum": 0, "maximum": 4294967295u64})
            }
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 | Kind::Uint64 | Kind::Fixed64 => {
                json!({"type": ["string", "integer"], "format": "int64"})
            }
            Kind::Bool => json!({"type": "boolean"}),
            Kind::String => json!({"type": "string"}),
            Kind::Bytes => json!({"type": "string", "contentEncoding": "base64"}),
            Kind::Message(m) => match well_known(m.full_name()) {
                Some(schema) => schema,
                None => self.reference(m, comments),
            },
            Kind::Enum(e) => self.enum_reference(e, comments),
        }
    }

    fn done(self) -> Map<String, Json> {
        self.done.into_iter().collect()
    }
}

/// The proto3 JSON mapping of the well-known types the API uses: not their fields, but a
/// string or an object of their own shape.
fn well_known(full_name: &str) -> Option<Json> {
    Some(match full_name {
        "google.protobuf.Timestamp" => json!({"type": "string", "format": "date-time"}),
        "google.protobuf.Duration" => {
            json!({"type": "string", "pattern": "^-?[0-9]+(\\.[0-9]+)?s$",
                   "description": "Seconds with an `s`, such as \"1.5s\"."})
        }
        "google.protobuf.Empty" => json!({"type": "object"}),
        "google.protobuf.Any" => json!({
            "type": "object",
            "description": "A message of the type its `@type` names, with that message's fields beside it.",
            "properties": {"@type": {"type": "string"}},
            "required": ["@type"],
            "additionalProperties": true
        }),
        _ => return None,
    })
}

/// A `$ref` cannot carry siblings in every tool; wrap it so the description shows.
fn with_description(schema: Json, description: &str) -> Json {
    if schema.get("$ref").is_some() {
        json!({"allOf": [schema], "description": description})
    } else {
        let mut schema = schema;
        schema["description"] = json!(description);
        schema
    }
}

/// `google.rpc.Status` as JSON: what every error answer is.
fn rpc_status_schema() -> Json {
    json!({
        "type": "object",
        "description": "An error, as google.rpc.Status in the proto3 JSON mapping: the gRPC code (3 INVALID_ARGUMENT, 8 RESOURCE_EXHAUSTED, ...), a message, and details such as google.rpc.BadRequest with one field violation per invalid field.",
        "properties": {
            "code": {"type": "integer", "format": "int32"},
            "message": {"type": "string"},
            "details": {"type": "array", "items": {
                "type": "object",
                "properties": {"@type": {"type": "string"}},
                "required": ["@type"],
                "additionalProperties": true
            }}
        },
        "required": ["code", "message"]
    })
}
