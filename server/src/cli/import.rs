//! `circulate import prtr`: builds a dataset folder from the EU PRTR public files.

use anyhow::Context;
use optimizer::input::prtr::Mapping;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum ImportSource {
    /// EU PRTR facilities and off-site waste transfers (`;`-separated, joined on facilityId).
    Prtr(PrtrArgs),
}

#[derive(Debug, clap::Args)]
pub struct PrtrArgs {
    /// The facilities file (facilityId, nameOfFeature, mainActivityCode, pointGeometryLon/Lat, x, y).
    #[arg(long)]
    pub facilities: PathBuf,
    /// The waste transfers file (facilityId, reportingYear, wasteClassificationCode, ...).
    #[arg(long)]
    pub transfers: PathBuf,
    /// Reporting year to import.
    #[arg(long)]
    pub year: u32,
    /// Mapping of activity codes to materials, demands and processes (default: the shipped
    /// datasets/prtr-mapping.toml, found from the working folder, beside the binary or in
    /// /usr/share/circulate).
    #[arg(long, env = "CIRCULATE_PRTR_MAPPING")]
    pub mapping: Option<PathBuf>,
    /// Dataset folder to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// The shipped mapping file: `datasets/prtr-mapping.toml` under the working folder, under an
/// ancestor of the binary's folder (a checkout's target/release), or in /usr/share/circulate
/// (the container image).
fn default_mapping() -> anyhow::Result<PathBuf> {
    const RELATIVE: &str = "datasets/prtr-mapping.toml";
    let mut tried = vec![PathBuf::from(RELATIVE)];
    if let Ok(exe) = std::env::current_exe() {
        tried.extend(exe.ancestors().skip(1).map(|d| d.join(RELATIVE)));
    }
    tried.push(PathBuf::from("/usr/share/circulate").join(RELATIVE));
    tried.into_iter().find(|p| p.is_file()).ok_or_else(|| {
        anyhow::anyhow!(
            "no {RELATIVE} found in the working folder, beside the binary or in \
             /usr/share/circulate; pass --mapping FILE or set CIRCULATE_PRTR_MAPPING"
        )
    })
}

pub fn run(source: &ImportSource) -> anyhow::Result<ExitCode> {
    let ImportSource::Prtr(args) = source;
    let mapping_path = match &args.mapping {
        Some(p) => p.clone(),
        None => default_mapping()?,
    };
    let text = std::fs::read_to_string(&mapping_path)
        .with_context(|| format!("reading {}", mapping_path.display()))?;
    let origin = mapping_path.display().to_string();
    let mapping = match Mapping::parse(&text, &origin) {
        Ok(m) => m,
        Err(errors) => {
            eprintln!("error: mapping {origin} is invalid:");
            for e in errors.iter() {
                eprintln!("  {e}");
            }
            return Ok(ExitCode::from(2));
        }
    };
    let (ds, report) =
        optimizer::input::prtr::import(&args.facilities, &args.transfers, args.year, &mapping)?;
    optimizer::input::write_folder(&ds, &args.out)?;
    // Re-read what was written: an importer bug must never leave an invalid dataset behind.
    optimizer::input::load(&args.out).context("the written dataset does not validate")?;
    let report_json = serde_json::to_string_pretty(&report)?;
    std::fs::write(args.out.join("import_report.json"), &report_json)?;
    println!("wrote {} ({})", args.out.display(), ds.meta.name);
    println!(
        "facilities: {} read, {} placed from lon/lat, {} from x/y, {} dropped without coordinates; {} sites written",
        report.facilities_read,
        report.facilities_placed_from_lonlat,
        report.facilities_placed_from_xy,
        report.facilities_dropped_no_coordinates,
        report.sites_written
    );
    println!(
        "transfers in {}: {} ({} exported, {} naming unknown facilities)",
        report.year,
        report.transfers_in_year,
        report.transfers_exported,
        report.transfers_unknown_facility
    );
    for (class, t) in &report.tonnes_reported {
        println!("  {class:<8} {t:>14.1} t");
    }
    println!(
        "tonnes written as supplies {:.1}, dropped {:.1}; {} supplies, {} demands, {} processes",
        report.tonnes_written,
        report.tonnes_dropped,
        report.supplies,
        report.demands,
        report.processes
    );
    if !report.unmapped_activity_codes.is_empty() {
        println!(
            "activity codes mapped by the default rule: {:?}",
            report.unmapped_activity_codes
        );
    }
    Ok(ExitCode::SUCCESS)
}
