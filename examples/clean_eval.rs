//! Measures the cleaner on a corpus of real news pages.
//!
//! ```text
//! cargo run --release --example clean_eval -- ../shared/corpus
//! cargo run --release --example clean_eval -- ../shared/corpus --show 017
//! cargo run --release --example clean_eval -- --bench path/to/seeds
//! ```
//!
//! `--every` prints every page's scores, not only the worst ten (to compare two runs).
//!
//! `--bench DIR` only times the cleaner (learning repeats, then cleaning every `*.txt` in
//! `DIR` on one thread, best of three) and prints lines per second.
//!
//! The corpus folder holds, per page `NNN`: `NNN.txt` (every text block of the page, one a
//! line), `NNN.region.txt` (the article's first to last line, junk inside included) and
//! `NNN.gold.txt` (the true article body); `NNN.labels.txt` / `NNN.region.labels.txt` give
//! one 0/1 label a line, used only by `--show`.
//!
//! Each page goes through the same code path as a seed (`parse_seed`, then the `Cleaner`
//! after `learn_repeats` over all pages of the variant, as `brief build` does over `seeds/`).
//! What is kept (paragraphs and headings) is scored against the gold body as the
//! article-extraction benchmark does: 4-word shingles of `\w+` tokens (lower-cased), counted
//! as multisets, precision and recall per page averaged over pages, F1 from the averages.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use brief::clean::{self, Cleaner, LineClass};
use brief::config::CleanOverrides;
use brief::ingest::parse_seed;
use brief::model::RawArticle;

struct Page {
    id: String,
    lang: String,
    gold: String,
}

#[derive(Clone, Copy, Default)]
struct Score {
    precision: Option<f64>,
    recall: Option<f64>,
}

impl Score {
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision.unwrap_or(0.0), self.recall.unwrap_or(0.0));
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut show = None;
    let mut every = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--show" => show = args.next(),
            "--every" => every = true,
            "--bench" => {
                let Some(seeds) = args.next() else { bail!("--bench needs a folder of seeds") };
                return bench(Path::new(&seeds));
            }
            "-h" | "--help" => {
                println!("usage: clean_eval CORPUS_DIR [--show NNN | --every]");
                return Ok(());
            }
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let Some(dir) = dir else { bail!("usage: clean_eval CORPUS_DIR [--show NNN | --every]") };
    let pages = load_pages(&dir)?;
    if pages.is_empty() {
        bail!("{}: no NNN.gold.txt files", dir.display());
    }
    if let Some(id) = show {
        return show_page(&dir, &pages, &id);
    }
    println!("{} pages from {}", pages.len(), dir.display());
    let mut total_lines = 0usize;
    let mut total_secs = 0.0f64;
    for (variant, suffix) in [("pages", "txt"), ("regions", "region.txt")] {
        let articles = load_articles(&dir, &pages, suffix)?;
        let started = Instant::now();
        let mut cleaner = Cleaner::new(&CleanOverrides::default())?;
        cleaner.learn_repeats(&articles);
        let kept: Vec<String> = articles
            .iter()
            .map(|a| {
                let cleaned = clean::clean(a, &cleaner);
                cleaned.blocks.iter().map(|b| &*b.text).collect::<Vec<_>>().join("\n")
            })
            .collect();
        total_secs += started.elapsed().as_secs_f64();
        total_lines += articles.iter().map(|a| a.lines.len()).sum::<usize>();

        let scores: Vec<Score> = pages.iter().zip(&kept).map(|(p, k)| score(&p.gold, k)).collect();
        let keep_all: Vec<Score> =
            pages.iter().zip(&articles).map(|(p, a)| score(&p.gold, &joined(a, |_| true))).collect();
        let long: Vec<Score> = pages
            .iter()
            .zip(&articles)
            .map(|(p, a)| score(&p.gold, &joined(a, |t| t.chars().count() >= 80)))
            .collect();
        let (p, r, f) = average(&scores);
        println!("\n{variant}: P={p:.3} R={r:.3} F1={f:.3}");
        let (_, _, fa) = average(&keep_all);
        let (_, _, fl) = average(&long);
        println!("  reference: keep every line F1={fa:.3}; lines of 80+ chars F1={fl:.3}");
        let mut order: Vec<usize> = (0..pages.len()).collect();
        order.sort_by(|&a, &b| scores[a].f1().total_cmp(&scores[b].f1()).then(a.cmp(&b)));
        println!("  {}:", if every { "every page" } else { "worst pages" });
        for &i in order.iter().take(if every { order.len() } else { 10 }) {
            let s = scores[i];
            println!(
                "    {} ({})  P={:.3} R={:.3} F1={:.3}",
                pages[i].id,
                pages[i].lang,
                s.precision.unwrap_or(0.0),
                s.recall.unwrap_or(0.0),
                s.f1()
            );
        }
    }
    println!(
        "\nspeed: {total_lines} lines cleaned in {:.3} s ({:.0} lines/second, one thread, learning repeats included)",
        total_secs,
        total_lines as f64 / total_secs.max(1e-9)
    );
    Ok(())
}

/// Times the cleaner alone on a folder of seeds: best of three runs, one thread.
fn bench(dir: &Path) -> Result<()> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read the seeds folder", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let articles: Vec<RawArticle> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).with_context(|| format!("{}: cannot read", f.display()))?;
            parse_seed(&f.to_string_lossy(), &text)
        })
        .collect::<Result<_>>()?;
    let lines: usize = articles.iter().map(|a| a.lines.len()).sum();
    let mut best = f64::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let mut cleaner = Cleaner::new(&CleanOverrides::default())?;
        cleaner.learn_repeats(&articles);
        let kept: usize = articles.iter().map(|a| clean::clean(a, &cleaner).blocks.len()).sum();
        best = best.min(started.elapsed().as_secs_f64());
        std::hint::black_box(kept);
    }
    println!(
        "{} articles, {lines} lines cleaned in {best:.3} s ({:.0} lines/second, one thread)",
        articles.len(),
        lines as f64 / best.max(1e-9)
    );
    Ok(())
}

/// Pages from `manifest.tsv` when present (for the language column), else every `*.gold.txt`.
fn load_pages(dir: &Path) -> Result<Vec<Page>> {
    let mut langs: HashMap<String, String> = HashMap::new();
    if let Ok(manifest) = std::fs::read_to_string(dir.join("manifest.tsv")) {
        for line in manifest.lines().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() > 3 {
                langs.insert(cols[0].to_string(), cols[3].to_string());
            }
        }
    }
    let mut ids: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot read the corpus folder", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".gold.txt")).map(String::from))
        .collect();
    ids.sort();
    ids.into_iter()
        .map(|id| {
            let gold = std::fs::read_to_string(dir.join(format!("{id}.gold.txt")))
                .with_context(|| format!("{id}.gold.txt: cannot read"))?;
            let lang = langs.get(&id).cloned().unwrap_or_else(|| "?".into());
            Ok(Page { id, lang, gold })
        })
        .collect()
}

fn load_articles(dir: &Path, pages: &[Page], suffix: &str) -> Result<Vec<RawArticle>> {
    pages
        .iter()
        .map(|p| {
            let name = format!("{}.{suffix}", p.id);
            let text =
                std::fs::read_to_string(dir.join(&name)).with_context(|| format!("{name}: cannot read"))?;
            parse_seed(&name, &text)
        })
        .collect()
}

fn joined(article: &RawArticle, keep: impl Fn(&str) -> bool) -> String {
    article.lines.iter().filter(|l| keep(&l.text)).map(|l| &*l.text).collect::<Vec<_>>().join("\n")
}

/// `\w+` tokens, lower-cased.
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// 4-word shingles as a multiset; a text of fewer tokens is one short shingle.
fn shingles(text: &str) -> HashMap<Vec<String>, usize> {
    let toks = tokens(text);
    let mut out = HashMap::new();
    let n = 4;
    for i in 0..toks.len().saturating_sub(n - 1).max(1) {
        let end = (i + n).min(toks.len());
        if i < end {
            *out.entry(toks[i..end].to_vec()).or_default() += 1;
        }
    }
    out
}

fn score(gold: &str, kept: &str) -> Score {
    let truth = shingles(gold);
    let pred = shingles(kept);
    let (mut tp, mut fp, mut fn_) = (0.0f64, 0.0f64, 0.0f64);
    for (key, &t) in &truth {
        let p = pred.get(key).copied().unwrap_or(0);
        tp += t.min(p) as f64;
        fn_ += t.saturating_sub(p) as f64;
    }
    for (key, &p) in &pred {
        fp += p.saturating_sub(truth.get(key).copied().unwrap_or(0)) as f64;
    }
    let precision =
        if tp + fp > 0.0 { Some(if fp == 0.0 && fn_ == 0.0 { 1.0 } else { tp / (tp + fp) }) } else { None };
    let recall =
        if tp + fn_ > 0.0 { Some(if fp == 0.0 && fn_ == 0.0 { 1.0 } else { tp / (tp + fn_) }) } else { None };
    Score { precision, recall }
}

/// Precision and recall averaged over the pages where each is defined, F1 from the averages.
fn average(scores: &[Score]) -> (f64, f64, f64) {
    let mean = |values: Vec<f64>| {
        if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / values.len() as f64 }
    };
    let p = mean(scores.iter().filter_map(|s| s.precision).collect());
    let r = mean(scores.iter().filter_map(|s| s.recall).collect());
    let f = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
    (p, r, f)
}

/// Prints every line of one page (both variants) with its gold label and the cleaner's verdict.
fn show_page(dir: &Path, pages: &[Page], id: &str) -> Result<()> {
    for (suffix, labels) in [("txt", "labels.txt"), ("region.txt", "region.labels.txt")] {
        let articles = load_articles(dir, pages, suffix)?;
        let Some(index) = pages.iter().position(|p| p.id == id) else { bail!("no page {id}") };
        let labels: Vec<String> = std::fs::read_to_string(dir.join(format!("{id}.{labels}")))
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect();
        let mut cleaner = Cleaner::new(&CleanOverrides::default())?;
        cleaner.learn_repeats(&articles);
        let article = &articles[index];
        println!("== {id}.{suffix} ({})", pages[index].lang);
        let text = std::fs::read_to_string(dir.join(format!("{id}.{suffix}")))?;
        let raw_lines: Vec<&str> = text.lines().collect();
        for d in cleaner.classify(article) {
            let kept = matches!(d.class, LineClass::Paragraph | LineClass::Heading);
            let gold = labels.get(d.line - 1).map(String::as_str).unwrap_or("?");
            let flag = match (gold, kept) {
                ("1", false) => "MISS",
                ("0", true) => "JUNK",
                _ => "    ",
            };
            let shown: String = raw_lines.get(d.line - 1).unwrap_or(&"").chars().take(110).collect();
            println!(
                "{flag} {gold} {:>4} {:<11} {:<16} {:<9} {} {:>3} {:.2} {}",
                d.line,
                d.class.name(),
                d.reason,
                d.quality.name(),
                if d.in_main { "M" } else { " " },
                d.features.words,
                d.features.stopword_ratio,
                shown
            );
        }
    }
    Ok(())
}
