//! Write: put the built files on disk without ever leaving a half-written site.
//!
//! Files go into a temporary folder beside the output (`.NAME.brief-tmp-PID`); only when all
//! are written is the old output moved aside and the new one renamed into place. Leftovers
//! of an interrupted build are removed on the next run. An existing output that brief did not
//! write (no `.brief-output` marker) is never replaced unless forced.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;

use crate::render::OutputFile;

/// Marks a folder as brief's output, so brief may replace it.
pub const MARKER: &str = ".brief-output";

pub fn write_site(output: &Path, files: &[OutputFile], force: bool) -> Result<()> {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .with_context(|| format!("{}: output must name a folder", output.display()))?;
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).with_context(|| format!("{}: cannot create", parent.display()))?;
    restore_interrupted_swap(output, &parent, &name);
    check_replaceable(output, force)?;
    remove_leftovers(&parent, &name);

    let temp = parent.join(format!(".{name}.brief-tmp-{}", std::process::id()));
    let result = write_all(&temp, files);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&temp);
        return Err(e);
    }
    let old = parent.join(format!(".{name}.brief-old-{}", std::process::id()));
    if output.exists() {
        std::fs::rename(output, &old)
            .with_context(|| format!("{}: cannot move the previous output aside", output.display()))?;
    }
    if let Err(e) = std::fs::rename(&temp, output) {
        // Put the previous site back before reporting.
        let _ = std::fs::rename(&old, output);
        let _ = std::fs::remove_dir_all(&temp);
        return Err(e).with_context(|| format!("{}: cannot move the new site into place", output.display()));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

fn check_replaceable(output: &Path, force: bool) -> Result<()> {
    if force || !output.exists() {
        return Ok(());
    }
    if !output.is_dir() {
        bail!("{}: output exists and is not a folder; choose another --output", output.display());
    }
    let empty = std::fs::read_dir(output)
        .with_context(|| format!("{}: cannot read", output.display()))?
        .next()
        .is_none();
    if empty || output.join(MARKER).exists() {
        return Ok(());
    }
    bail!(
        "{}: output folder has files brief did not write; refusing to replace it (pick an empty folder, or pass --force)",
        output.display()
    )
}

/// A build killed between moving the old site aside and moving the new one in leaves no output
/// but the old site under `.NAME.brief-old-PID`: put it back before anything else.
fn restore_interrupted_swap(output: &Path, parent: &Path, name: &str) {
    if output.exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.brief-old-");
    let mut olds: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .filter(|p| p.join(MARKER).exists())
        .collect();
    // The most recently moved aside is the last good site.
    olds.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    if let Some(last) = olds.pop() {
        let _ = std::fs::rename(last, output);
    }
}

/// Temp and old folders of builds that were killed midway.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.brief-tmp-"), format!(".{name}.brief-old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().to_string();
        if prefixes.iter().any(|p| file_name.starts_with(p.as_str())) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn write_all(dir: &Path, files: &[OutputFile]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let mut folders = BTreeSet::new();
    for file in files {
        if file.path.split('/').any(|part| part == ".." || part.is_empty()) || file.path.starts_with('/') {
            bail!("refusing to write `{}` outside the output", file.path);
        }
        if let Some((folder, _)) = file.path.rsplit_once('/') {
            folders.insert(folder);
        }
    }
    for folder in folders {
        let path = dir.join(folder);
        std::fs::create_dir_all(&path).with_context(|| format!("{}: cannot create", path.display()))?;
    }
    // Files in parallel; the first failure in file order is the one reported.
    files
        .par_iter()
        .map(|file| {
            let path = dir.join(&file.path);
            std::fs::write(&path, &file.bytes).with_context(|| format!("{}: cannot write", path.display()))
        })
        .collect::<Vec<Result<()>>>()
        .into_iter()
        .collect::<Result<()>>()?;
    std::fs::write(dir.join(MARKER), b"This folder is written by brief; brief build replaces it.\n")
        .with_context(|| format!("{}: cannot write the output marker", dir.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile { path: path.into(), bytes: text.as_bytes().to_vec() }
    }

    #[test]
    fn replaces_previous_output_and_cleans_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("a/index.html", "one")], false).unwrap();
        std::fs::create_dir(dir.path().join(".public.brief-tmp-999999")).unwrap();
        write_site(&out, &[file("b.html", "two")], false).unwrap();
        assert!(!out.join("a/index.html").exists());
        assert_eq!(std::fs::read_to_string(out.join("b.html")).unwrap(), "two");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn a_swap_cut_short_is_restored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("index.html", "good")], false).unwrap();
        // Killed after moving the old site aside, before moving the new one in.
        std::fs::rename(&out, dir.path().join(".public.brief-old-777")).unwrap();
        std::fs::create_dir_all(dir.path().join(".public.brief-tmp-777")).unwrap();
        // The next build fails before writing: the old site must be back all the same.
        let err = write_site(&out, &[file("../bad", "x")], false);
        assert!(err.is_err());
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "good");
        write_site(&out, &[file("index.html", "new")], false).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")]);
    }

    #[test]
    fn refuses_a_foreign_folder_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("thesis.tex"), "precious").unwrap();
        let err = write_site(&out, &[file("index.html", "x")], false).unwrap_err().to_string();
        assert!(err.contains("--force"), "{err}");
        assert_eq!(std::fs::read_to_string(out.join("thesis.tex")).unwrap(), "precious");
        write_site(&out, &[file("index.html", "x")], true).unwrap();
        assert!(out.join("index.html").exists());
    }

    #[test]
    fn a_failed_write_keeps_the_old_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write_site(&out, &[file("index.html", "old")], false).unwrap();
        let err = write_site(&out, &[file("../escape.html", "x")], false).unwrap_err();
        assert!(err.to_string().contains("outside"));
        assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), "old");
        assert!(!dir.path().join("escape.html").exists());
    }
}
