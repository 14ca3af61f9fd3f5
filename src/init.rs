//! `brief init DIR`: a new briefing project that builds and checks clean as it is.
//!
//! Writes `brief.toml` with two example topics, a `content/` skeleton (the lead, a topic note,
//! two outlets), two example seeds and a `.gitignore`. The theme is the default one built into
//! brief, so no theme files are copied. Refuses a folder that is not empty.

use std::path::Path;

use anyhow::{Context, Result, bail};

const FILES: &[(&str, &str)] = &[
    (
        "brief.toml",
        r#"# The briefing's settings. `brief --help` lists the commands.
title = "Example: Storm Ada reaches Northport"
description = "What two outlets reported as a storm flooded a harbour town and cut its power."
# The theme built into brief. Copy its files into themes/default/ (or override single
# templates in templates/) to change how the site looks.
theme = "default"
language = "en"

# Topics group paragraphs by what they are about. Keywords match whole words,
# case-insensitively; a trailing * matches a prefix. content/topics/<slug>.md may add
# keywords and the editor's summary.
[[topics]]
slug = "flooding"
title = "Flooding"
keywords = ["flood*", "harbour", "sea water", "evacuat*", "sandbag*"]

[[topics]]
slug = "power"
title = "Power cuts"
keywords = ["power", "electricity", "grid"]
"#,
    ),
    (
        "content/_index.md",
        r#"+++
title = "Example: Storm Ada reaches Northport"
dek = "Replace this with one sentence that tells the reader what happened."
+++
This is the editor's overview, written in Markdown. Replace it with what a reader should
know first. Put article text files in `seeds/`, one article a file, and run `brief serve`
to see the briefing change as you edit.
"#,
    ),
    (
        "content/topics/flooding.md",
        r#"+++
# Keywords added to the topic's keywords in brief.toml.
keywords = ["quay"]
+++
"#,
    ),
    (
        "content/sources/northport-herald.md",
        r#"+++
name = "Northport Herald"
url = "https://herald.example"
# The seeds this outlet published, relative to seeds/.
seeds = ["001-northport-herald.txt"]
+++
The town's weekly paper. Notes written here appear on the outlet's page.
"#,
    ),
    (
        "content/sources/coast-radio.md",
        r#"+++
name = "Coast Radio"
url = "https://radio.example"
seeds = ["002-coast-radio.txt"]
+++
A regional radio station.
"#,
    ),
    (
        "seeds/001-northport-herald.txt",
        "date 2025-01-14 Storm Ada floods Northport harbour

Storm Ada pushed sea water over the harbour wall in Northport on Tuesday night, flooding the fish market and the streets around the old quay.
The harbour master said the water rose faster than forecast and that about 120 homes near the quay were evacuated before midnight.
Volunteers filled sandbags at the fire station until the early hours, and the town's two schools opened as shelters.
More than 4,000 homes lost power when the storm brought down a line north of the town, the grid operator said on Wednesday.
Sign up for the Herald's morning newsletter
",
    ),
    (
        "seeds/002-coast-radio.txt",
        "date 2025-01-16 Power returns to most of Northport

Electricity was back on in most of Northport by Thursday morning, two days after Storm Ada brought down a power line north of the town.
The grid operator said about 300 homes were still without power, most of them farms on the coast road.
In the harbour, fishermen began clearing mud and broken crates from the flooded market, which the council said would reopen next week.
",
    ),
    (".gitignore", "/public/\n"),
];

/// Writes the example project into `dir` and returns the files written, project-relative.
pub fn init(dir: &Path) -> Result<Vec<String>> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("{}: exists and is not a folder; choose a new folder name", dir.display());
        }
        let mut entries =
            std::fs::read_dir(dir).with_context(|| format!("{}: cannot read", dir.display()))?;
        if entries.next().is_some() {
            bail!(
                "{}: folder is not empty; brief init writes a new project only into a new or empty folder",
                dir.display()
            );
        }
    }
    let mut written = Vec::new();
    for (path, text) in FILES {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create", parent.display()))?;
        }
        std::fs::write(&target, text).with_context(|| format!("{}: cannot write", target.display()))?;
        written.push(path.to_string());
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_a_folder_with_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let err = init(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not empty"), "{err}");
        assert_eq!(std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(), "mine");
    }

    #[test]
    fn writes_into_an_empty_folder() {
        let dir = tempfile::tempdir().unwrap();
        let written = init(dir.path()).unwrap();
        assert!(written.contains(&"brief.toml".to_string()));
        assert!(dir.path().join("seeds/001-northport-herald.txt").is_file());
    }
}
