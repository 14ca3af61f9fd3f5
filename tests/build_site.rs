//! Builds real projects (the example briefing at the repository root and the fixtures under
//! tests/fixtures/) into temporary folders and checks what came out, as a reader would.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use brief::site::{BuildOptions, build};
use regex::Regex;
use serde_json::Value;

mod common;

use common::{REPO, copy_tree, example_project, files};

fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&Path::new(REPO).join("tests/fixtures").join(name), dir.path());
    dir
}

fn options() -> BuildOptions {
    BuildOptions { source_date_epoch: None, process_ends: false }
}

fn build_into(root: &Path) -> PathBuf {
    let out = root.join("public");
    build(root, &out, false, &options()).unwrap();
    out
}

fn read_json(out: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(out.join("briefing.json")).unwrap()).unwrap()
}

fn html_files(out: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(out)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

/// Page text with the removed-lines disclosure cut out: what a reader sees as the body.
fn body_without_disclosure(html: &str) -> String {
    let re = Regex::new(r#"(?s)<details class="removed">.*?</details>"#).unwrap();
    re.replace_all(html, "").to_string()
}

fn unescape(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

fn paragraphs_of<'a>(json: &'a Value, source: &str) -> Vec<&'a Value> {
    json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slug"] == source)
        .unwrap_or_else(|| panic!("no source {source}"))["articles"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["paragraphs"].as_array().unwrap())
        .collect()
}

#[test]
fn example_briefing_removes_junk_and_keeps_every_paragraph() {
    let project = example_project();
    let out = build_into(project.path());
    // Junk lines of the five seeds, found by their distinctive fragments.
    let junk = [
        "New MEE newsletter",
        "Sign up to get the latest insights",
        "other MEE newsletters",
        "Subscribe to Storyboard",
        "published from a syndicated feed",
        "Source: Terra",
        "Gossipify movie and series reviewer",
        "/Mahmoud Hasano/Reuters",
        "/Dawoud Abu Alkas/Reuters",
    ];
    for page in html_files(&out) {
        let body = unescape(&body_without_disclosure(&std::fs::read_to_string(&page).unwrap()));
        for j in junk {
            assert!(!body.contains(j), "{} shows junk {j:?} outside the disclosure", page.display());
        }
    }
    // Every other non-blank seed line is kept, as a paragraph or heading.
    let json = read_json(&out);
    let kept: BTreeSet<String> = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["articles"].as_array().unwrap())
        .flat_map(|a| a["paragraphs"].as_array().unwrap())
        .map(|p| p["text"].as_str().unwrap().to_string())
        .collect();
    let mut expected = 0;
    for entry in std::fs::read_dir(project.path().join("seeds")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let article = brief::ingest::parse_seed("s", &text).unwrap();
        for line in article.lines {
            if junk.iter().any(|j| line.text.contains(j)) {
                continue;
            }
            expected += 1;
            assert!(kept.contains(&*line.text), "paragraph dropped: {}", line.text);
        }
    }
    assert_eq!(kept.len(), expected);
    // Removed lines are disclosed with a reason on their source page.
    let terra = std::fs::read_to_string(out.join("sources/terra/index.html")).unwrap();
    assert!(terra.contains(r#"<details class="removed">"#));
    assert!(terra.contains("author-bio") && terra.contains("source-line"));
}

#[test]
fn example_briefing_identifies_outlets_and_renders_subheadings() {
    let project = example_project();
    let out = build_into(project.path());
    let json = read_json(&out);
    let names: BTreeMap<String, String> = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (s["name"].as_str().unwrap().to_string(), s["articles"][0]["seed"].as_str().unwrap().to_string())
        })
        .collect();
    let expected = [
        ("CGTN", "seeds/000_9c385df730401a1e.txt"),
        ("Middle East Eye", "seeds/001_3678b5fa2648f87c.txt"),
        ("Alhurra", "seeds/002_3eef8066a4cf16cc.txt"),
        ("Al Jazeera", "seeds/003_43686b2d192f5961.txt"),
        ("Terra", "seeds/004_1376222bb4f92515.txt"),
    ];
    assert_eq!(names, expected.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect());
    let mee = json["sources"].as_array().unwrap().iter().find(|s| s["slug"] == "middle-east-eye").unwrap();
    assert_eq!(mee["syndicated_by"][0], "PostX News");

    let cgtn = std::fs::read_to_string(out.join("sources/cgtn/index.html")).unwrap();
    for heading in [
        "Russian warplanes raid Aleppo",
        "Israeli army kills dozens in Gaza",
        "Efforts for ceasefire in Gaza",
    ] {
        assert!(
            Regex::new(&format!(r#"<h3 id="p-[0-9a-f]+">{heading}</h3>"#)).unwrap().is_match(&cgtn),
            "{heading}"
        );
    }
    let alhurra = std::fs::read_to_string(out.join("sources/alhurra/index.html")).unwrap();
    assert!(alhurra.contains(">The army responds</h3>"));
    // The headline of a seed with one is shown.
    assert!(alhurra.contains("Armed factions of the Syrian opposition announce entry"));
}

#[test]
fn example_briefing_groups_paragraphs_by_topic() {
    let project = example_project();
    let out = build_into(project.path());
    let json = read_json(&out);
    let topic_of = |source: &str, fragment: &str| -> Value {
        paragraphs_of(&json, source)
            .into_iter()
            .find(|p| p["text"].as_str().unwrap().contains(fragment))
            .unwrap_or_else(|| panic!("no paragraph {fragment:?}"))["topic"]
            .clone()
    };
    // CGTN's Lebanon and Gaza sections go to those topics.
    assert_eq!(topic_of("cgtn", "An Israeli strike on a car in south Lebanon"), "lebanon");
    assert_eq!(topic_of("cgtn", "There was no immediate comment from the Israeli military"), "lebanon");
    assert_eq!(topic_of("cgtn", "Israeli army kills dozens in Gaza"), "gaza");
    assert_eq!(topic_of("cgtn", "44,382"), "gaza");
    assert_eq!(topic_of("cgtn", "Russian warplanes raid Aleppo"), "aleppo");
    // A passing mention stays with the story.
    assert_eq!(topic_of("middle-east-eye", "attacks on Hezbollah in Lebanon"), "aleppo");
    assert_eq!(topic_of("middle-east-eye", "currently occupied in Lebanon"), "aleppo");
    let slugs: Vec<&str> =
        json["topics"].as_array().unwrap().iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["aleppo", "lebanon", "gaza"]);
    let gaza = std::fs::read_to_string(out.join("topics/gaza/index.html")).unwrap();
    assert!(gaza.contains("Beit Lahiya"));
    assert!(!gaza.contains("Saadallah al-Jabiri"));
}

#[test]
fn briefing_json_follows_the_schema() {
    let project = example_project();
    let out = build_into(project.path());
    let json = read_json(&out);
    for key in ["title", "topics", "sources", "figures", "timeline", "quotes"] {
        assert!(json.get(key).is_some(), "briefing.json lacks {key}");
    }
    for topic in json["topics"].as_array().unwrap() {
        for key in ["slug", "title", "url", "summary_html", "editor_summary"] {
            assert!(topic.get(key).is_some(), "topic lacks {key}");
        }
        assert_eq!(topic["url"], format!("topics/{}/", topic["slug"].as_str().unwrap()));
        assert!(out.join(topic["url"].as_str().unwrap()).join("index.html").exists());
    }
    for source in json["sources"].as_array().unwrap() {
        assert!(out.join(source["url"].as_str().unwrap()).join("index.html").exists());
        for article in source["articles"].as_array().unwrap() {
            assert!(article["seed"].as_str().unwrap().starts_with("seeds/"));
            assert!(article.get("headline").is_some() && article.get("date").is_some());
            for p in article["paragraphs"].as_array().unwrap() {
                assert!(p["kind"] == "paragraph" || p["kind"] == "heading");
                assert!(p["topic"].is_null() || p["topic"].is_string());
            }
            for r in article["removed"].as_array().unwrap() {
                assert!(!r["reason"].as_str().unwrap().is_empty());
            }
        }
    }
    let aljazeera = json["sources"].as_array().unwrap().iter().find(|s| s["slug"] == "al-jazeera").unwrap();
    assert_eq!(aljazeera["articles"][0]["date"], "2024-11-30");
}

#[test]
fn every_internal_link_and_anchor_resolves() {
    for project in [example_project(), fixture("riverside")] {
        let out = build_into(project.path());
        let checked = assert_links_resolve(&out);
        assert!(checked > 20, "only {checked} links checked");
    }
}

/// Checks every relative link and `#anchor` of every page; returns how many it checked.
fn assert_links_resolve(out: &Path) -> usize {
    let href = Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    let id = Regex::new(r#"\bid="([^"]*)""#).unwrap();
    let mut checked = 0;
    for page in html_files(out) {
        let html = std::fs::read_to_string(&page).unwrap();
        for link in href.captures_iter(&html) {
            let link = unescape(&link[1]);
            if link.starts_with("http://") || link.starts_with("https://") || link.starts_with("mailto:") {
                continue;
            }
            assert!(!link.starts_with('/'), "{}: absolute link {link}", page.display());
            let (path, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if path.is_empty() { page.clone() } else { page.parent().unwrap().join(path) };
            assert!(target.is_file(), "{}: broken link {link}", page.display());
            if !anchor.is_empty() {
                let target_html = std::fs::read_to_string(&target).unwrap();
                assert!(
                    id.captures_iter(&target_html).any(|c| &c[1] == anchor),
                    "{}: missing anchor {link}",
                    page.display()
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn long_lists_are_paged_and_every_link_finds_its_page() {
    for project in [example_project(), fixture("riverside")] {
        let config = project.path().join("brief.toml");
        let text = std::fs::read_to_string(&config).unwrap();
        std::fs::write(&config, format!("paginate_by = 1\n{text}")).unwrap();
        let out = build_into(project.path());
        let json = read_json(&out);

        // Every article is on the page its `url` names, and on no other page of its source.
        let mut paged_sources = 0;
        for source in json["sources"].as_array().unwrap() {
            let articles = source["articles"].as_array().unwrap();
            for (n, article) in articles.iter().enumerate() {
                let url = article["url"].as_str().unwrap();
                let expected = if n == 0 {
                    source["url"].as_str().unwrap().to_string()
                } else {
                    format!("{}page/{}/", source["url"].as_str().unwrap(), n + 1)
                };
                assert_eq!(url, expected);
                let html = std::fs::read_to_string(out.join(url).join("index.html")).unwrap();
                for p in article["paragraphs"].as_array().unwrap() {
                    assert!(html.contains(&format!("id=\"{}\"", p["id"].as_str().unwrap())), "{url}");
                }
            }
            if articles.len() > 1 {
                paged_sources += 1;
                let last = out.join(source["url"].as_str().unwrap()).join(format!("page/{}", articles.len()));
                let html = std::fs::read_to_string(last.join("index.html")).unwrap();
                assert!(
                    html.contains("rel=\"prev\"") && !html.contains("rel=\"next\""),
                    "{}",
                    last.display()
                );
                assert!(
                    !out.join(source["url"].as_str().unwrap())
                        .join(format!("page/{}", articles.len() + 1))
                        .exists()
                );
            }
        }

        // A topic with several articles has one per page; only the first page summarises.
        let topic = json["topics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["source_slugs"].as_array().unwrap().len() > 1)
            .expect("a topic reported by two outlets");
        let first =
            std::fs::read_to_string(out.join(topic["url"].as_str().unwrap()).join("index.html")).unwrap();
        let second_path = out.join(topic["url"].as_str().unwrap()).join("page/2/index.html");
        let second = std::fs::read_to_string(&second_path).unwrap();
        // (The fixture's own topic template shows paragraphs only, without pager or summary.)
        if !first.contains("site-override") {
            assert!(first.contains("rel=\"next\"") && second.contains("rel=\"prev\""));
            assert!(second.contains("page 2 of"), "{}", second_path.display());
            assert!(first.contains("summary-heading") && !second.contains("summary-heading"));
        }
        assert!(paged_sources > 0 || project.path().join("seeds").read_dir().unwrap().count() == 5);
        assert!(assert_links_resolve(&out) > 20);
    }
}

#[test]
fn fixture_site_content_overrides_and_escaping() {
    let project = fixture("riverside");
    let out = build_into(project.path());
    let json = read_json(&out);
    // content/sources names the outlet of a seed; two seeds of one outlet share its page.
    let sources: Vec<(&str, usize, &str)> = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap(),
                s["articles"].as_array().unwrap().len(),
                s["identified_by"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(sources, [("Daily Ledger", 1, "content"), ("Valley Gazette", 2, "source-line")]);
    // The editor's summary replaces the draft, on the page and in the JSON.
    let election = json["topics"].as_array().unwrap().iter().find(|t| t["slug"] == "election").unwrap();
    assert_eq!(election["editor_summary"], true);
    assert_eq!(election["title"], "The mayoral election");
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains("<strong>three candidates</strong>"));
    let flood = json["topics"].as_array().unwrap().iter().find(|t| t["slug"] == "flood").unwrap();
    assert_eq!(flood["editor_summary"], false);
    assert!(flood["summary_html"].as_str().unwrap().contains("sources/"));
    // The editor's drop rule and the built-in rules.
    let reasons: BTreeSet<&str> = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["articles"].as_array().unwrap())
        .flat_map(|a| a["removed"].as_array().unwrap())
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["author-bio", "house-ad", "newsletter-promo", "photo-caption", "source-line"].into_iter().collect()
    );
    // Seed markup is escaped everywhere it shows.
    for page in html_files(&out) {
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(!html.contains("<script>alert"), "{} has unescaped seed markup", page.display());
    }
    let ledger = std::fs::read_to_string(out.join("sources/daily-ledger/index.html")).unwrap();
    assert!(ledger.contains("&lt;script&gt;"));
    assert!(ledger.contains("breaches &lt; 10 metres"));
    // Site templates override the theme's, file by file.
    let topic = std::fs::read_to_string(out.join("topics/flood/index.html")).unwrap();
    assert!(topic.contains(r#"class="site-override""#));
    assert!(index.contains("static/style.css"));
    // Content code blocks are highlighted with classes, and their stylesheet is written.
    assert!(index.contains(r#"<span class="hl-source hl-rust">"#));
    assert!(out.join("static/syntax.css").is_file());
    // The configured date is the briefing's date; the headline of a seed that has one.
    assert_eq!(json["date"], "2025-03-14");
    assert!(
        std::fs::read_to_string(out.join("sources/valley-gazette/index.html"))
            .unwrap()
            .contains("River bursts its banks in Riverside")
    );
}

#[test]
fn builds_are_byte_identical_and_honour_source_date_epoch() {
    let project = example_project();
    let options = BuildOptions { source_date_epoch: Some(1_733_011_200), process_ends: false };
    let first = project.path().join("one");
    let second = project.path().join("two");
    build(project.path(), &first, false, &options).unwrap();
    build(project.path(), &second, false, &options).unwrap();
    assert_eq!(files(&first), files(&second));
    let index = std::fs::read_to_string(first.join("index.html")).unwrap();
    assert!(index.contains("generated 1 December 2024"), "SOURCE_DATE_EPOCH not shown");
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let project = fixture("riverside");
    let out = build_into(project.path());
    let before = std::fs::read(out.join("index.html")).unwrap();
    std::fs::write(
        project.path().join("content/topics/flood.md"),
        "+++\ntitle = \"Flood\"\nkeywords = [\"unterminated\n+++\nBody\n",
    )
    .unwrap();
    let err = build(project.path(), &out, false, &options()).err().expect("the build must fail");
    let message = format!("{err:#}");
    assert!(message.contains("content/topics/flood.md:3"), "{message}");
    assert_eq!(std::fs::read(out.join("index.html")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(project.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.contains("brief-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_binary_reports_errors_with_file_and_line() {
    let project = fixture("riverside");
    std::fs::write(project.path().join("brief.toml"), "title = \"x\"\n[[topics]]\nslug = \"a\"\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_brief"))
        .args(["build", "--root"])
        .arg(project.path())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("brief.toml:2") && stderr.contains("title"), "{stderr}");
    assert!(!project.path().join("public").exists());

    std::fs::write(project.path().join("brief.toml"), "title = \"x\"\n").unwrap();
    std::fs::write(project.path().join("seeds/04-bad.txt"), "date 2025-02-30 Text.\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_brief"))
        .args(["build", "--root"])
        .arg(project.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("seeds/04-bad.txt:1") && stderr.contains("YYYY-MM-DD"), "{stderr}");
}

#[test]
fn base_url_adds_feeds_sitemap_canonical_links_and_cards() {
    let project = fixture("riverside");
    let out = build_into(project.path());
    let base = "https://briefs.example.org/riverside/";
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains(&format!("<loc>{base}</loc>")));
    assert!(sitemap.contains(&format!("<loc>{base}topics/flood/</loc>")));
    assert!(sitemap.contains(&format!("<loc>{base}sources/daily-ledger/</loc>")));
    let robots = std::fs::read_to_string(out.join("robots.txt")).unwrap();
    assert!(robots.contains(&format!("Sitemap: {base}sitemap.xml")));

    let atom = std::fs::read_to_string(out.join("atom.xml")).unwrap();
    assert_eq!(atom.matches("<entry>").count(), 3, "{atom}");
    assert!(atom.contains("<title>River bursts its banks in Riverside</title>"));
    assert!(atom.contains("&lt;script&gt;") && !atom.contains("<script>"));
    let feed: Value = serde_json::from_slice(&std::fs::read(out.join("feed.json")).unwrap()).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(feed["items"].as_array().unwrap().len(), 3);
    // Newest first: the 13 March article (the others have no date and take the briefing's 14th).
    let topic_feed: Value =
        serde_json::from_slice(&std::fs::read(out.join("topics/election/feed.json")).unwrap()).unwrap();
    assert_eq!(topic_feed["items"].as_array().unwrap().len(), 1);
    assert!(out.join("topics/flood/atom.xml").is_file());

    let index = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(index.contains(&format!(r#"<link rel="canonical" href="{base}">"#)));
    assert!(index.contains(r#"<meta property="og:description" content="What local outlets report.">"#));
    assert!(index.contains(r#"href="atom.xml""#));
    let topic = std::fs::read_to_string(out.join("sources/daily-ledger/index.html")).unwrap();
    assert!(topic.contains(&format!(r#"<link rel="canonical" href="{base}sources/daily-ledger/">"#)));

    // Without base_url there are no absolute URLs to give, so no feeds or sitemap.
    let example = example_project();
    let plain = build_into(example.path());
    assert!(!plain.join("sitemap.xml").exists() && !plain.join("atom.xml").exists());
    assert!(!std::fs::read_to_string(plain.join("index.html")).unwrap().contains("canonical"));
}

#[test]
fn search_index_covers_every_paragraph_with_working_links() {
    let project = example_project();
    let out = build_into(project.path());
    let search = std::fs::read_to_string(out.join("search/index.html")).unwrap();
    assert!(search.contains(r#"src="../static/search.js""#));
    // The index comes in parts, each a script adding some articles of one outlet to a global;
    // the form lists them (paths from the root) for the page's script to load on the first
    // search, and loads none itself. Together they hold every paragraph, in the briefing's
    // order of outlets.
    let listed = search.split(r#"data-search-parts=""#).nth(1).and_then(|s| s.split('"').next()).unwrap();
    assert_eq!(search.matches("<script").count(), 1, "{search}");
    let json = read_json(&out);
    let sources = json["sources"].as_array().unwrap();
    let mut docs = Vec::new();
    let mut outlets = Vec::new();
    for src in listed.split(' ') {
        assert!(src.starts_with("search/") && src.ends_with(".js"), "{src}");
        let script = std::fs::read_to_string(out.join(src)).unwrap();
        let part = script
            .trim()
            .strip_prefix("(window.BRIEF_SEARCH_PARTS = window.BRIEF_SEARCH_PARTS || []).push(")
            .and_then(|s| s.strip_suffix(");"))
            .unwrap_or_else(|| panic!("{src}: {script}"));
        let part: serde_json::Value = serde_json::from_str(part).unwrap();
        if outlets.last() != Some(&part["outlet"]) {
            outlets.push(part["outlet"].clone());
        }
        for doc in part["docs"].as_array().unwrap() {
            let doc: (String, String, String) = serde_json::from_value(doc.clone()).unwrap();
            docs.push(doc);
        }
    }
    let names: Vec<serde_json::Value> = sources.iter().map(|s| s["name"].clone()).collect();
    assert_eq!(outlets, names);
    let paragraphs: usize = sources
        .iter()
        .flat_map(|s| s["articles"].as_array().unwrap())
        .flat_map(|a| a["paragraphs"].as_array().unwrap())
        .filter(|p| p["kind"] == "paragraph")
        .count();
    assert_eq!(docs.len(), paragraphs);
    for (text, topic, url) in &docs {
        let (path, anchor) = url.split_once('#').unwrap();
        let page = std::fs::read_to_string(out.join(path)).unwrap();
        assert!(page.contains(&format!(r#"id="{anchor}""#)), "{url}");
        assert!(!text.is_empty() && !topic.is_empty());
    }
}
