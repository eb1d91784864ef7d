//! `circulate generate`: writes a seeded synthetic region as a dataset folder.

use optimizer::generate::{SyntheticOptions, generate, load_towns};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Number of sites (each gets one supply and one demand).
    #[arg(long)]
    pub sites: usize,
    /// Random seed: the same seed writes the same files, byte for byte.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Materials taken from the built-in catalogue (1-8).
    #[arg(long, default_value_t = 5)]
    pub materials: usize,
    /// Existing recycler processes.
    #[arg(long, default_value_t = 0)]
    pub processes: usize,
    /// Candidate recyclers whose capacity the LP sizes.
    #[arg(long, default_value_t = 0)]
    pub candidates: usize,
    /// Bounding box lon_min,lat_min,lon_max,lat_max (WGS84 degrees). With --towns it filters
    /// the towns; without, synthetic town centres are scattered in it.
    #[arg(long, value_delimiter = ',', num_args = 1, allow_hyphen_values = true)]
    pub bbox: Option<Vec<f64>>,
    /// Place sites around real towns, population-weighted: a GeoNames-style CSV (name,
    /// latitude, longitude, countrycode, population; plain or .gz), or with no value the
    /// built-in GeoNames towns of Europe (datasets/sources/geonames/).
    #[arg(long, value_name = "CSV", num_args = 0..=1)]
    pub towns: Option<Option<PathBuf>>,
    /// ISO country code to keep towns of (with --towns), e.g. FI.
    #[arg(long, requires = "towns")]
    pub country: Option<String>,
    /// Output dataset folder.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let bbox = match args.bbox.as_deref() {
        None => None,
        Some(&[lon0, lat0, lon1, lat1]) => {
            if !(lon0 < lon1
                && lat0 < lat1
                && lon0 >= -180.0
                && lon1 <= 180.0
                && lat0 >= -90.0
                && lat1 <= 90.0)
            {
                anyhow::bail!(
                    "--bbox must satisfy -180 <= lon_min < lon_max <= 180 and -90 <= lat_min < lat_max <= 90"
                );
            }
            Some([lon0, lat0, lon1, lat1])
        }
        Some(_) => anyhow::bail!("--bbox needs four numbers: lon_min,lat_min,lon_max,lat_max"),
    };
    let towns = match &args.towns {
        Some(file) => {
            let country = args.country.as_deref();
            let (towns, name) = match file {
                Some(path) => (load_towns(path, country, bbox)?, path.display().to_string()),
                None => (
                    super::sources::europe_towns(country, bbox)?,
                    super::sources::TOWNS_NAME.to_owned(),
                ),
            };
            if towns.is_empty() {
                anyhow::bail!("no towns in {name} match the country/bbox given");
            }
            Some(towns)
        }
        None => None,
    };
    let defaults = SyntheticOptions::default();
    let ds = generate(&SyntheticOptions {
        sites: args.sites,
        materials: args.materials,
        seed: args.seed,
        processes: args.processes,
        candidates: args.candidates,
        bbox: bbox.unwrap_or(defaults.bbox),
        towns,
    });
    optimizer::input::write_folder(&ds, &args.out)?;
    println!(
        "wrote {} ({} sites, {} supplies, {} demands, {} processes)",
        args.out.display(),
        ds.sites.len(),
        ds.supplies.len(),
        ds.demands.len(),
        ds.processes.len()
    );
    Ok(ExitCode::SUCCESS)
}
