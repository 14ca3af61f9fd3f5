//! `brief draft`: writes each topic's drafted summary to `content/topics/<slug>.md` so an
//! editor can rewrite it. The file's front matter says `draft = true` and keeps a hash of the
//! drafted body (`draft_hash`); a file whose body no longer matches its hash, or that has a
//! body and no hash, or that an editor marked `draft = false`, is an editor's and is never
//! touched. Other front matter keys (title, keywords, order) are kept as they are.

use std::path::Path;

use anyhow::{Context, Result};

use crate::assemble::fnv1a;
use crate::content::split_front_matter;
use crate::model::{SourceEntry, SummaryPoint};
use crate::site::{BuildOptions, Site};

/// What `draft` did, file by file (paths relative to the project root).
#[derive(Debug, Default)]
pub struct DraftReport {
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    /// File and why it was left alone.
    pub skipped: Vec<(String, String)>,
}

/// The hash kept in front matter: of the body without surrounding blank space.
pub fn body_hash(body: &str) -> String {
    format!("{:016x}", fnv1a(body.replace("\r\n", "\n").trim().as_bytes()))
}

/// Drafts every configured topic of the project at `root`.
pub fn draft(root: &Path) -> Result<DraftReport> {
    let site = Site::load(root, &BuildOptions::from_env())?;
    let briefing = &site.briefing;
    let dir = root.join("content").join("topics");
    let mut report = DraftReport::default();
    for topic in briefing.topics.iter().filter(|t| t.configured) {
        let rel = format!("content/topics/{}.md", topic.slug);
        let path = dir.join(format!("{}.md", topic.slug));
        if topic.summary_points.is_empty() {
            let why = if topic.editor_summary { "an editor's summary" } else { "nothing to draft" };
            report.skipped.push((rel, why.to_string()));
            continue;
        }
        let body = markdown_body(&topic.summary_points, &briefing.sources);
        let hash = body_hash(&body);
        let mut table = toml::Table::new();
        if path.exists() {
            let text = std::fs::read_to_string(&path).with_context(|| format!("{rel}: cannot read"))?;
            let (front, old_body) = split_front_matter(&text).map_err(|m| anyhow::anyhow!("{rel}:1: {m}"))?;
            if let Some(front) = front {
                table = toml::from_str(front)
                    .with_context(|| format!("{rel}: front matter is not valid TOML"))?;
            }
            let has_body = !old_body.trim().is_empty();
            let is_draft = table.get("draft").and_then(|v| v.as_bool()).unwrap_or(false);
            let kept_hash = table.get("draft_hash").and_then(|v| v.as_str()).map(str::to_string);
            if has_body {
                let why = match (&kept_hash, is_draft) {
                    (None, _) => Some("has a body and no draft_hash: an editor's summary"),
                    (Some(_), false) => Some("marked draft = false by an editor"),
                    (Some(h), true) if *h != body_hash(old_body) => {
                        Some("edited since it was drafted (body no longer matches draft_hash)")
                    }
                    _ => None,
                };
                if let Some(why) = why {
                    report.skipped.push((rel, why.to_string()));
                    continue;
                }
                if kept_hash.as_deref() == Some(hash.as_str()) {
                    report.unchanged.push(rel);
                    continue;
                }
            }
        }
        table.insert("draft".into(), toml::Value::Boolean(true));
        table.insert("draft_hash".into(), toml::Value::String(hash));
        let front = toml::to_string(&table).context("cannot write front matter")?;
        std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
        let text = format!("+++\n{front}+++\n{body}");
        write_atomically(&path, &text).with_context(|| format!("{rel}: cannot write"))?;
        report.written.push(rel);
    }
    Ok(report)
}

fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("md.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

/// The drafted points as a Markdown list, each with the outlets that carry it. Seed text is
/// escaped so it stays text when the editor publishes it.
fn markdown_body(points: &[SummaryPoint], sources: &[SourceEntry]) -> String {
    let name =
        |slug: &str| sources.iter().find(|s| s.slug == slug).map_or(slug.to_string(), |s| s.name.clone());
    let mut body = String::new();
    for point in points {
        let outlets: Vec<String> = point.sources.iter().map(|s| escape_markdown(&name(s))).collect();
        body.push_str(&format!("- {} ({})\n", escape_markdown(&point.text), outlets.join(", ")));
    }
    body
}

fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\`*_[]<>#|~&!{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("seeds")).unwrap();
        std::fs::write(
            root.join("brief.toml"),
            "title = \"Floods\"\n[[topics]]\nslug = \"river\"\ntitle = \"River\"\nkeywords = [\"river\", \"flood*\"]\n\
             [[topics]]\nslug = \"port\"\ntitle = \"Port\"\nkeywords = [\"port\", \"harbour\"]\n",
        )
        .unwrap();
        for (name, text) in [
            (
                "a.txt",
                "Flood in the lower town\n\nThe river burst its banks on Monday night and flooded the lower town near the old bridge.\n\n\
                 Rescue boats from the port carried more than two hundred residents to the school on the hill.\n",
            ),
            (
                "b.txt",
                "Lower town under water\n\nFloodwater covered the lower town after the river burst its banks on Monday night.\n\n\
                 The harbour master said the port would stay closed until the water level fell again.\n",
            ),
        ] {
            std::fs::write(root.join("seeds").join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn writes_drafts_and_respects_editors() {
        let dir = project();
        let root = dir.path();
        let topics = root.join("content/topics");
        std::fs::create_dir_all(&topics).unwrap();
        // An editor's summary, and a file with only front matter.
        std::fs::write(topics.join("port.md"), "+++\norder = 2\n+++\nThe port is shut.\n").unwrap();
        let report = draft(root).unwrap();
        assert_eq!(report.written, ["content/topics/river.md"], "{report:?}");
        assert_eq!(report.skipped.len(), 1, "{report:?}");
        let river = std::fs::read_to_string(topics.join("river.md")).unwrap();
        assert!(river.contains("draft = true") && river.contains("draft_hash = "), "{river}");
        assert!(river.contains("burst its banks"), "{river}");
        assert_eq!(
            std::fs::read_to_string(topics.join("port.md")).unwrap(),
            "+++\norder = 2\n+++\nThe port is shut.\n"
        );

        // Run again: nothing changed.
        let again = draft(root).unwrap();
        assert_eq!(again.unchanged, ["content/topics/river.md"], "{again:?}");

        // The editor rewrites the draft: it is theirs now.
        std::fs::write(topics.join("river.md"), river.replace("burst its banks", "broke through")).unwrap();
        let after_edit = draft(root).unwrap();
        assert!(after_edit.written.is_empty(), "{after_edit:?}");
        assert!(after_edit.skipped.iter().any(|(f, why)| f.ends_with("river.md") && why.contains("edited")));
        assert!(std::fs::read_to_string(topics.join("river.md")).unwrap().contains("broke through"));
    }

    #[test]
    fn keeps_front_matter_keys_and_escapes_markdown() {
        let dir = project();
        let topics = dir.path().join("content/topics");
        std::fs::create_dir_all(&topics).unwrap();
        std::fs::write(topics.join("river.md"), "+++\ntitle = \"The river\"\nkeywords = [\"levee\"]\n+++\n")
            .unwrap();
        let report = draft(dir.path()).unwrap();
        assert!(report.written.contains(&"content/topics/river.md".to_string()), "{report:?}");
        let text = std::fs::read_to_string(topics.join("river.md")).unwrap();
        assert!(text.contains("title = \"The river\"") && text.contains("levee"), "{text}");
        assert_eq!(escape_markdown("a <b> *c*"), "a \\<b\\> \\*c\\*");
    }
}
