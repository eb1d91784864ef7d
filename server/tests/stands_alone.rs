//! The repository stands alone: a clone with nothing beside it builds, runs and tests. This
//! scans every tracked text file for a path that leaves the checkout: a relative path whose
//! `../` climb above the repository root from where it is read (the file's folder, its crate's
//! folder, or the root, whichever the path is meant from) and that names nothing inside it, or
//! an absolute path into the folder the checkout sits in. CI also runs the whole suite from a
//! checkout with nothing beside it (`.ci/run`); this test names the offending file and line.
#![allow(clippy::unwrap_used)]

use std::path::{Component, Path, PathBuf};

/// Characters a path token is made of.
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '_' | '-' | '+')
}

/// `path` with `.` and `..` taken away lexically; `None` when it climbs above its first
/// component (above the filesystem root).
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

/// The folders a relative path in `file` may be meant from: its own folder, every folder
/// above it up to the root that holds a `Cargo.toml` (a crate's `CARGO_MANIFEST_DIR`, where
/// its tests run), and the root (where the README's commands and the Makefile run).
fn bases(root: &Path, file: &Path) -> Vec<PathBuf> {
    let dir = file.parent().unwrap().to_path_buf();
    let mut bases = vec![dir.clone()];
    let mut up = dir.as_path();
    while let Some(parent) = up.parent() {
        if !up.starts_with(root) || up == root {
            break;
        }
        if up.join("Cargo.toml").is_file() {
            bases.push(up.to_path_buf());
        }
        up = parent;
    }
    bases.push(root.to_path_buf());
    bases
}

/// The paths in `text` (the content of `file`) that leave the checkout at `root`, as
/// `line: token`.
fn paths_outside(root: &Path, file: &Path, text: &str) -> Vec<String> {
    let outer = root.parent().map(|p| format!("{}/", p.display()));
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        for token in line.split(|c: char| !is_path_char(c)) {
            let token = token.trim_end_matches(['.', '-']);
            if let Some(outer) = outer.as_deref()
                && outer != "/"
                && token.starts_with(outer)
                && !token.starts_with(&format!("{}/", root.display()))
            {
                found.push(format!("{}: {token}", number + 1));
                continue;
            }
            // A path glued to a folder variable (`concat!(DIR, "/.." ...)` in Rust, `$dir/..`
            // in a script) is meant from that folder: read it as relative.
            let relative = token.trim_start_matches('/');
            if !relative.starts_with("../") || relative.trim_start_matches("../").is_empty() {
                continue;
            }
            let resolved: Vec<Option<PathBuf>> = bases(root, file)
                .iter()
                .map(|base| normalise(&base.join(relative)))
                .collect();
            let names_something_inside = resolved
                .iter()
                .flatten()
                .any(|p| p.starts_with(root) && p.exists());
            let leaves = resolved
                .iter()
                .any(|p| p.as_ref().is_none_or(|p| !p.starts_with(root)));
            if leaves && !names_something_inside {
                found.push(format!("{}: {token}", number + 1));
            }
        }
    }
    found
}

/// The repository's tracked files, from git; without git (an unpacked archive), every file
/// but the build and result folders.
fn tracked_files(root: &Path) -> Vec<PathBuf> {
    let listed = std::process::Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(root)
        .output();
    match listed {
        Ok(o) if o.status.success() => o
            .stdout
            .split(|b| *b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| root.join(String::from_utf8_lossy(name).as_ref()))
            .filter(|p| p.is_file())
            .collect(),
        _ => {
            let mut files = Vec::new();
            let mut folders = vec![root.to_path_buf()];
            while let Some(folder) = folders.pop() {
                for entry in std::fs::read_dir(&folder).unwrap() {
                    let path = entry.unwrap().path();
                    let name = path.file_name().unwrap().to_string_lossy();
                    if path.is_dir() {
                        if !matches!(name.as_ref(), ".git" | "target" | "out") {
                            folders.push(path);
                        }
                    } else {
                        files.push(path);
                    }
                }
            }
            files
        }
    }
}

#[test]
fn no_tracked_file_names_a_path_outside_the_checkout() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap();
    let files = tracked_files(&root);
    assert!(
        files.iter().any(|f| f.ends_with("README.md")) && files.len() > 50,
        "found only {} files under {}",
        files.len(),
        root.display()
    );
    let mut offences = Vec::new();
    for file in &files {
        // Text files only: compressed sources and other binaries name no paths.
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for found in paths_outside(&root, file, &text) {
            offences.push(format!(
                "{}:{found}",
                file.strip_prefix(&root).unwrap().display()
            ));
        }
    }
    assert!(
        offences.is_empty(),
        "tracked files name paths outside the checkout (a clone alone has nothing there; ship \
         what they need inside the repository):\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_scan_finds_paths_that_leave_and_passes_paths_that_stay() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    for folder in ["crate/src", "crate/tests", "data/sources"] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
    }
    std::fs::write(root.join("crate/Cargo.toml"), "").unwrap();
    std::fs::write(root.join("data/sources/towns.csv.gz"), "").unwrap();
    let outside = concat!("..", "/beside/data/towns.csv");
    let climbing = concat!("../..", "/beside/data");
    let from_the_crate = concat!("..", "/data/sources/towns.csv.gz");
    let from_src = concat!("../..", "/data/sources/towns.csv.gz");
    let glued = concat!("/..", "/data/sources/towns.csv.gz");
    let absolute_beside = format!("{}/beside/x.csv", dir.path().display());
    let absolute_inside = format!("{}/data/sources/towns.csv.gz", root.display());
    let text = format!(
        "read {outside}.\nopen(\"{climbing}\")\n{from_the_crate}\n{from_src}\n\
         concat!(DIR, \"{glued}\")\n{absolute_beside}\n{absolute_inside}\n/usr/bin/env\n0..=1\n"
    );
    let in_tests = root.join("crate/tests/t.rs");
    let found = paths_outside(&root, &in_tests, &text);
    assert_eq!(
        found,
        vec![
            format!("1: {outside}"),
            format!("2: {climbing}"),
            format!("6: {absolute_beside}"),
        ]
    );
    // From the root, the crate's path to the data climbs out; from the crate's `src`, the
    // two-level climb lands inside.
    let in_readme = root.join("README.md");
    assert_eq!(
        paths_outside(&root, &in_readme, from_the_crate),
        vec![format!("1: {from_the_crate}")]
    );
    assert!(paths_outside(&root, &root.join("crate/src/lib.rs"), from_src).is_empty());
}
