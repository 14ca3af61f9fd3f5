//! Rebuilds with the build cache (`.brief-cache/`) and the previous output must give exactly
//! what a build from nothing gives, whatever changed in between, and a damaged cache must
//! never be trusted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use brief::site::{BuildOptions, build};

mod common;

use common::{copy_tree, example_project, files};

fn options() -> BuildOptions {
    BuildOptions { source_date_epoch: Some(1_733_011_200), process_ends: false }
}

/// Builds `root` with no cache and no previous output, into a fresh folder, and returns its files.
fn from_nothing(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let copy = tempfile::tempdir().unwrap();
    copy_tree(root, copy.path());
    let _ = std::fs::remove_dir_all(copy.path().join(".brief-cache"));
    let _ = std::fs::remove_dir_all(copy.path().join("public"));
    let out = copy.path().join("fresh");
    build(copy.path(), &out, false, &options()).unwrap();
    files(&out)
}

fn seed_paths(root: &Path) -> Vec<PathBuf> {
    let mut seeds: Vec<PathBuf> =
        std::fs::read_dir(root.join("seeds")).unwrap().map(|e| e.unwrap().path()).collect();
    seeds.sort();
    seeds
}

/// Asserts that two sites have the same files with the same bytes, naming the first difference.
fn assert_same_site(got: &BTreeMap<PathBuf, Vec<u8>>, want: &BTreeMap<PathBuf, Vec<u8>>, what: &str) {
    let got_paths: Vec<_> = got.keys().collect();
    let want_paths: Vec<_> = want.keys().collect();
    assert_eq!(got_paths, want_paths, "{what}: different files");
    for (path, bytes) in want {
        assert!(got[path] == *bytes, "{what}: {} differs from a build from nothing", path.display());
    }
}

#[test]
fn a_newer_article_moves_the_date_undated_articles_are_read_against() {
    let project = example_project();
    let root = project.path();
    let out = root.join("public");
    build(root, &out, false, &options()).unwrap();
    let timeline_of = |site: &BTreeMap<PathBuf, Vec<u8>>| -> Vec<serde_json::Value> {
        let json: serde_json::Value = serde_json::from_slice(&site[Path::new("briefing.json")]).unwrap();
        json["timeline"].as_array().unwrap().clone()
    };
    let before = timeline_of(&files(&out));
    assert!(!before.is_empty());

    // A seed dated after every other: the briefing's date moves, and with it the day an undated
    // article's "on Sunday" means. The cached facts of those articles hold the old reading.
    std::fs::write(
        root.join("seeds/999_newer.txt"),
        "date 2024-12-09\nAid reached Aleppo on Monday, officials in Aleppo said.\n",
    )
    .unwrap();
    build(root, &out, false, &options()).unwrap();
    let after = files(&out);
    assert_same_site(&after, &from_nothing(root), "rebuild after a newer seed");
    let moved = timeline_of(&after);
    let read_on = |events: &[serde_json::Value], day: &str| {
        events.iter().filter(|e| e["reference_date"] == day && e["source"] != "").count()
    };
    assert!(
        read_on(&moved, "2024-12-09") > 1,
        "undated articles are not read against the new date: {moved:#?}"
    );
    assert_ne!(before, moved);

    // And back: the cache holds the new reading now, the old one must come back.
    std::fs::remove_file(root.join("seeds/999_newer.txt")).unwrap();
    build(root, &out, false, &options()).unwrap();
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after the newer seed went");
    assert_eq!(timeline_of(&files(&out)), before);
}

#[test]
fn cached_rebuilds_equal_builds_from_nothing() {
    let project = example_project();
    let root = project.path();
    let out = root.join("public");
    build(root, &out, false, &options()).unwrap();
    assert!(cache_files(root).len() >= 3, "{:?}", cache_files(root));

    // Nothing changed.
    build(root, &out, false, &options()).unwrap();
    assert_same_site(&files(&out), &from_nothing(root), "unchanged rebuild");

    // One seed gains a paragraph with a figure and a quote: its facts, its topic's summary and
    // its pages change.
    let seeds = seed_paths(root);
    let mut text = std::fs::read_to_string(&seeds[0]).unwrap();
    text.push_str(
        "\nAt least 27 people were killed in Aleppo on Sunday, rescuers said. \"We are still digging,\" said Omar Haddad, a rescuer.\n",
    );
    std::fs::write(&seeds[0], text).unwrap();
    build(root, &out, false, &options()).unwrap();
    let after_edit = files(&out);
    assert_same_site(&after_edit, &from_nothing(root), "rebuild after a seed changed");
    let json = String::from_utf8(after_edit[Path::new("briefing.json")].clone()).unwrap();
    assert!(json.contains("At least 27 people were killed in Aleppo"));

    // Only a line the cleaner drops changes: the paragraphs are the same, the removed lines
    // (in briefing.json and on the outlet's page) are not.
    let mut text = std::fs::read_to_string(&seeds[3]).unwrap();
    text.push_str("\nSign up for our daily newsletter to get the latest news.\n");
    std::fs::write(&seeds[3], &text).unwrap();
    build(root, &out, false, &options()).unwrap();
    std::fs::write(&seeds[3], text.replace("daily newsletter", "weekly newsletter")).unwrap();
    build(root, &out, false, &options()).unwrap();
    let after_promo = files(&out);
    assert_same_site(&after_promo, &from_nothing(root), "rebuild after a dropped line changed");
    let json = String::from_utf8(after_promo[Path::new("briefing.json")].clone()).unwrap();
    assert!(json.contains("our weekly newsletter"), "the promo is not among the removed lines");

    // A seed goes, and a copy of another comes under a new name.
    std::fs::remove_file(&seeds[1]).unwrap();
    std::fs::copy(&seeds[2], root.join("seeds/900_copy.txt")).unwrap();
    build(root, &out, false, &options()).unwrap();
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after seeds came and went");

    // The editor's summary of a topic replaces the drafted one, then is taken back.
    let topic_page = root.join("content/topics/lebanon.md");
    let before = std::fs::read_to_string(&topic_page).ok();
    std::fs::create_dir_all(topic_page.parent().unwrap()).unwrap();
    std::fs::write(&topic_page, "+++\ntitle = \"Lebanon\"\n+++\nThe editor's own summary.\n").unwrap();
    build(root, &out, false, &options()).unwrap();
    let topic_html = std::fs::read_to_string(out.join("topics/lebanon/index.html")).unwrap();
    assert!(
        topic_html.contains("The editor&#x27;s own summary.")
            || topic_html.contains("The editor’s own summary.")
    );
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after an editor's summary");
    match before {
        Some(text) => std::fs::write(&topic_page, text).unwrap(),
        None => std::fs::remove_file(&topic_page).unwrap(),
    }
    build(root, &out, false, &options()).unwrap();
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after the summary was taken back");
}

#[test]
fn a_damaged_cache_is_ignored_not_trusted() {
    let project = example_project();
    let root = project.path();
    let out = root.join("public");
    build(root, &out, false, &options()).unwrap();
    let want = from_nothing(root);

    // Flip one byte in the middle of each cache file, one file at a time: checksums catch it.
    for file in cache_files(root) {
        let mut bytes = std::fs::read(&file).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] = if bytes[middle] == b'7' { b'8' } else { b'7' };
        std::fs::write(&file, bytes).unwrap();
        build(root, &out, false, &options()).unwrap();
        assert_same_site(&files(&out), &want, &format!("rebuild with a damaged {}", file.display()));
    }
    // Every cache file cut short or replaced by garbage at once.
    for (i, file) in cache_files(root).into_iter().enumerate() {
        let bytes = std::fs::read(&file).unwrap();
        let damaged = if i % 2 == 0 { bytes[..bytes.len() / 3].to_vec() } else { b"not a cache".to_vec() };
        std::fs::write(&file, damaged).unwrap();
    }
    build(root, &out, false, &options()).unwrap();
    assert_same_site(&files(&out), &want, "rebuild with truncated cache files");
}

/// The files of the project's build cache.
fn cache_files(root: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> =
        std::fs::read_dir(root.join(".brief-cache")).unwrap().map(|e| e.unwrap().path()).collect();
    found.sort();
    found
}

/// The inode of `file` in the folder `dir`: a page a rebuild kept keeps its file, and a file
/// written atomically again gets a new one.
#[cfg(unix)]
fn inode(dir: &Path, file: impl AsRef<Path>) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir.join(file)).unwrap().ino()
}

/// The outlets' pages in the output `out`.
#[cfg(unix)]
fn source_pages(out: &Path) -> Vec<PathBuf> {
    files(out)
        .into_keys()
        .filter(|p| p.starts_with("sources") && p.extension().is_some_and(|e| e == "html"))
        .collect()
}

#[cfg(unix)]
#[test]
fn unchanged_pages_are_kept_and_tampered_ones_remade() {
    let project = example_project();
    let root = project.path();
    let out = root.join("public");
    build(root, &out, false, &options()).unwrap();
    let inode = |page: &Path| inode(&out, page);
    let pages = source_pages(&out);
    assert!(pages.len() >= 2, "{pages:?}");
    let before: Vec<u64> = pages.iter().map(|p| inode(p)).collect();
    // The search index has a part per outlet: only the changed outlet's is written again.
    let search_parts: Vec<PathBuf> = files(&out)
        .into_keys()
        .filter(|p| p.starts_with("search") && p.extension().is_some_and(|e| e == "js"))
        .collect();
    assert_eq!(search_parts.len(), pages.len(), "{search_parts:?}");
    let parts_before: Vec<u64> = search_parts.iter().map(|p| inode(p)).collect();

    // One outlet's seed changes: that outlet's page is made again, the others are kept.
    let seeds = seed_paths(root);
    let mut text = std::fs::read_to_string(&seeds[0]).unwrap();
    text.push_str("\nThe ministry said the crossing would reopen on Tuesday for aid convoys.\n");
    std::fs::write(&seeds[0], text).unwrap();
    build(root, &out, false, &options()).unwrap();
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after a seed changed");
    let after: Vec<u64> = pages.iter().map(|p| inode(p)).collect();
    let kept = before.iter().zip(&after).filter(|(a, b)| a == b).count();
    assert!(kept >= 1 && kept < pages.len(), "kept {kept} of {} source pages", pages.len());
    let parts_after: Vec<u64> = search_parts.iter().map(|p| inode(p)).collect();
    let parts_kept = parts_before.iter().zip(&parts_after).filter(|(a, b)| a == b).count();
    assert_eq!(parts_kept, search_parts.len() - 1, "kept {parts_kept} of the search index parts");

    // A page or data file changed by hand in the output is made again, not taken over or
    // copied from.
    for file in [out.join(&pages[0]), out.join("briefing.json"), out.join(&search_parts[0])] {
        let original = std::fs::read(&file).unwrap();
        let mut tampered = original.clone();
        tampered[original.len() / 2] ^= 1;
        std::fs::write(&file, &tampered).unwrap();
        build(root, &out, false, &options()).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), original, "{}", file.display());
    }
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after a page was edited by hand");
}

/// An article added to one outlet makes that outlet's page new, and leaves every other
/// outlet's page as it was: no page shows a count of the whole archive but the briefing (and
/// the search page).
#[cfg(unix)]
#[test]
fn an_added_article_leaves_the_other_outlets_pages_alone() {
    let project = example_project();
    let root = project.path();
    let out = root.join("public");
    build(root, &out, false, &options()).unwrap();
    let inode = |page: &Path| inode(&out, page);
    let pages: BTreeMap<PathBuf, u64> =
        source_pages(&out).into_iter().map(|p| (p.clone(), inode(&p))).collect();
    let outlet = Path::new("sources/terra/index.html");
    assert!(pages.contains_key(outlet), "{pages:?}");

    let added = "Aid groups said the road into Aleppo stayed closed for a third day.\nSource: Terra\n";
    std::fs::write(root.join("seeds").join("zz-added.txt"), added).unwrap();
    build(root, &out, false, &options()).unwrap();
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after an article was added");
    let remade: Vec<&PathBuf> =
        pages.iter().filter(|(p, before)| inode(p) != **before).map(|(p, _)| p).collect();
    assert_eq!(remade, [outlet], "only the outlet of the added article has a new page");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("6 articles"), "the briefing counts the added article");
}

/// An outlet's and a topic's pages are counted off from the oldest article: an article added on
/// the newest day changes their first pages, and the later pages keep their articles and files.
#[cfg(unix)]
#[test]
fn an_article_added_on_the_newest_day_leaves_later_pages_alone() {
    let project = example_project();
    let root = project.path();
    let config = root.join("brief.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("paginate_by = 2\n{text}")).unwrap();
    for (n, which) in ["first", "second", "third"].iter().enumerate() {
        let seed = format!(
            "date 2024-11-29 Aid convoys waited outside Aleppo for a {which} day, officials said.\nSource: Terra\n"
        );
        std::fs::write(root.join("seeds").join(format!("zz-terra-{n}.txt")), seed).unwrap();
    }
    let out = root.join("public");
    build(root, &out, false, &options()).unwrap();
    let inode = |page: &str| inode(&out, page);
    let later = ["sources/terra/page/2/index.html", "topics/aleppo/page/2/index.html"];
    let before: Vec<u64> = later.iter().map(|p| inode(p)).collect();
    let first = std::fs::read_to_string(out.join("sources/terra/index.html")).unwrap();
    assert!(first.contains("4 articles"), "the first page counts the outlet's articles");

    let added = "date 2024-11-30 The first convoy in a week reached Aleppo, officials said.\nSource: Terra\n";
    std::fs::write(root.join("seeds").join("zz-terra-new.txt"), added).unwrap();
    build(root, &out, false, &options()).unwrap();
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after an article was added");
    let after: Vec<u64> = later.iter().map(|p| inode(p)).collect();
    assert_eq!(after, before, "a second page was made again: {later:?}");
    assert!(!out.join("sources/terra/page/3").exists());
    let first = std::fs::read_to_string(out.join("sources/terra/index.html")).unwrap();
    assert!(first.contains("The first convoy in a week"), "the added article is on the first page");
}

/// An edit that leaves every article's dated sentences as they were merges no day of the
/// timeline again: the mergings kept (`.brief-cache/timeline.bin`) are those of before, and the
/// file is not written again.
#[test]
#[cfg(unix)]
fn an_edit_outside_the_dated_sentences_keeps_the_timelines_mergings() {
    let project = example_project();
    let root = project.path();
    let out = root.join("public");
    let first = build(root, &out, false, &options()).unwrap();
    assert!(first.pages > 0);
    // The file is written atomically (a new file renamed over it): a new inode is a rewrite.
    let timeline_inode = || inode(root, ".brief-cache/timeline.bin");
    let written = timeline_inode();

    // Every article changes (and with it its facts key), none of its dated sentences.
    for (n, seed) in seed_paths(root).iter().enumerate() {
        let mut text = std::fs::read_to_string(seed).unwrap();
        let letter = char::from(b'a' + n as u8);
        text.push_str(&format!("\nTalks in round {letter} went on without a break, a spokesperson said.\n"));
        std::fs::write(seed, text).unwrap();
    }
    build(root, &out, false, &options()).unwrap();
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after edits outside the dated sentences");
    assert_eq!(timeline_inode(), written, "the timeline's days were merged again");
}

/// (A seed's file identity, which the index keeps, is read on Unix only.)
#[test]
#[cfg(unix)]
fn unchanged_seeds_are_not_read_again() {
    let project = example_project();
    let root = project.path();
    let out = root.join("public");
    // Files changed in the last few seconds are always read (their identity may not have
    // settled); let the copies settle.
    std::thread::sleep(std::time::Duration::from_millis(3200));
    let first = build(root, &out, false, &options()).unwrap();
    assert_eq!(first.unread, 0);
    // The index is written atomically (a new file renamed over it): a new inode is a rewrite.
    let index_inode = || inode(root, ".brief-cache/seeds.bin");
    let written = index_inode();
    let seeds = seed_paths(root);
    let unchanged = build(root, &out, false, &options()).unwrap();
    assert_eq!(unchanged.unread, seeds.len());
    assert_same_site(&files(&out), &from_nothing(root), "rebuild from the seed index");
    assert_eq!(index_inode(), written, "the seed index was written again though nothing changed");

    // One seed changes: it is read, the others are not, and the site is as if built afresh.
    let mut text = std::fs::read_to_string(&seeds[0]).unwrap();
    text.push_str("\nThe ministry said the crossing would reopen on Tuesday for aid convoys.\n");
    std::fs::write(&seeds[0], text).unwrap();
    let changed_at = std::time::Instant::now();
    let edited = build(root, &out, false, &options()).unwrap();
    assert!(edited.unread >= seeds.len() - 2 && edited.unread < seeds.len(), "{}", edited.unread);
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after one seed changed");
    // The changed seed has not settled: its entry is gone from the index, which is rewritten.
    let rewritten = index_inode();
    assert_ne!(rewritten, written, "the seed index kept the changed seed's entry");
    // Built again before it settles, the seed has no entry again: the index is as it was.
    build(root, &out, false, &options()).unwrap();
    if changed_at.elapsed() < std::time::Duration::from_millis(2500) {
        assert_eq!(index_inode(), rewritten, "the seed index was written again though it was the same");
    }

    // A seed that becomes a copy of another changes how often its lines recur in the others:
    // those are read again to be cleaned again, and the site is still as if built afresh.
    std::fs::copy(&seeds[1], &seeds[2]).unwrap();
    build(root, &out, false, &options()).unwrap();
    assert_same_site(&files(&out), &from_nothing(root), "rebuild after a seed became a copy");

    // A damaged index is not trusted.
    let index = root.join(".brief-cache/seeds.bin");
    let mut bytes = std::fs::read(&index).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&index, bytes).unwrap();
    let damaged = build(root, &out, false, &options()).unwrap();
    assert_eq!(damaged.unread, 0);
    assert_same_site(&files(&out), &from_nothing(root), "rebuild with a damaged seed index");
}

#[test]
fn serve_rebuilds_take_over_unchanged_files_in_memory() {
    use brief::site::Site;
    use brief::write::MemoryFiles;
    let project = example_project();
    let root = project.path();
    let remember = |site: &Site, memos: &std::collections::HashMap<String, brief::write::Memo>| MemoryFiles {
        files: site
            .files
            .iter()
            .filter_map(|f| Some((f.path.clone(), (f.bytes.clone(), memos.get(&f.path)?.clone()))))
            .collect(),
    };
    let in_memory = |site: &Site| -> BTreeMap<PathBuf, Vec<u8>> {
        site.files.iter().map(|f| (PathBuf::from(&f.path), f.bytes.to_vec())).collect()
    };
    let on_disk = |root: &Path| -> BTreeMap<PathBuf, Vec<u8>> {
        from_nothing(root).into_iter().filter(|(p, _)| p != Path::new(".brief-output")).collect()
    };
    let (first, memos) = Site::load_cached_reusing(root, &options(), MemoryFiles::default()).unwrap();
    assert_same_site(&in_memory(&first), &on_disk(root), "first build in memory");
    let mut previous = remember(&first, &memos);
    assert!(previous.files.contains_key("briefing.json") && previous.files.contains_key("index.html"));

    // One seed changes: the rebuild equals a build from nothing.
    let seeds = seed_paths(root);
    let mut text = std::fs::read_to_string(&seeds[0]).unwrap();
    text.push_str("\nThe ministry said the crossing would reopen on Tuesday for aid convoys.\n");
    std::fs::write(&seeds[0], text).unwrap();
    let (second, memos) = Site::load_cached_reusing(root, &options(), previous.clone()).unwrap();
    assert_same_site(&in_memory(&second), &on_disk(root), "rebuild in memory after a seed changed");
    // The data file's unchanged runs are the previous build's bytes, not copies of them.
    let before = &previous.files["briefing.json"].0;
    let after = &second.files.iter().find(|f| f.path == "briefing.json").unwrap().bytes;
    let within =
        |part: &bytes::Bytes| before.parts().iter().any(|b| b.as_ptr_range().contains(&part.as_ptr()));
    assert!(
        after.parts().len() > 1 && after.parts().iter().any(within),
        "briefing.json was copied whole: {} parts, before {}",
        after.parts().len(),
        before.parts().len()
    );

    // Unchanged pages are taken over as they were (shown here by marking one in memory).
    previous = remember(&second, &memos);
    let page =
        previous.files.keys().find(|p| p.starts_with("sources/") && p.ends_with(".html")).unwrap().clone();
    let (bytes, memo) = previous.files[&page].clone();
    let marked = brief::file_bytes::FileBytes::from([bytes.to_vec(), b"<!-- kept -->".to_vec()].concat());
    previous.files.insert(page.clone(), (marked.clone(), memo));
    let (third, _) = Site::load_cached_reusing(root, &options(), previous).unwrap();
    let kept = &third.files.iter().find(|f| f.path == page).unwrap().bytes;
    assert_eq!(kept, &marked);
    // The same bytes in memory, not a copy of them.
    assert_eq!(kept.parts()[0].as_ptr(), marked.parts()[0].as_ptr());
}
