//! Helpers shared by the integration tests: copies of the example project in temp folders.

use std::path::Path;

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
