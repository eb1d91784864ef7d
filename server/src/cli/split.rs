//! `circulate split`: a dataset cut into one dataset folder per NUTS-3 region its sites fall
//! in, for batch runs over real regions, each with its area's outline for the report's map;
//! `circulate outline`: the outline of the areas a dataset's sites fall in, alone.

use anyhow::Context;
use optimizer::regions::OUTLINE_FILE;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct SplitArgs {
    /// The dataset folder to split.
    pub dir: PathBuf,
    /// The areas to split by.
    #[arg(long, value_enum)]
    pub by: SplitBy,
    #[command(flatten)]
    pub areas: AreasArgs,
    /// One dataset folder per area is written here, with split_report.json.
    #[arg(long)]
    pub out: PathBuf,
}

/// What a dataset can be split by.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SplitBy {
    /// NUTS level 3 (NUTS_ID, NAME_LATN).
    Nuts3,
}

#[derive(Debug, clap::Args)]
pub struct OutlineArgs {
    /// The dataset folder; its outline.geojson is (over)written.
    pub dir: PathBuf,
    #[command(flatten)]
    pub areas: AreasArgs,
}

/// The NUTS-3 areas `split` and `outline` read.
#[derive(Debug, clap::Args)]
pub struct AreasArgs {
    /// The areas' outlines: a NUTS GeoJSON in lon/lat (EPSG:4326; plain or .gz) whose
    /// features carry NUTS_ID, NAME_LATN and CNTR_CODE. Default: the built-in NUTS 2021
    /// level-3 polygons (Eurostat's 1:60 million, datasets/sources/nuts2021/).
    #[arg(long, env = "CIRCULATE_NUTS3", value_name = "GEOJSON")]
    pub areas: Option<PathBuf>,
    /// Keep only the areas of this country (CNTR_CODE, e.g. FI), so no site lands abroad.
    #[arg(long)]
    pub country: Option<String>,
}

impl AreasArgs {
    /// The areas (NUTS_ID, NAME_LATN), refusing a file that holds none.
    fn load(&self) -> anyhow::Result<Vec<optimizer::regions::Area>> {
        let country = self.country.as_deref();
        let (areas, name) = match &self.areas {
            Some(path) => (
                optimizer::regions::load_areas(path, "NUTS_ID", "NAME_LATN", country)
                    .context("reading the areas (--areas)")?,
                path.display().to_string(),
            ),
            None => (
                super::sources::nuts3_areas(country)?,
                super::sources::NUTS3_NAME.to_owned(),
            ),
        };
        anyhow::ensure!(
            !areas.is_empty(),
            "{name} holds no areas{}",
            self.country
                .as_deref()
                .map(|c| format!(" of country {c}"))
                .unwrap_or_default()
        );
        Ok(areas)
    }
}

/// Writes `DIR/outline.geojson`: every area at least one site of the dataset falls in (or
/// is nearest to).
pub fn outline(args: &OutlineArgs) -> anyhow::Result<ExitCode> {
    let ds = match super::solve::load(&args.dir)? {
        Ok(ds) => ds,
        Err(code) => return Ok(code),
    };
    let areas = args.areas.load()?;
    let (parts, _) = optimizer::regions::split_by_area(&ds, &areas);
    let used: Vec<&optimizer::regions::Area> = parts.iter().map(|(a, _)| &areas[*a]).collect();
    let path = args.dir.join(OUTLINE_FILE);
    optimizer::regions::write_outline(&path, &used)?;
    println!("wrote {} ({} areas)", path.display(), used.len());
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: &SplitArgs) -> anyhow::Result<ExitCode> {
    let ds = match super::solve::load(&args.dir)? {
        Ok(ds) => ds,
        Err(code) => return Ok(code),
    };
    // NUTS-3 is the one kind of area so far; its files name areas by NUTS_ID, NAME_LATN.
    let SplitBy::Nuts3 = args.by;
    let areas = args.areas.load()?;
    let (parts, report) = optimizer::regions::split_by_area(&ds, &areas);
    std::fs::create_dir_all(&args.out)?;
    for (area, part) in &parts {
        let folder = args.out.join(&areas[*area].id);
        optimizer::input::write_folder(part, &folder)?;
        optimizer::regions::write_outline(&folder.join(OUTLINE_FILE), &[&areas[*area]])?;
    }
    let report_path = args.out.join("split_report.json");
    std::fs::write(&report_path, serde_json::to_string_pretty(&report)?)?;
    println!(
        "{:<7} {:<28} {:>6} {:>8} {:>8} {:>9} {:>8}",
        "area", "name", "sites", "nearest", "supplies", "demands", "processes"
    );
    for a in &report.areas {
        println!(
            "{:<7} {:<28} {:>6} {:>8} {:>8} {:>9} {:>8}",
            a.id,
            optimizer::shorten(&a.name, 28),
            a.sites,
            a.nearest_only,
            a.supplies,
            a.demands,
            a.processes
        );
    }
    println!(
        "{} dataset(s) in {}; {} site(s) in no outline went to the nearest area (farthest {:.1} km); report in {}",
        parts.len(),
        args.out.display(),
        report.sites_outside_every_area,
        report.farthest_outside_km,
        report_path.display()
    );
    Ok(ExitCode::SUCCESS)
}
