//! Publishing a folder of results in one step. Everything is written into a staging folder
//! beside the target, then swapped into place, so a reader, or a run killed at any moment,
//! finds either the old folder whole or the new one whole, never old and new files mixed.
//! Used by `solve --out` and by every region of a batch.
//!
//! On Linux an existing target is exchanged with the staging folder by `renameat2`
//! (`RENAME_EXCHANGE`), one atomic step; the old results then sit in the staging folder and are
//! removed (a kill right then leaves them there as a hidden leftover, which the next run for the
//! same target removes). Where the exchange is not supported, the old folder is first renamed
//! aside, so for a moment the target is missing, but never mixed.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

/// What a staging folder's name starts with, after the dot and the target's name.
const STAGING_MARK: &str = ".staging-";

/// A staging folder for `target`; dropped unpublished, it is removed.
#[derive(Debug)]
pub struct Staging {
    folder: PathBuf,
    target: PathBuf,
    published: bool,
}

/// A new, empty staging folder beside `target` (`.NAME.staging-PID`), after removing the
/// leftovers of killed runs for the same target.
pub fn stage(target: &Path) -> anyhow::Result<Staging> {
    let (parent, name) = parent_and_name(target)?;
    std::fs::create_dir_all(&parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let prefix = format!(".{name}{STAGING_MARK}");
    for entry in
        std::fs::read_dir(&parent).with_context(|| format!("cannot read {}", parent.display()))?
    {
        let entry = entry?;
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            // A leftover of a killed run (or of the old results after an exchange).
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    let folder = parent.join(format!("{prefix}{}", std::process::id()));
    std::fs::create_dir(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
    Ok(Staging {
        folder,
        target: target.to_path_buf(),
        published: false,
    })
}

impl Staging {
    /// Where to write the results.
    pub fn path(&self) -> &Path {
        &self.folder
    }

    /// Puts the staging folder in the target's place and removes the old results.
    pub fn publish(mut self) -> anyhow::Result<()> {
        let replace = || -> std::io::Result<()> {
            match std::fs::symlink_metadata(&self.target) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    std::fs::rename(&self.folder, &self.target)
                }
                Err(e) => Err(e),
                Ok(_) => {
                    if !exchange(&self.folder, &self.target)? {
                        // No atomic exchange here: set the old folder aside first.
                        let aside = PathBuf::from(format!("{}.old", self.folder.display()));
                        std::fs::rename(&self.target, &aside)?;
                        std::fs::rename(&self.folder, &self.target)?;
                        std::fs::rename(&aside, &self.folder)?;
                    }
                    // The staging path now holds the old results.
                    std::fs::remove_dir_all(&self.folder)
                }
            }
        };
        replace().with_context(|| format!("cannot move results into {}", self.target.display()))?;
        self.published = true;
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.published {
            let _ = std::fs::remove_dir_all(&self.folder);
        }
    }
}

/// Swaps two paths in one step; `false` where the system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        // Kernels before 3.15 and some file systems (older NFS, FUSE) refuse the flag.
        Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS | rustix::io::Errno::NOTSUP) => {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Refuses to replace a folder that holds anything but the files `known` names (so
/// `--out ~/Documents` cannot swap a user's folder away): a target must be missing, empty or
/// a results folder circulate wrote.
pub fn check_replaceable(target: &Path, known: &[&str]) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(target) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            bail!("{} is a file, not a results folder", target.display())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", target.display())),
    };
    let mut foreign = Vec::new();
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if !known.contains(&name.as_str()) {
            foreign.push(name);
        }
    }
    if !foreign.is_empty() {
        foreign.sort();
        let shown = foreign
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        bail!(
            "{} holds files circulate did not write ({shown}{}); its results replace the \
             whole folder, so give a new or empty folder",
            target.display(),
            if foreign.len() > 5 { ", ..." } else { "" }
        );
    }
    Ok(())
}

fn parent_and_name(target: &Path) -> anyhow::Result<(PathBuf, String)> {
    let absolute = std::path::absolute(target)
        .with_context(|| format!("cannot resolve {}", target.display()))?;
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => {
            Ok((parent.to_path_buf(), name.to_string_lossy().into_owned()))
        }
        _ => bail!("{} cannot be a results folder", target.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).expect("write");
    }

    fn read(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).expect("read")
    }

    #[test]
    fn a_new_folder_replaces_the_old_whole_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out");
        let first = stage(&target).expect("stage");
        write(first.path(), "a.txt", "old");
        write(first.path(), "only-old.txt", "old");
        first.publish().expect("publish");
        assert_eq!(read(&target, "a.txt"), "old");

        let second = stage(&target).expect("stage");
        write(second.path(), "a.txt", "new");
        // Before publishing, the old folder is untouched.
        assert_eq!(read(&target, "a.txt"), "old");
        second.publish().expect("publish");
        assert_eq!(read(&target, "a.txt"), "new");
        assert!(
            !target.join("only-old.txt").exists(),
            "no old file survives"
        );
        let beside: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(beside, vec![std::ffi::OsString::from("out")]);
    }

    #[test]
    fn an_unpublished_staging_folder_is_removed_and_leftovers_are_cleared() {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join("out");
        let leftover = dir.path().join(".out.staging-999999");
        std::fs::create_dir(&leftover).expect("leftover");
        let staging = stage(&target).expect("stage");
        assert!(!leftover.exists(), "a killed run's leftover is removed");
        let path = staging.path().to_path_buf();
        assert!(path.is_dir());
        drop(staging);
        assert!(!path.exists());
        assert!(!target.exists());
    }

    #[test]
    fn a_folder_with_other_files_is_not_replaced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let known = ["result.json", "flows.csv"];
        assert!(check_replaceable(&dir.path().join("missing"), &known).is_ok());
        assert!(check_replaceable(dir.path(), &known).is_ok(), "empty");
        write(dir.path(), "result.json", "{}");
        assert!(check_replaceable(dir.path(), &known).is_ok());
        write(dir.path(), "thesis.docx", "");
        let e = check_replaceable(dir.path(), &known)
            .expect_err("foreign file")
            .to_string();
        assert!(e.contains("thesis.docx"), "{e}");
        let e = check_replaceable(&dir.path().join("result.json"), &known)
            .expect_err("a file")
            .to_string();
        assert!(e.contains("is a file"), "{e}");
    }
}
