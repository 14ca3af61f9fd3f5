//! `brief explain`: one line per input line with the verdict, the rule or quality that decided
//! it, and the measures behind it, so an editor can see why a paragraph vanished.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::{Cleaner, Decision};
use crate::config::Config;
use crate::content::Content;
use crate::model::RawArticle;

/// Explains one seed file as `brief build` would clean it in the project at `root`: with the
/// project's patterns, the repeats learned from its `seeds/`, and the outlet's own patterns.
pub fn explain_in_project(root: &Path, file: &Path) -> Result<String> {
    let config = Config::load(root)?;
    let content = Content::load(root)?;
    let mut cleaner = Cleaner::new(&config.clean)?;
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("{}: cannot read (is it UTF-8?)", file.display()))?;
    let name = file.to_string_lossy().replace('\\', "/");
    let article = crate::ingest::parse_seed(&name, &text)?;
    let seeds = if root.join("seeds").is_dir() { crate::ingest::ingest(root)?.articles } else { Vec::new() };
    cleaner.learn_repeats(&seeds);
    // The outlet is known only after cleaning: clean the project, find this seed's outlet.
    let cleaned: Vec<_> = seeds.iter().map(|a| super::clean(a, &cleaner)).collect();
    let attribution = crate::outlet::identify(&cleaned, &content);
    let canonical = file.canonicalize().ok();
    let position =
        seeds.iter().position(|a| root.join(&a.seed).canonicalize().ok() == canonical && canonical.is_some());
    let mut notes = String::new();
    if let Some(i) = position {
        let slug = &attribution.outlets[attribution.of_article[i]].slug;
        if let Some(page) = content.sources.get(slug)
            && (!page.meta.clean.drop.is_empty() || !page.meta.clean.keep.is_empty())
        {
            cleaner = cleaner.with_overrides(&page.meta.clean, &page.path)?;
            let _ = writeln!(notes, "outlet    {slug} (its [clean] patterns apply)");
        }
    }
    Ok(format!("{notes}{}", explain(&article, &cleaner)))
}

/// The explanation of a whole article, ready to print.
pub fn explain(article: &RawArticle, cleaner: &Cleaner) -> String {
    let decisions = cleaner.classify(article);
    let mut out = String::new();
    let language = decisions.first().map(|d| d.language).unwrap_or("und");
    let _ = writeln!(out, "language  {language}");
    if let Some(headline) = &article.headline {
        let _ = writeln!(out, "headline  {headline}");
    }
    let _ = writeln!(out, "line class       reason            quality   main words stop  end | text");
    for d in &decisions {
        let _ = writeln!(out, "{}", explain_line(d));
        for cut in &d.cuts {
            let _ = writeln!(out, "{:>4} {:<11} {:<17} {:<33} | {}", d.line, "cut", cut.reason, "", cut.text);
        }
    }
    out
}

/// One decision as a line: number, class, reason, quality, whether it is in the article's
/// main run, words, function-word share, sentence end, then the text.
pub fn explain_line(d: &Decision) -> String {
    let f = &d.features;
    format!(
        "{:>4} {:<11} {:<17} {:<9} {:<4} {:>5} {:.2} {:<3} | {}",
        d.line,
        d.class.name(),
        d.reason,
        d.quality.name(),
        if d.in_main { "yes" } else { "no" },
        f.words,
        f.stopword_ratio,
        if f.sentence_end { "y" } else { "n" },
        d.text
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CleanOverrides;
    use crate::ingest::parse_seed;

    #[test]
    fn explains_every_line_with_its_reason() {
        let article = parse_seed(
            "t.txt",
            "The harbour master said the ferry would run again from Thursday after the storm passed.\nShare this article\n",
        )
        .unwrap();
        let cleaner = Cleaner::new(&CleanOverrides::default()).unwrap();
        let text = explain(&article, &cleaner);
        assert!(text.starts_with("language  en\n"), "{text}");
        assert!(text.contains("paragraph   body"), "{text}");
        assert!(text.contains("boilerplate share-prompt"), "{text}");
        assert_eq!(text.lines().count(), 4, "{text}");
    }
}
