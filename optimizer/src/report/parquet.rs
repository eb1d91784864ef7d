//! `flows.parquet`: the flow table as GeoParquet 1.1 (<https://geoparquet.org>): the columns
//! of `flows.csv` ([`FLOW_COLUMNS`]), typed (text as UTF-8 strings, the absent process of an
//! end as null, numbers as full-precision doubles), and a `geometry` column in WKB: a
//! LineString from sender to receiver, or a Point for a flow within one site, as in
//! `flows.geojson`. Coordinates are WGS84 lon/lat, GeoParquet's default CRS (OGC:CRS84), so
//! the `geo` metadata names none. Snappy-compressed, in row groups of [`ROW_GROUP_ROWS`].
//!
//! Written with Apache's `parquet` crate's column writers rather than through Arrow: the
//! table is thirteen flat columns, and leaving Arrow out keeps the dependency's build to
//! about 20 s on 2 cores.

use super::columns::{FLOW_COLUMNS, FlowColumn};
use super::schema::{Flow, SolveResult};
use crate::model::error::Error;
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnPath;
use std::path::Path;
use std::sync::Arc;

/// Rows per row group: large enough for good compression, small enough that a reader can
/// skip through a million-flow file.
pub const ROW_GROUP_ROWS: usize = 128 * 1024;

/// The geometry column's name, GeoParquet's usual one.
pub const GEOMETRY_COLUMN: &str = "geometry";

/// Writes `result`'s flows to `path` as GeoParquet.
pub fn write_flows(result: &SolveResult, path: &Path) -> Result<(), Error> {
    flows(result, path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        source: match e {
            parquet::errors::ParquetError::External(inner) => std::io::Error::other(inner),
            other => std::io::Error::other(other),
        },
    })
}

/// The Parquet schema: one field per flow column, then the geometry.
fn schema() -> String {
    let mut fields: Vec<String> = FLOW_COLUMNS
        .iter()
        .map(|(name, column)| match column {
            FlowColumn::Text(_) => format!("REQUIRED BYTE_ARRAY {name} (STRING);"),
            FlowColumn::OptionalText(_) => format!("OPTIONAL BYTE_ARRAY {name} (STRING);"),
            FlowColumn::Number(..) => format!("REQUIRED DOUBLE {name};"),
        })
        .collect();
    fields.push(format!("REQUIRED BYTE_ARRAY {GEOMETRY_COLUMN};"));
    format!("message flows {{ {} }}", fields.join(" "))
}

/// Whether a flow stays within one site (a Point, not a zero-length line).
fn on_site(f: &Flow) -> bool {
    f.from_site == f.to_site
}

/// The flow's geometry as little-endian WKB.
fn wkb(f: &Flow) -> Vec<u8> {
    let mut out = Vec::with_capacity(41);
    out.push(1); // little endian
    if on_site(f) {
        out.extend_from_slice(&1u32.to_le_bytes()); // Point
        for x in [f.from_lon, f.from_lat] {
            out.extend_from_slice(&x.to_le_bytes());
        }
    } else {
        out.extend_from_slice(&2u32.to_le_bytes()); // LineString
        out.extend_from_slice(&2u32.to_le_bytes()); // two points
        for x in [f.from_lon, f.from_lat, f.to_lon, f.to_lat] {
            out.extend_from_slice(&x.to_le_bytes());
        }
    }
    out
}

/// The GeoParquet `geo` metadata: the geometry column, its encoding, the geometry types
/// present and their bounding box.
fn geo_metadata(flows: &[Flow]) -> String {
    let (mut lines, mut points) = (false, false);
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for f in flows {
        if on_site(f) {
            points = true;
        } else {
            lines = true;
        }
        for (lon, lat) in [(f.from_lon, f.from_lat), (f.to_lon, f.to_lat)] {
            bbox = [
                bbox[0].min(lon),
                bbox[1].min(lat),
                bbox[2].max(lon),
                bbox[3].max(lat),
            ];
        }
    }
    let mut types = Vec::new();
    if lines {
        types.push("LineString");
    }
    if points {
        types.push("Point");
    }
    let mut column = serde_json::json!({"encoding": "WKB", "geometry_types": types});
    if !flows.is_empty() {
        column["bbox"] = serde_json::json!(bbox);
    }
    serde_json::json!({
        "version": "1.1.0",
        "primary_column": GEOMETRY_COLUMN,
        "columns": {GEOMETRY_COLUMN: column}
    })
    .to_string()
}

fn flows(result: &SolveResult, path: &Path) -> parquet::errors::Result<()> {
    let schema = Arc::new(parse_message_type(&schema())?);
    let mut properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_size(ROW_GROUP_ROWS)
        .set_created_by(format!("circulate {}", env!("CARGO_PKG_VERSION")));
    // Columns whose values hardly repeat (a site, its name, a line) gain nothing from a
    // dictionary, and the geometry's byte-wise min and max mean nothing. Without them, the
    // 600k flows of `peer-instance --n 300000` wrote in 1.31-1.44 s instead of 1.55-1.66 s,
    // and 45.9 MB instead of 48.9 MB (two runs each, CIRCULATE_LOG=optimizer::report=debug).
    for column in [
        "from_site",
        "from_name",
        "to_site",
        "to_name",
        GEOMETRY_COLUMN,
    ] {
        properties = properties.set_column_dictionary_enabled(ColumnPath::from(column), false);
    }
    properties = properties
        .set_column_statistics_enabled(ColumnPath::from(GEOMETRY_COLUMN), EnabledStatistics::None);
    let properties = Arc::new(properties.build());
    let file = std::fs::File::create(path)?;
    let mut writer = SerializedFileWriter::new(std::io::BufWriter::new(file), schema, properties)?;
    for group in result.flows.chunks(ROW_GROUP_ROWS) {
        let mut row_group = writer.next_row_group()?;
        let mut columns = FLOW_COLUMNS.iter();
        while let Some(mut column) = row_group.next_column()? {
            match columns.next() {
                Some((_, FlowColumn::Text(get))) => {
                    let values: Vec<ByteArray> = group.iter().map(|f| get(f).into()).collect();
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&values, None, None)?;
                }
                Some((_, FlowColumn::OptionalText(get))) => {
                    let present: Vec<ByteArray> = group
                        .iter()
                        .filter_map(|f| get(f))
                        .map(ByteArray::from)
                        .collect();
                    let levels: Vec<i16> =
                        group.iter().map(|f| i16::from(get(f).is_some())).collect();
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&present, Some(&levels), None)?;
                }
                Some((_, FlowColumn::Number(get, _))) => {
                    let values: Vec<f64> = group.iter().map(get).collect();
                    column
                        .typed::<DoubleType>()
                        .write_batch(&values, None, None)?;
                }
                None => {
                    let values: Vec<ByteArray> = group.iter().map(|f| wkb(f).into()).collect();
                    column
                        .typed::<ByteArrayType>()
                        .write_batch(&values, None, None)?;
                }
            }
            column.close()?;
        }
        row_group.close()?;
    }
    writer.append_key_value_metadata(KeyValue::new(
        "geo".to_string(),
        geo_metadata(&result.flows),
    ));
    writer.close()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_has_every_csv_column_then_the_geometry() {
        let schema = parse_message_type(&schema()).expect("a valid schema");
        let names: Vec<&str> = schema.get_fields().iter().map(|f| f.name()).collect();
        let mut expected: Vec<&str> = FLOW_COLUMNS.iter().map(|(n, _)| *n).collect();
        expected.push(GEOMETRY_COLUMN);
        assert_eq!(names, expected);
    }
}
