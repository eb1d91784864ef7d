//! docs/design.md's module map against the tree: every folder of the two crates' sources
//! has an entry, every entry names a folder that exists, and each entry names every `.rs`
//! file of its folder (but `mod.rs` and test modules) and no file the folder lacks.

use std::collections::BTreeMap;
use std::path::Path;

/// The map's entries: folder path -> the entry's text, continuation lines included.
fn entries(design: &str) -> BTreeMap<String, String> {
    let start = design.find("## Layout").expect("a Layout section");
    let block = design[start..].split("```").nth(1).expect("a code block");
    let mut entries = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in block.lines() {
        let trimmed = line.trim_start();
        if line.starts_with("  ") && !line.starts_with("   ") && !trimmed.is_empty() {
            let (path, text) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
            entries.insert(path.to_owned(), text.to_owned());
            current = Some(path.to_owned());
        } else if let Some(path) = &current {
            let text = entries.get_mut(path).expect("inserted");
            text.push(' ');
            text.push_str(trimmed);
        }
    }
    entries
}

/// Every folder under `dir`, relative to `root`, with a trailing `/`.
fn folders(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let rel = dir.strip_prefix(root).expect("inside");
    out.push(format!("{}/", rel.display()));
    let mut children: Vec<_> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    children.sort();
    for child in children {
        folders(root, &child, out);
    }
}

/// The `.rs` files a folder's entry must name.
fn files_of(folder: &Path) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(folder)
        .expect("readable")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rs") && n != "mod.rs" && n != "tests.rs")
        .collect();
    files.sort();
    files
}

/// The file names an entry's text mentions.
fn named_files(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| w.ends_with(".rs"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_module_map_matches_the_tree() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository");
    let design = std::fs::read_to_string(root.join("docs/design.md")).expect("docs/design.md");
    let map = entries(&design);
    let mut problems = Vec::new();
    let mut tree = Vec::new();
    for src in ["optimizer/src", "server/src"] {
        folders(root, &root.join(src), &mut tree);
    }
    for folder in &tree {
        let Some(text) = map.get(folder) else {
            problems.push(format!("{folder} has no entry"));
            continue;
        };
        let named = named_files(text);
        for file in files_of(&root.join(folder)) {
            if !named.contains(&file) {
                problems.push(format!("{folder}: {file} is not named"));
            }
        }
        for file in named {
            if !root.join(folder).join(&file).is_file() {
                problems.push(format!("{folder}: names {file}, which is not there"));
            }
        }
    }
    for path in map.keys() {
        if !root.join(path).is_dir() {
            problems.push(format!("the map lists {path}, which is not a folder"));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/design.md's module map:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_parser_reads_entries_and_their_continuations() {
    let design = "## Layout\n\n```\n  a/   x.rs (one),\n       y.rs\n  b/   none\n```\n";
    let map = entries(design);
    assert_eq!(map.len(), 2);
    assert_eq!(named_files(&map["a/"]), ["x.rs", "y.rs"]);
    assert!(named_files(&map["b/"]).is_empty());
}
