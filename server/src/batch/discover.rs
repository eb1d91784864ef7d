//! Finding the regions of a batch: every folder holding `dataset.toml` under a root, at any
//! depth, or the folders a manifest lists. A region is named by its path relative to the
//! root (or as the manifest writes it), with `/` separators on every platform, and that name
//! is both its output folder and what its shard is computed from.

use anyhow::{Context, bail};
use std::path::{Component, Path, PathBuf};

/// One dataset folder of a batch.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Region {
    /// Its name: the relative path, `/`-separated (`FI1B1` or `fi/FI1B1`).
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
}

/// Every dataset folder under `root` (a folder holding `dataset.toml`), sorted by name;
/// `root` itself counts when it holds one. Hidden folders are skipped, and a dataset folder
/// is not searched further.
pub fn regions_under(root: &Path) -> anyhow::Result<Vec<Region>> {
    if !root.is_dir() {
        bail!("{}: no such folder", root.display());
    }
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if dir.join(optimizer::input::read::CONFIG_FILE).is_file() {
            let name = name_of(dir.strip_prefix(root).unwrap_or(&dir));
            found.push(Region {
                name: if name.is_empty() {
                    ".".to_owned()
                } else {
                    name
                },
                dir,
            });
            continue;
        }
        let entries =
            std::fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
        for entry in entries {
            let entry = entry?;
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && entry.file_type()?.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// The folders a manifest lists, one per line (blank lines and `#` comments skipped),
/// relative paths taken from the manifest's folder. Names are the paths as written, cleaned
/// of `.`, `..` and leading `/`, so they stay inside the output folder.
pub fn regions_from_manifest(manifest: &Path) -> anyhow::Result<Vec<Region>> {
    let text = std::fs::read_to_string(manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    let base = manifest.parent().unwrap_or(Path::new("."));
    let mut regions = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let path = Path::new(line);
        let name = name_of(path);
        if name.is_empty() {
            bail!(
                "{} line {}: {line:?} names no folder",
                manifest.display(),
                i + 1
            );
        }
        regions.push(Region {
            name,
            dir: base.join(path),
        });
    }
    let mut names: Vec<&str> = regions.iter().map(|r| r.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        bail!("{}: region {} is listed twice", manifest.display(), w[0]);
    }
    Ok(regions)
}

/// The normal components of `path`, joined by `/`.
fn name_of(path: &Path) -> String {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datasets_are_found_at_any_depth_and_named_by_relative_path() {
        let root = tempfile::tempdir().expect("temp dir");
        for dir in ["a", "deep/er/b", "c/d", ".hidden/e"] {
            std::fs::create_dir_all(root.path().join(dir)).expect("mkdir");
        }
        for dir in ["a", "deep/er/b", ".hidden/e"] {
            std::fs::write(root.path().join(dir).join("dataset.toml"), "").expect("write");
        }
        let names: Vec<String> = regions_under(root.path())
            .expect("listed")
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["a", "deep/er/b"]);
    }

    #[test]
    fn manifest_names_stay_inside_the_output() {
        let dir = tempfile::tempdir().expect("temp dir");
        let manifest = dir.path().join("regions.txt");
        std::fs::write(&manifest, "# two\n../x/FI1B1\n/abs/FI1C1\n\n").expect("write");
        let names: Vec<String> = regions_from_manifest(&manifest)
            .expect("read")
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(names, ["x/FI1B1", "abs/FI1C1"]);
        std::fs::write(&manifest, "a\n./a\n").expect("write");
        assert!(
            regions_from_manifest(&manifest).is_err(),
            "a duplicate is refused"
        );
    }
}
