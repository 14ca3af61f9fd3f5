//! Ingest: walk `seeds/` in sorted order and read each `*.txt` into a `RawArticle`.
//!
//! A seed is one paragraph a line; blank lines may separate paragraphs or not. Two optional
//! header fields: a leading `date YYYY-MM-DD` (the rest of that line is text), and a headline:
//! the first line followed by a blank line, when the rest of the file is not blank-separated
//! throughout or the line is shaped like a headline (short, no closing full stop).

use std::borrow::Cow;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::cache::seeds::{FileId, KnownArticle, KnownSeed, SeedIndex};
use crate::model::{RawArticle, SourceLine};

/// Something wrong with a seed that did not stop the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub file: String,
    pub message: String,
}

pub struct Ingested {
    pub articles: Vec<RawArticle>,
    pub warnings: Vec<Warning>,
    /// Per article: what the seed index knew of it, when its file was unchanged and so not
    /// read (the article then has no lines; `read_again` reads it). The build takes the line
    /// keys out for the counting of repeated lines.
    pub known: Vec<Option<KnownArticle>>,
    /// Per article: its file's identity, when it may go in the seed index.
    pub ids: Vec<Option<FileId>>,
    /// Seeds that gave no article, with their file's identity and their warning.
    pub skipped: Vec<(String, Option<FileId>, Option<String>)>,
}

/// Reads every `*.txt` under `ROOT/seeds`, sorted by path, in parallel. Symbolic links are not
/// followed (a link may point outside the project or into a loop). A seed that cannot be used
/// as it is gets repaired or skipped with a warning naming it; only a seed whose header is
/// wrong (a bad date) fails the build, and then every such seed is reported at once.
pub fn ingest(root: &Path) -> Result<Ingested> {
    ingest_known(root, &SeedIndex::new())
}

/// `ingest`, taking a seed whose file is unchanged since `index` was made from the index
/// instead of reading it.
pub fn ingest_known(root: &Path, index: &SeedIndex) -> Result<Ingested> {
    ingest_listed(list_seeds(root)?, index)
}

/// The seed files under `ROOT/seeds`, sorted by path, and warnings about what was skipped.
pub struct Listed {
    /// Each file's path, and its path relative to the root, `/`-separated.
    files: Vec<(std::path::PathBuf, String)>,
    warnings: Vec<Warning>,
}

/// Lists the seed files (`*.txt`) under `ROOT/seeds`, sorted by path; symbolic links are
/// skipped with a warning (a link may point outside the project or into a loop).
pub fn list_seeds(root: &Path) -> Result<Listed> {
    let dir = root.join("seeds");
    if !dir.is_dir() {
        bail!("{}: no seeds folder; put article text files (*.txt) in it", dir.display());
    }
    let mut files = Vec::new();
    let mut symlinks = Vec::new();
    for entry in WalkDir::new(&dir).follow_links(false) {
        let entry = entry.with_context(|| format!("{}: cannot walk", dir.display()))?;
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        if entry.path_is_symlink() {
            let warning = Warning {
                file: rel,
                message: "symbolic link skipped; copy the file into seeds/ instead".into(),
            };
            symlinks.push((entry.into_path(), warning));
            continue;
        }
        if entry.file_type().is_file() && path.extension().is_some_and(|e| e == "txt") {
            files.push((entry.into_path(), rel));
        }
    }
    // Sorted name by name down the folders (as a walk sorted folder by folder would give
    // them), on keys made once per path rather than paths taken apart at every comparison.
    files.sort_by_cached_key(|(path, _)| name_order_key(path));
    symlinks.sort_by_cached_key(|(path, _)| name_order_key(path));
    Ok(Listed { files, warnings: symlinks.into_iter().map(|(_, w)| w).collect() })
}

/// A key whose byte order is the order of paths name by name, folder by folder: the path's
/// bytes with each separator made a zero byte, which sorts below any byte a name can hold (a
/// name that is the start of another then comes first, as it does compared name by name).
fn name_order_key(path: &Path) -> Vec<u8> {
    // A separator is ASCII, never part of a longer character.
    let bytes = path.as_os_str().as_encoded_bytes();
    bytes.iter().map(|&b| if std::path::is_separator(char::from(b)) { 0 } else { b }).collect()
}

/// `ingest_known` of the seeds `list_seeds` found.
pub fn ingest_listed(listed: Listed, index: &SeedIndex) -> Result<Ingested> {
    let Listed { files, warnings } = listed;
    let now_ns =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    type Outcome = (Option<RawArticle>, Option<Warning>, Option<KnownArticle>, Option<FileId>);
    let look_at_each = || -> Vec<Result<Outcome>> {
        files
            .par_iter()
            .map(|(path, rel)| {
                // The identity is taken before reading: a change while reading shows next time.
                let id =
                    std::fs::metadata(path).ok().and_then(|m| FileId::of(&m)).filter(|id| id.settled(now_ns));
                let known = index.get(rel.as_str()).filter(|k| id.is_some() && Some(k.id) == id);
                let warning = |known: &KnownSeed| {
                    known.warning.clone().map(|message| Warning { file: rel.clone(), message })
                };
                Ok(match known {
                    Some(known) => match &known.article {
                        Some(article) => (Some(stub(rel)), warning(known), Some(article.clone()), id),
                        None => (None, warning(known), None, id),
                    },
                    None => {
                        let (article, warning) = read_seed(path, rel)?;
                        (article, warning, None, id)
                    }
                })
            })
            .collect()
    };
    let outcomes = with_readers(files.len(), look_at_each);
    let mut ingested = Ingested {
        articles: Vec::with_capacity(outcomes.len()),
        warnings,
        known: Vec::with_capacity(outcomes.len()),
        ids: Vec::with_capacity(outcomes.len()),
        skipped: Vec::new(),
    };
    let mut errors = Vec::new();
    for (outcome, (_, rel)) in outcomes.into_iter().zip(&files) {
        match outcome {
            Ok((Some(article), warning, known, id)) => {
                ingested.articles.push(article);
                ingested.known.push(known);
                ingested.ids.push(id);
                ingested.warnings.extend(warning);
            }
            Ok((None, warning, _, id)) => {
                ingested.skipped.push((rel.clone(), id, warning.as_ref().map(|w| w.message.clone())));
                ingested.warnings.extend(warning);
            }
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    match errors.len() {
        0 => Ok(ingested),
        1 => bail!("{}", errors[0]),
        n => bail!("{n} seeds have errors:\n{}", errors.join("\n")),
    }
}

/// Threads that stat and read seeds, per core: a seed that is not in the page cache leaves its
/// thread waiting on the disk, and a disk serves many reads at once (100,000 seeds read from
/// disk: 5.5 s with a thread per core, 3 s with eight).
const READERS_PER_CORE: usize = 8;
/// Below this many seeds, threads of their own cost more than they save.
const READERS_FROM: usize = 1024;

/// Runs `work` on a pool of `READERS_PER_CORE` threads per core when there are `files` enough,
/// else where it is.
fn with_readers<T: Send>(files: usize, work: impl FnOnce() -> T + Send) -> T {
    if files < READERS_FROM {
        return work();
    }
    let threads = rayon::current_num_threads() * READERS_PER_CORE;
    match rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("brief-read-{i}"))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
}

/// An article standing in for a seed that was not read: its path and nothing else.
fn stub(rel: &str) -> RawArticle {
    RawArticle { seed: rel.to_string(), headline: None, date: None, lines: Vec::new() }
}

/// Reads a seed that `ingest_known` took from the index (its cleaning is wanted after all).
pub fn read_again(root: &Path, article: &mut RawArticle) -> Result<()> {
    let (read, _) = read_seed(&root.join(&article.seed), &article.seed)?;
    *article =
        read.with_context(|| format!("{}: changed while brief was building; build again", article.seed))?;
    Ok(())
}

/// Share of control characters above which a file is taken for binary data.
const BINARY_CONTROL_SHARE: f64 = 0.01;

fn read_seed(path: &Path, rel: &str) -> Result<(Option<RawArticle>, Option<Warning>)> {
    let bytes = std::fs::read(path).with_context(|| format!("{rel}: cannot read"))?;
    let warn = |message: String| Some(Warning { file: rel.to_string(), message });
    let controls = bytes.iter().filter(|b| **b < 0x09 || (0x0e..0x20).contains(*b)).count();
    if bytes.contains(&0) || controls as f64 > bytes.len() as f64 * BINARY_CONTROL_SHARE {
        return Ok((None, warn("looks like a binary file, skipped; seeds must be plain text".into())));
    }
    let (text, mut warning) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let message = format!(
                "not valid UTF-8 (first bad byte at offset {offset}); bad bytes shown as U+FFFD; re-save the file as UTF-8"
            );
            (text, warn(message))
        }
    };
    let article = parse_seed(rel, &text)?;
    if article.lines.is_empty() && article.headline.is_none() {
        warning = warn("empty seed skipped".into());
        return Ok((None, warning));
    }
    Ok((Some(article), warning))
}

/// Parses one seed's text. `seed` is its project-relative path, used in errors.
pub fn parse_seed(seed: &str, text: &str) -> Result<RawArticle> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<SourceLine> = Vec::new();
    // Blank lines matter only for the headline rule; keep their positions.
    let mut blank_after: Vec<bool> = Vec::new();
    let mut date = None;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let mut line = normalise_space(raw);
        if lines.is_empty()
            && date.is_none()
            && let Some((parsed, rest)) = split_date(&line)
        {
            date = Some(parsed.map_err(|msg| anyhow::anyhow!("{seed}:{number}: {msg}"))?);
            line = Cow::Owned(rest.to_string());
        }
        if line.is_empty() {
            if let Some(last) = blank_after.last_mut() {
                *last = true;
            }
            continue;
        }
        lines.push(SourceLine { number, text: crate::model::packed_text(&line) });
        blank_after.push(false);
    }
    let mut headline = None;
    if lines.len() > 1 && blank_after[0] {
        let gaps = blank_after[1..lines.len() - 1].iter().filter(|b| **b).count();
        let blank_separated = lines.len() > 2 && gaps * 2 >= lines.len() - 2;
        if !blank_separated || looks_like_headline(&lines[0].text) {
            headline = Some(lines.remove(0).text.to_string());
        }
    }
    Ok(RawArticle { seed: seed.to_string(), headline, date, lines })
}

/// `date 2024-11-30 rest…` or `Date: 2024-11-30` at the start of a line.
fn split_date(line: &str) -> Option<(Result<NaiveDate, String>, &str)> {
    let head = line.get(..4)?;
    if !head.eq_ignore_ascii_case("date") {
        return None;
    }
    let rest = line[4..].strip_prefix(':').unwrap_or(&line[4..]);
    let rest = rest.strip_prefix(' ')?.trim_start();
    let token_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let token = &rest[..token_end];
    if !token.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(token, "%Y-%m-%d")
        .map_err(|_| format!("`date {token}` is not a valid date; write it as YYYY-MM-DD"));
    Some((parsed, rest[token_end..].trim_start()))
}

fn looks_like_headline(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let trimmed = line.trim_end_matches(['"', '\'', '”', '’', ')']);
    words <= 25 && !trimmed.ends_with('.')
}

/// Collapses runs of whitespace (tabs, non-breaking spaces, CR) to one space and trims.
fn normalise_space(line: &str) -> Cow<'_, str> {
    // Most lines have nothing to collapse: ASCII, words one space apart. Those are kept.
    if is_single_spaced_ascii(line) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    for word in line.split(|c: char| c.is_whitespace() || c == '\u{a0}') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// ASCII with no whitespace but single spaces between other characters.
fn is_single_spaced_ascii(line: &str) -> bool {
    let bytes = line.as_bytes();
    // Without branches on each byte, so that the compiler reads many at a time: a byte by byte
    // loop was most of parsing a seed.
    let other_space_or_not_ascii =
        bytes.iter().fold(false, |found, &b| found | (b >= 0x80) | (b'\t'..=b'\r').contains(&b));
    let double_space = bytes
        .iter()
        .zip(&bytes[1.min(bytes.len())..])
        .fold(false, |found, (&a, &b)| found | ((a == b' ') & (b == b' ')));
    !other_space_or_not_ascii && !double_space && bytes.first() != Some(&b' ') && bytes.last() != Some(&b' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Lines copied as they are are those the collapsing would leave as they are.
        #[test]
        fn single_spaced_lines_are_left_as_they_are(line in "[a \t\r\n\u{8}\u{b}\u{c}\u{e}\u{1c}\u{7f}\u{80}\u{a0}\u{2003}é.]{0,12}") {
            let mut general = String::new();
            for word in line.split(|c: char| c.is_whitespace() || c == '\u{a0}').filter(|w| !w.is_empty()) {
                if !general.is_empty() {
                    general.push(' ');
                }
                general.push_str(word);
            }
            proptest::prop_assert_eq!(&normalise_space(&line), &general);
            if is_single_spaced_ascii(&line) {
                proptest::prop_assert_eq!(&line, &general);
            } else {
                proptest::prop_assert!(!line.is_ascii() || line != general, "{line:?} is left as it is");
            }
        }

        /// The sort key orders paths as comparing them name by name does.
        #[test]
        fn name_order_keys_order_paths_name_by_name(a in "[a/ .-]{0,8}", b in "[a/ .-]{0,8}") {
            let names = |p: &str| p.split('/').map(str::to_string).collect::<Vec<_>>();
            proptest::prop_assert_eq!(
                name_order_key(Path::new(&a)).cmp(&name_order_key(Path::new(&b))),
                names(&a).cmp(&names(&b))
            );
        }
    }

    #[test]
    fn headline_then_one_line_per_paragraph() {
        let a = parse_seed("s.txt", "A headline\n\nFirst para.\nSecond para.\n").unwrap();
        assert_eq!(a.headline.as_deref(), Some("A headline"));
        assert_eq!(a.lines.len(), 2);
        assert_eq!(a.lines[1].number, 4);
    }

    #[test]
    fn blank_separated_lead_is_not_a_headline() {
        let a = parse_seed(
            "s.txt",
            " date 2024-11-30 The lead paragraph says a thing.\n\nSecond.\n\nThird.\n\nFourth.",
        )
        .unwrap();
        assert_eq!(a.headline, None);
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2024, 11, 30));
        assert_eq!(a.lines[0].text, "The lead paragraph says a thing.");
        assert_eq!(a.lines.len(), 4);
    }

    #[test]
    fn blank_separated_with_headline_shape() {
        let a = parse_seed("s.txt", "Rebels enter Aleppo\n\nOne.\n\nTwo.\n\nThree.\n").unwrap();
        assert_eq!(a.headline.as_deref(), Some("Rebels enter Aleppo"));
        assert_eq!(a.lines.len(), 3);
    }

    #[test]
    fn no_header_at_all() {
        let a = parse_seed("s.txt", "One.\nTwo.\n").unwrap();
        assert_eq!(a.headline, None);
        assert_eq!(a.date, None);
        assert_eq!(a.lines.len(), 2);
    }

    #[test]
    fn crlf_bom_and_odd_spaces() {
        let a = parse_seed("s.txt", "\u{feff}Date: 2024-01-02\r\nOne\u{a0} two.\r\n").unwrap();
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2024, 1, 2));
        assert_eq!(a.lines[0].text, "One two.");
    }

    #[test]
    fn bad_date_names_file_and_line() {
        let err = parse_seed("seeds/x.txt", "\ndate 2024-13-45 Text.").unwrap_err().to_string();
        assert!(err.starts_with("seeds/x.txt:2:"), "{err}");
    }

    #[test]
    fn a_word_date_is_text() {
        let a = parse_seed("s.txt", "Dated evidence shows.\n").unwrap();
        assert_eq!(a.date, None);
        assert_eq!(a.lines[0].text, "Dated evidence shows.");
    }

    #[test]
    fn walks_sorted_repairs_and_skips_with_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = dir.path().join("seeds");
        std::fs::create_dir_all(&seeds).unwrap();
        std::fs::write(seeds.join("b.txt"), "B.\n").unwrap();
        std::fs::write(seeds.join("a.txt"), "A.\n").unwrap();
        std::fs::write(seeds.join("empty.txt"), "\n\n").unwrap();
        std::fs::write(seeds.join("notes.md"), "ignored").unwrap();
        std::fs::write(seeds.join("c.txt"), [b'C', 0xff, b'.', b'\n']).unwrap();
        std::fs::write(seeds.join("d.txt"), [0x7f, b'E', b'L', b'F', 0, 1, 2, 3]).unwrap();
        let out = ingest(dir.path()).unwrap();
        let seeds: Vec<_> = out.articles.iter().map(|a| a.seed.as_str()).collect();
        assert_eq!(seeds, ["seeds/a.txt", "seeds/b.txt", "seeds/c.txt"]);
        assert_eq!(out.articles[2].lines[0].text, "C\u{fffd}.");
        let warned: Vec<_> =
            out.warnings.iter().map(|w| (w.file.as_str(), w.message.split(' ').next().unwrap())).collect();
        assert_eq!(warned, [("seeds/c.txt", "not"), ("seeds/d.txt", "looks"), ("seeds/empty.txt", "empty")]);
    }

    #[test]
    fn folders_are_walked_name_by_name_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = dir.path().join("seeds");
        for file in ["b.txt", "a-b.txt", "a/y/z.txt", "a/x.txt", "a/a.txt"] {
            let path = seeds.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "Text.\n").unwrap();
        }
        let listed = list_seeds(dir.path()).unwrap();
        let files: Vec<_> = listed.files.iter().map(|(_, rel)| rel.as_str()).collect();
        // A folder's files come where its name sorts ("a" before "a-b.txt"), not where its
        // path does as a string ("a/" after "a-").
        assert_eq!(
            files,
            ["seeds/a/a.txt", "seeds/a/x.txt", "seeds/a/y/z.txt", "seeds/a-b.txt", "seeds/b.txt"]
        );
        for (path, rel) in &listed.files {
            assert_eq!(path, &dir.path().join(rel));
        }
    }

    #[cfg(unix)]
    #[test]
    fn odd_names_are_listed_in_the_order_of_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let seeds = dir.path().join("seeds");
        std::fs::create_dir_all(seeds.join("a")).unwrap();
        let names: [&[u8]; 7] = [
            b"\xc0a.txt",
            "\u{e9}.txt".as_bytes(),
            b"\xfe.txt",
            b"\xff.txt",
            b"a\\b.txt",
            b"a/z.txt",
            b"a-c.txt",
        ];
        for name in names {
            std::fs::write(seeds.join(std::ffi::OsStr::from_bytes(name)), "Text.\n").unwrap();
        }
        let listed: Vec<_> =
            list_seeds(dir.path()).unwrap().files.into_iter().map(|(path, _)| path).collect();
        // The order a walk sorted folder by folder gives, by the names' bytes.
        let walked: Vec<_> = WalkDir::new(&seeds)
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .collect();
        assert_eq!(listed.len(), names.len());
        assert_eq!(listed, walked);
    }

    #[test]
    fn every_bad_header_is_reported_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let seeds = dir.path().join("seeds");
        std::fs::create_dir_all(&seeds).unwrap();
        std::fs::write(seeds.join("x.txt"), "date 2024-02-31 Text.\n").unwrap();
        std::fs::write(seeds.join("y.txt"), "date 2024-99-01 Text.\n").unwrap();
        let err = ingest(dir.path()).err().unwrap().to_string();
        assert!(err.contains("seeds/x.txt:1") && err.contains("seeds/y.txt:1"), "{err}");
    }
}
