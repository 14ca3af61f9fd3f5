//! The pipeline, stage by stage: config and content, ingest, clean, outlet, topics, assemble,
//! render. `Site::load` builds everything in memory (for `serve`, `check` and tests); `build`
//! renders each file straight into the output's staging folder (`write::Staging`).

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use rayon::prelude::*;

use crate::assemble::{self, Inputs};
use crate::cache;
use crate::cache::seeds::{KnownArticle, KnownSeed};
use crate::clean::{self, Cleaner};
use crate::config::Config;
use crate::content::Content;
use crate::ingest::{self, Warning};
use crate::model::{Briefing, CleanedArticle, Digest, RawArticle};
use crate::outlet;
use crate::render::{self, OutputFile, Renderer};
use crate::topics::{self, Matcher};
use crate::write::{Memo, MemoryFiles, MemorySink, Sink, Staging, put_bytes};

/// A built site in memory.
pub struct Site {
    pub briefing: Briefing,
    /// The files, when built in memory (`load`); empty after `build`, which wrote them.
    pub files: Vec<OutputFile>,
    /// How many HTML pages the site has.
    pub pages: usize,
    pub warnings: Vec<Warning>,
    pub timings: Vec<StageTiming>,
    /// How many seeds were not read: their files were unchanged and the build cache had their
    /// cleaning.
    pub unread: usize,
}

pub struct BuildOptions {
    /// `SOURCE_DATE_EPOCH`: the timestamp printed on the site, for reproducible builds.
    pub source_date_epoch: Option<i64>,
    /// The process ends after this build (`brief build`): what it no longer needs is left to
    /// the system to take back rather than freed string by string.
    pub process_ends: bool,
}

impl BuildOptions {
    pub fn from_env() -> BuildOptions {
        BuildOptions {
            source_date_epoch: std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse().ok()),
            process_ends: false,
        }
    }
}

impl Site {
    /// Builds the project in memory, without reading or writing the build cache.
    pub fn load(root: &Path, options: &BuildOptions) -> Result<Site> {
        Site::load_into_memory(root, options, false)
    }

    /// Builds the project in memory, reusing and then updating `.brief-cache/` (see `cache`).
    pub fn load_cached(root: &Path, options: &BuildOptions) -> Result<Site> {
        Site::load_into_memory(root, options, true)
    }

    /// `load_cached`, taking over the unchanged pages and data-file chunks of the previous
    /// build in memory (`brief serve`); `memos` says what each of this build's files was
    /// made from, for the next.
    pub fn load_cached_reusing(
        root: &Path,
        options: &BuildOptions,
        previous: MemoryFiles,
    ) -> Result<(Site, HashMap<String, Memo>)> {
        let sink = MemorySink::reusing(previous);
        let mut site = Site::load_into(root, options, true, &sink)?;
        let (files, memos) = sink.into_files_and_memos();
        site.files = files;
        Ok((site, memos))
    }

    fn load_into_memory(root: &Path, options: &BuildOptions, use_cache: bool) -> Result<Site> {
        let sink = MemorySink::default();
        let mut site = Site::load_into(root, options, use_cache, &sink)?;
        site.files = sink.into_files();
        Ok(site)
    }

    /// Runs the pipeline and puts every output file into `sink` as it is rendered.
    fn load_into(root: &Path, options: &BuildOptions, use_cache: bool, sink: &dyn Sink) -> Result<Site> {
        Site::prepare(root, options, use_cache)?.render(root, sink)
    }

    /// Runs the pipeline up to render.
    fn prepare(root: &Path, options: &BuildOptions, use_cache: bool) -> Result<Prepared> {
        let mut timings = Vec::new();
        let mut clock = Instant::now();
        let mut lap = |name: &'static str, timings: &mut Vec<StageTiming>| {
            timings.push(StageTiming::ended(name, clock.elapsed()));
            clock = Instant::now();
        };

        // The rule table starts compiling on a thread of its own while the seeds are listed
        // and looked up: a build that cleans many seeds needs all of it, and those first
        // stages leave a core free. Cleaning compiles what is left, beside it. A rebuild with a
        // cache mostly cleans a few seeds, which compile only the rules their lines reach.
        if !(use_cache && root.join(cache::DIR).is_dir()) {
            std::thread::spawn(clean::Cleaner::prepare_rules_here);
        }
        let config = Config::load(root)?;
        let (listed, (renderer, setup)) = rayon::join(
            || ingest::list_seeds(root),
            || {
                rayon::join(
                    || Renderer::load(root, &config),
                    || -> Result<_> {
                        let content = Content::load(root)?;
                        let topic_list = topics::topics_from(&config, &content)?;
                        // Seeds whose files are unchanged since the last build are not read (the
                        // seed index stands in for them), unless an outlet has its own cleaning
                        // patterns: which seeds those apply to is known only once every seed is
                        // cleaned.
                        let keys = cache::Keys::new(&config.clean, &topic_list);
                        let own_patterns_anywhere = content
                            .sources
                            .values()
                            .any(|p| !(p.meta.clean.drop.is_empty() && p.meta.clean.keep.is_empty()));
                        // The outlet clues of the last build are wanted only once the seeds
                        // are cleaned, but read here, beside the seed index: that is the longest
                        // of these first steps, and reading them later held up a rebuild whose
                        // other core had nothing to do.
                        let (seed_index, clues) = rayon::join(
                            || {
                                if use_cache && !own_patterns_anywhere {
                                    cache::seeds::load_seeds(root, &keys)
                                } else {
                                    Default::default()
                                }
                            },
                            || if use_cache { cache::load_clues(root, &keys) } else { Default::default() },
                        );
                        Ok((content, topic_list, keys, seed_index, clues, own_patterns_anywhere))
                    },
                )
            },
        );
        let (content, topic_list, keys, seed_index, (known_clues, clues_signature), own_patterns_anywhere) =
            setup?;
        let renderer = renderer?;
        lap("config", &mut timings);
        let mut ingested = ingest::ingest_listed(listed?, &seed_index)?;
        lap("ingest", &mut timings);

        // The line keys of the seeds not read go to the counting of repeated lines; only
        // whether a seed is known, and its raw hash, are wanted after.
        let known_keys: Vec<Option<clean::SeedLineKeys>> = ingested
            .known
            .iter_mut()
            .map(|known| known.as_mut().map(|k| std::mem::take(&mut k.keys)))
            .collect();
        // What the cache already knows: the cleaning of every seed whose text and repeated
        // lines are unchanged, and its topic assignments if the topics are the same.
        // Read beside the counting of repeated lines, which needs only the seeds.
        let (mut cached, (raw_hashes, repeats)) = rayon::join(
            || if use_cache { cache::load(root, &keys) } else { cache::Cache::default() },
            || {
                // How lines recur across seeds: counted once, for the cache keys and the cleaner.
                rayon::join(
                    || {
                        let raw_hash = |(a, known): (&RawArticle, &Option<KnownArticle>)| {
                            known.as_ref().map_or_else(|| cache::raw_hash(a), |k| k.raw)
                        };
                        if use_cache {
                            ingested.articles.par_iter().zip(&ingested.known).map(raw_hash).collect()
                        } else {
                            Vec::new()
                        }
                    },
                    || clean::Repeats::count_known(&ingested.articles, known_keys),
                )
            },
        );
        if !cached.damaged.is_empty() {
            ingested.warnings.push(Warning {
                file: format!("{}/", cache::DIR),
                message: format!("build cache partly ignored ({}); it is rebuilt", cached.damaged.join(", ")),
            });
        }
        let repeat_hashes = if use_cache { cache::repeat_hashes(&repeats) } else { Vec::new() };
        let seeds: Vec<&str> = ingested.articles.iter().map(|a| a.seed.as_str()).collect();
        let mut hits: Vec<Option<cache::Entry>> = cached
            .take_each(&seeds)
            .into_iter()
            .enumerate()
            .map(|(i, entry)| entry.filter(|e| e.raw == raw_hashes[i] && e.repeats == repeat_hashes[i]))
            .collect();
        drop(seeds);
        // Entries of seeds that are gone or changed mean the file is out of date.
        let outdated = !cached.entries.is_empty();
        let shards = std::mem::take(&mut cached.shards);
        drop(cached);
        let reused = hits.iter().filter(|h| h.is_some()).count();
        let assigned = hits.iter().filter(|h| h.as_ref().is_some_and(|h| h.assignment.is_some())).count();
        // Seeds not read whose cleaning is wanted after all (another seed changed how often
        // their lines recur, or the cache lost them): read them now.
        ingested.articles.par_iter_mut().zip(&ingested.known).zip(&hits).try_for_each(
            |((article, known), hit)| match (known, hit) {
                (Some(_), None) => ingest::read_again(root, article),
                _ => Ok(()),
            },
        )?;
        let unread = ingested.known.iter().zip(&hits).filter(|(k, h)| k.is_some() && h.is_some()).count();
        // A rebuild that reads few seeds holds little that later stages could reuse: what it
        // no longer needs is left to the end of the process (`brief build`) rather than freed.
        // A first build frees it, for the memory of the stages after.
        let leave_to_exit = options.process_ends && unread * 2 > ingested.articles.len();
        lap("cache", &mut timings);

        // The facts and summaries of the last build are wanted only in assemble: they are read
        // beside the stages before it, which leave a core idle when few seeds changed. (In a
        // scope, not on a thread of its own: a rayon worker must not block on work the pool
        // may have no thread left to run.)
        let mut known_facts = cache::Known::default();
        let (cleaned, attribution, digests, assignments, cache_writes) =
            rayon::in_place_scope(|scope| -> Result<_> {
                if use_cache {
                    scope.spawn(|_| known_facts = cache::load_facts(root, &keys));
                }
                let mut cleaner = Cleaner::new(&config.clean)?;
                let to_clean = ingested.articles.len() - reused;
                if to_clean > 0 {
                    // Every rule compiled up front pays when many seeds are cleaned. A few seeds
                    // compile what their lines reach (the thread started above compiles the rest
                    // meanwhile): up front, a pool thread waiting for the others could take up
                    // the facts being read beside, and the cleaning would wait for them (20 ms
                    // of a `brief serve` rebuild of 10,000 articles).
                    if to_clean >= PREPARE_RULES_AT {
                        cleaner.prepare();
                    }
                }
                // An outlet's own patterns may clean articles again once outlets are known.
                if to_clean > 0 || own_patterns_anywhere {
                    cleaner.use_repeats(&repeats);
                }
                // A seed's lines are freed as soon as it is cleaned, unless an outlet's own patterns
                // may clean it again: holding every seed beside every cleaning doubled the peak.
                // The lines' repeat keys were made when they were counted, for the seeds read
                // in this build (the others' come from the seed index).
                let line_keys = |i: usize| {
                    let read_now = !matches!(ingested.known.get(i), Some(Some(_)));
                    repeats.lines.get(i).filter(|_| read_now).map(Vec::as_slice)
                };
                let mut cleaned: Vec<CleanedArticle> = ingested
                    .articles
                    .par_iter_mut()
                    .zip(hits.par_iter_mut())
                    .enumerate()
                    .map(|(i, (a, hit))| {
                        let article = match hit {
                            Some(entry) => std::mem::replace(&mut entry.cleaned, empty_article()),
                            None => clean::clean_with_keys(a, &cleaner, line_keys(i)),
                        };
                        if !own_patterns_anywhere {
                            a.lines = Vec::new();
                        }
                        article
                    })
                    .collect();
                // Those cleaned now: a cached article's lines already share its shard's bytes.
                let fresh = cleaned.iter_mut().zip(&hits).filter(|(_, hit)| hit.is_none()).map(|(a, _)| a);
                clean::share_removed(fresh);
                lap("clean", &mut timings);

                // The seed index takes each seed's line keys over from the counts, and is written
                // now, beside the stages up to assemble: those hold more than cleaning does.
                let mut cache_writes = Background::default();
                let line_keys = repeats.into_lines();
                if use_cache {
                    let entries = seed_index_entries(&ingested, &raw_hashes, line_keys);
                    if !cache::seeds::holds(&seed_index, &entries) {
                        let root = root.to_path_buf();
                        cache_writes.spawn(move || {
                            let entries: Vec<(&str, &KnownSeed)> =
                                entries.iter().map(|(p, s)| (p.as_str(), s)).collect();
                            cache::seeds::save_seeds(&root, &keys, &entries);
                        });
                    }
                }

                // With the cache, each article as it was cleaned is known by its cache key (an outlet's
                // own patterns apply after this): its outlet clues are read once and kept.
                let cleaned_digests: Option<Vec<Digest>> = use_cache.then(|| {
                    (0..cleaned.len())
                        .into_par_iter()
                        .map(|i| cache::cleaned_digest(&keys, raw_hashes[i], repeat_hashes[i]))
                        .collect()
                });
                let (attribution, clues) =
                    outlet::identify_reusing(&cleaned, &content, cleaned_digests.as_deref(), &known_clues);
                // Not held through assemble (a map entry per article).
                drop(known_clues);
                if use_cache {
                    let root = root.to_path_buf();
                    cache_writes.spawn(move || cache::save_clues(&root, &keys, &clues, clues_signature));
                }
                // An outlet's own `[clean]` patterns apply once the outlet is known.
                let outlet_of: Vec<&str> =
                    attribution.of_article.iter().map(|&i| attribution.outlets[i].slug.as_str()).collect();
                // Articles of such outlets are cleaned twice and never cached.
                let own_patterns: Vec<bool> = outlet_of
                    .iter()
                    .map(|slug| {
                        content
                            .sources
                            .get(*slug)
                            .is_some_and(|p| !(p.meta.clean.drop.is_empty() && p.meta.clean.keep.is_empty()))
                    })
                    .collect();
                clean::reclean_for_outlets(&ingested.articles, &mut cleaned, &outlet_of, &cleaner, &content)?;
                // What each cleaned article is, as a digest: its cache key where that decides it,
                // else its text.
                let digests: Vec<Digest> = cleaned
                    .par_iter()
                    .enumerate()
                    .map(|(i, article)| match cleaned_digests.as_ref().filter(|_| !own_patterns[i]) {
                        Some(digests) => digests[i],
                        None => cache::content_digest(article),
                    })
                    .collect();
                lap("outlet", &mut timings);

                let matcher = Matcher::new(&topic_list);
                let assignments: Vec<Vec<Option<usize>>> = cleaned
                    .par_iter()
                    .zip(hits.par_iter_mut())
                    .zip(own_patterns.par_iter())
                    .map(|((a, hit), own)| match hit.as_mut().and_then(|h| h.assignment.take()) {
                        Some(assignment) if !own && assignment.len() == a.blocks.len() => assignment,
                        _ => topics::assign(a.headline.as_deref(), &a.blocks, &matcher),
                    })
                    .collect();
                lap("topics", &mut timings);

                let n = cleaned.len();
                if use_cache && (outdated || reused < n || assigned < n || n == 0) {
                    let entries: Vec<_> = (0..cleaned.len())
                        .filter(|&i| !own_patterns[i])
                        .map(|i| (&cleaned[i], raw_hashes[i], repeat_hashes[i], assignments[i].as_slice()))
                        .collect();
                    let pending = cache::save_later(root, &keys, &entries, &shards);
                    cache_writes.spawn(move || pending.write());
                    lap("cache-save", &mut timings);
                }
                Ok((cleaned, attribution, digests, assignments, cache_writes))
            })?;

        // From here on only the cleaned articles matter: free the seeds' text first.
        let warnings = std::mem::take(&mut ingested.warnings);
        drop((ingested, hits));
        let (mut briefing, facts, figures) = assemble::assemble_with_facts(
            Inputs {
                config: &config,
                content: &content,
                articles: cleaned,
                attribution: &attribution,
                topics: &topic_list,
                assignments,
                digests,
                source_date_epoch: options.source_date_epoch,
            },
            &mut known_facts,
        );
        lap("assemble", &mut timings);
        if use_cache {
            cache::save_facts(root, &keys, &facts, &known_facts);
            lap("facts-save", &mut timings);
        }
        // Every figure and quote of every article, most of what assemble held: let go of before
        // the briefing's figures are made (here rather than on a thread of their own, so that
        // the two are never held at once).
        if leave_to_exit {
            std::mem::forget((facts, known_facts));
        } else {
            drop((facts, known_facts));
        }
        figures.resolve_into(&mut briefing);
        Ok(Prepared { config, content, renderer, briefing, warnings, timings, unread, clock, cache_writes })
    }
}

/// From this many seeds to clean, the cleaning rules are all compiled before cleaning starts.
const PREPARE_RULES_AT: usize = 32;

/// How long a stage took, and how much memory the process held when it ended: a regression
/// in either shows in `brief build --timings`, stage by stage.
#[derive(Debug, Clone, Copy)]
pub struct StageTiming {
    pub stage: &'static str,
    pub took: Duration,
    /// Resident memory in bytes (`VmRSS`), where the system tells it (Linux).
    pub resident: Option<u64>,
    /// The processor time the whole process had used when the stage ended, on every thread
    /// (Linux): against the stage before, it shows how well a stage keeps the cores busy.
    pub processor: Option<Duration>,
}

impl StageTiming {
    fn ended(stage: &'static str, took: Duration) -> StageTiming {
        StageTiming { stage, took, resident: resident_bytes(), processor: processor_time() }
    }
}

/// The process's user and system time, every thread's, from `/proc/self/stat`; `None`
/// elsewhere.
fn processor_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // After the command name (in parentheses, which may hold spaces): the state is field 3,
    // user and system time fields 14 and 15, in ticks of 1/100 s (Linux's fixed `USER_HZ`).
    let mut fields = stat.get(stat.rfind(')')? + 2..)?.split(' ').skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}

/// The process's resident memory, from `/proc/self/status`; `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|line| line.strip_prefix("VmRSS:"))?;
    let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kib * 1024)
}

/// The pipeline's work up to render: the briefing, and what rendering it takes.
struct Prepared {
    config: Config,
    content: Content,
    renderer: Renderer,
    briefing: Briefing,
    warnings: Vec<Warning>,
    timings: Vec<StageTiming>,
    unread: usize,
    /// When the last stage ended.
    clock: Instant,
    /// Cache files still being written.
    cache_writes: Background,
}

/// Threads writing files on the side, waited for when this is dropped: a build does not end
/// with a cache file half written.
#[derive(Default)]
struct Background(Vec<std::thread::JoinHandle<()>>);

impl Background {
    fn spawn(&mut self, work: impl FnOnce() + Send + 'static) {
        self.0.push(std::thread::spawn(work));
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        for thread in self.0.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Prepared {
    /// Renders every file into `sink`.
    fn render(self, root: &Path, sink: &dyn Sink) -> Result<Site> {
        let Prepared {
            config,
            content,
            renderer,
            briefing,
            warnings,
            mut timings,
            unread,
            clock,
            cache_writes,
        } = self;
        let needs_syntax_css = content_has_code(&content);
        let pages = renderer.render_into(&briefing, &config, needs_syntax_css, sink)?;
        for file in render::static_files(root, &config)? {
            put_bytes(sink, &file.path, &file.bytes.contiguous())?;
        }
        drop(cache_writes);
        timings.push(StageTiming::ended("render", clock.elapsed()));
        Ok(Site { briefing, files: Vec::new(), pages, warnings, timings, unread })
    }
}

/// The seed index of this build: every seed whose file may be skipped next time, with what
/// was made of it (its raw hash, its lines' repeat keys, its warning).
fn seed_index_entries(
    ingested: &ingest::Ingested,
    raw_hashes: &[u64],
    line_keys: Vec<clean::SeedLineKeys>,
) -> Vec<(String, KnownSeed)> {
    let warning_of: std::collections::HashMap<&str, &str> =
        ingested.warnings.iter().map(|w| (w.file.as_str(), w.message.as_str())).collect();
    let warning = |seed: &str| warning_of.get(seed).map(|m| m.to_string());
    let mut entries: Vec<(String, KnownSeed)> = ingested
        .articles
        .iter()
        .zip(line_keys)
        .enumerate()
        .filter_map(|(i, (article, keys))| {
            let id = ingested.ids[i]?;
            let known = KnownArticle { raw: raw_hashes[i], keys };
            let seed = KnownSeed { id, article: Some(known), warning: warning(&article.seed) };
            Some((article.seed.clone(), seed))
        })
        .collect();
    for (seed, id, message) in &ingested.skipped {
        if let Some(id) = id {
            entries.push((seed.clone(), KnownSeed { id: *id, article: None, warning: message.clone() }));
        }
    }
    entries
}

/// A placeholder left where a cached article was moved out.
fn empty_article() -> CleanedArticle {
    CleanedArticle {
        seed: String::new(),
        headline: None,
        date: None,
        blocks: Vec::new(),
        removed: Vec::new(),
    }
}

fn content_has_code(content: &Content) -> bool {
    content.index.iter().any(|p| p.rendered.has_code)
        || content.topics.values().any(|p| p.rendered.has_code)
        || content.sources.values().any(|p| p.rendered.has_code)
}

/// Builds the project at `root` into `output`. Nothing replaces the output unless every stage
/// succeeded.
pub fn build(root: &Path, output: &Path, force: bool, options: &BuildOptions) -> Result<Site> {
    let staging = Staging::begin(output, force)?;
    // The record of the previous build's pages is read beside the stages before render.
    let records = root.join(cache::DIR).join(cache::PAGES_FILE);
    let (staging, prepared) =
        rayon::join(move || staging.reusing_pages(&records), || Site::prepare(root, options, true));
    let mut site = prepared?.render(root, &staging)?;
    let clock = Instant::now();
    staging.commit()?;
    site.timings.push(StageTiming::ended("write", clock.elapsed()));
    Ok(site)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn resident_memory_grows_with_what_is_held() {
        let before = resident_bytes().expect("VmRSS is read on Linux");
        // 256 MiB, every page written so that it is resident. Tests running beside this one
        // allocate and free too: the margin is wide.
        let held = std::hint::black_box(vec![1u8; 256 << 20]);
        let after = resident_bytes().unwrap();
        assert!(before > 1 << 20, "a running test holds more than 1 MiB: {before}");
        assert!(after >= before + (128 << 20), "{before} -> {after}");
        drop(held);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn processor_time_counts_what_a_thread_works() {
        let before = processor_time().expect("the process's times are read on Linux");
        // Busy for 200 ms of wall time: even beside other tests on two cores, this thread is
        // given more than the 10 ms the times count in.
        let started = Instant::now();
        let mut x = 0u64;
        while started.elapsed() < Duration::from_millis(200) {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        let after = processor_time().unwrap();
        assert!(after > before, "{before:?} -> {after:?}");
    }
}
