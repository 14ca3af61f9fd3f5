//! Helpers shared by the integration tests: copies of the example project in temp folders.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// Copies the folder `from` and everything in it to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temp copy of the example project (seeds, content, config; the theme comes from the repo).
pub fn example_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for part in ["seeds", "content", "themes"] {
        copy_tree(&Path::new(REPO).join(part), &dir.path().join(part));
    }
    std::fs::copy(Path::new(REPO).join("brief.toml"), dir.path().join("brief.toml")).unwrap();
    dir
}

/// Every file under `dir` with its bytes, by path relative to `dir`.
pub fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().strip_prefix(dir).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}
