//! The dataset schema is defined once (`optimizer::input::schema`); the README's format
//! table and the proto's messages must say the same, so neither can drift from the reader.

use optimizer::input::schema::{TABLES, markdown_table};
use std::path::Path;

fn repo_file(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn readme_format_table_is_the_schema() {
    let readme = repo_file("README.md");
    let table = markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's dataset table differs from the schema; it should read:\n{table}"
    );
}

/// The fields of `message NAME { ... }` in the proto.
fn message_fields(proto: &str, name: &str) -> Vec<String> {
    let start = proto
        .find(&format!("message {name} {{"))
        .unwrap_or_else(|| panic!("no message {name}"));
    let body = &proto[start..];
    let body = &body[..body.find("\n}").unwrap_or(body.len())];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with("//") && l.ends_with(';') && l.contains('='))
        .filter_map(|l| {
            l.split('=')
                .next()?
                .split_whitespace()
                .last()
                .map(str::to_owned)
        })
        .collect()
}

#[test]
fn proto_messages_carry_every_column() {
    let proto = repo_file("proto/circulate/v1/circulate.proto");
    for table in TABLES {
        let fields = message_fields(&proto, table.message);
        for column in table.columns {
            // Over the API a process's flows are nested in it as `inputs` and `outputs`, so
            // the process id and the direction are carried by where a flow sits.
            let nested =
                table.message == "ProcessFlow" && matches!(column.name, "process" | "direction");
            assert!(
                nested || fields.iter().any(|f| f == column.name),
                "{}: column {} has no field in message {} ({fields:?})",
                table.file,
                column.name,
                table.message
            );
        }
    }
}

#[test]
fn readme_limits_table_is_the_validators() {
    let readme = repo_file("README.md");
    let table = optimizer::input::limits::markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's limits table differs from the validator's; it should read:\n{table}"
    );
}

#[test]
fn readme_kpi_table_is_the_definitions() {
    let readme = repo_file("README.md");
    let table = optimizer::report::kpis::markdown_table();
    assert!(
        readme.contains(&table),
        "README.md's KPI table differs from KPI_DEFINITIONS; it should read:\n{table}"
    );
    assert!(readme.contains(optimizer::report::BASELINE));
}
