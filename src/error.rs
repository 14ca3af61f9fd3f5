//! Errors that point at a file and line, as `path:line: message`.

use std::path::Path;

/// Turns a TOML error into `path:line: message`. `line_offset` is the number of lines before
/// `text` in the file (front matter starts after the opening `+++`).
pub fn located(path: &Path, text: &str, line_offset: usize, err: toml::de::Error) -> anyhow::Error {
    let line =
        err.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1).unwrap_or(1)
            + line_offset;
    anyhow::anyhow!("{}:{}: {}", path.display(), line, err.message().trim_end())
}
