//! The example project (seeds/, content/, brief.toml of this repository) built into a temp
//! dir: what the briefing tells a reader — figures side by side, the timeline, quotes.

use std::path::Path;

use brief::model::Briefing;
use brief::site::{self, BuildOptions};

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn build_example() -> (tempfile::TempDir, Briefing) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo.join("seeds"), &dir.path().join("seeds"));
    copy_tree(&repo.join("content"), &dir.path().join("content"));
    std::fs::copy(repo.join("brief.toml"), dir.path().join("brief.toml")).unwrap();
    let output = dir.path().join("public");
    let mut options = BuildOptions::from_env();
    options.source_date_epoch = Some(1_733_000_000);
    let site = site::build(dir.path(), &output, false, &options).unwrap();
    (dir, site.briefing)
}

fn figure<'a>(b: &'a Briefing, topic: &str, label: &str, source: &str) -> Vec<&'a brief::model::Figure> {
    b.figures
        .iter()
        .filter(|f| f.topic.as_deref() == Some(topic) && f.label == label && f.source == source)
        .collect()
}

#[test]
fn seeds_figures_timeline_and_quotes() {
    let (dir, b) = build_example();
    let observatory = Some("Syrian Observatory for Human Rights");

    // The Aleppo death toll, three outlets, one monitor.
    for (source, value, qualifier) in
        [("cgtn", 311, None), ("middle-east-eye", 242, Some("at least")), ("alhurra", 255, None)]
    {
        let got = figure(&b, "aleppo", "killed", source);
        assert!(
            got.iter().any(|f| f.value == value
                && f.qualifier.as_deref() == qualifier
                && f.attributed_to.as_deref() == observatory),
            "{source}: {got:#?}"
        );
    }
    // Civilians killed: 28, 24, 27.
    for (source, value) in [("cgtn", 28), ("middle-east-eye", 24), ("alhurra", 24), ("terra", 27)] {
        let got = figure(&b, "aleppo", "civilians killed", source);
        assert!(got.iter().any(|f| f.value == value), "{source}: {got:#?}");
    }
    let displaced = figure(&b, "aleppo", "displaced", "alhurra");
    assert_eq!(displaced.len(), 1, "{displaced:#?}");
    assert_eq!(displaced[0].value, 14_000);
    assert!(displaced[0].attributed_to.as_deref().unwrap().contains("Coordination of Humanitarian Affairs"));
    let gaza_killed = figure(&b, "gaza", "killed", "cgtn");
    assert!(
        gaza_killed
            .iter()
            .any(|f| f.value == 44_382 && f.attributed_to.as_deref() == Some("Gaza's health ministry"))
    );
    let gaza_wounded = figure(&b, "gaza", "wounded", "cgtn");
    assert!(
        gaza_wounded
            .iter()
            .any(|f| f.value == 105_142 && f.attributed_to.as_deref() == Some("Gaza's health ministry"))
    );
    // Vague amounts are not figures.
    assert!(!b.figures.iter().any(|f| f.text.contains("dozens of soldiers")), "dozens");

    // Timeline: 27 to 30 November 2024, nothing later, every day present.
    let timeline: Vec<_> = b.timeline.events(&b.sources).collect();
    let dates: std::collections::BTreeSet<&str> = timeline.iter().map(|e| e.date.as_str()).collect();
    assert_eq!(
        dates.into_iter().collect::<Vec<_>>(),
        ["2024-11-27", "2024-11-28", "2024-11-29", "2024-11-30"]
    );
    assert!(timeline.iter().any(|e| e.date == "2024-11-27" && e.phrase.to_lowercase() == "since wednesday"));
    assert!(timeline.iter().any(|e| e.date == "2024-11-29"
        && e.phrase == "Late on Friday"
        && e.topic.as_deref() == Some("gaza")));
    assert!(timeline.iter().any(|e| e.date == "2024-11-30" && e.source == "al-jazeera"));

    // Quotes and who said them.
    let said = |speaker: &str, words: &str| {
        b.quotes.iter().any(|q| q.speaker.as_deref() == Some(speaker) && q.text.contains(words))
    };
    assert!(said("Rami Abdel Rahman", "It is strange to see the regime"), "{:#?}", b.quotes);
    assert!(said("Rami Abdel Rahman", "not a single shot was fired"));
    assert!(said("Resul Serdar", "That this happened in just four days"), "he said → Serdar");
    assert!(said("Resul Serdar", "Now the question is"));
    assert!(said("David Carden", "deeply concerned"));
    assert!(said("Syrian Observatory for Human Rights", "took control of most of the city"));
    assert!(!b.quotes.iter().any(|q| q.text == "combing"), "scare quotes are not quotes");

    // Rendered: the figures table, the timeline and "Who said what", seed text escaped.
    let index = std::fs::read_to_string(dir.path().join("public/index.html")).unwrap();
    assert!(index.contains("class=\"key-figures\"") && index.contains("sources differ"));
    assert!(index.contains("at least 242") && index.contains("44,382"));
    assert!(index.contains("class=\"timeline\"") && index.contains("27 November 2024"));
    assert!(index.contains("href=\"sources/cgtn/index.html#p-"), "links are relative, to paragraphs");
    let topic = std::fs::read_to_string(dir.path().join("public/topics/aleppo/index.html")).unwrap();
    assert!(topic.contains("Who said what") && topic.contains("Rami Abdel Rahman"));
    assert!(topic.contains("href=\"../../sources/"));
    assert!(!topic.contains("<script>alert"));
}

#[test]
fn seed_text_in_figures_and_quotes_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("seeds")).unwrap();
    std::fs::write(
        root.join("brief.toml"),
        "title = \"Test\"\ndate = 2023-05-10\n[[topics]]\nslug = \"storm\"\ntitle = \"Storm\"\nkeywords = [\"storm\"]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("seeds/a.txt"),
        "Storm hits the coast\n\n\
         The storm killed at least 12 people on Tuesday, the <b>Coast Guard</b> said.\n\
         “The storm <script>alert(1)</script> took everything we had,” said fisherman Tomas Lind.\n",
    )
    .unwrap();
    let site = site::build(root, &root.join("public"), false, &BuildOptions::from_env()).unwrap();
    assert!(site.briefing.figures.iter().any(|f| f.value == 12 && f.label == "killed"));
    assert!(site.briefing.timeline.events(&site.briefing.sources).any(|e| e.date == "2023-05-09"));
    assert!(site.briefing.quotes.iter().any(|q| q.speaker.as_deref() == Some("Tomas Lind")));
    for page in ["public/index.html", "public/topics/storm/index.html"] {
        let html = std::fs::read_to_string(root.join(page)).unwrap();
        assert!(!html.contains("<script>alert") && !html.contains("<b>Coast"), "{page}");
    }
}

/// A paragraph repeated on an outlet's page is anchored `-2`; the same paragraph on another
/// outlet's page is counted afresh there.
#[test]
fn a_repeated_paragraph_is_counted_outlet_by_outlet() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("seeds")).unwrap();
    std::fs::write(root.join("brief.toml"), "title = \"Test\"\n").unwrap();
    // Long enough, and far enough apart, not to be taken for a page's furniture.
    let same = "Rescue teams worked through the night to reach families trapped under the rubble of \
                three apartment blocks, and by morning they had pulled eleven people out alive from \
                the wreckage near the old market.";
    let others = [
        "The port reopened on Friday after three days of closures along the coast.",
        "Officials said the main road to the north would stay shut until engineers checked it.",
        "Schools in the district are being used as shelters for those who lost their homes.",
    ];
    let a = format!("Source: Reuters\n{same}\n{}\n{same}\n", others.join("\n"));
    std::fs::write(root.join("seeds/a.txt"), a).unwrap();
    std::fs::write(root.join("seeds/b.txt"), format!("Source: AFP\n{same}\n")).unwrap();
    let site = site::build(root, &root.join("public"), false, &BuildOptions::from_env()).unwrap();
    let anchors = |slug: &str| -> Vec<String> {
        let source = site.briefing.sources.iter().find(|s| s.slug == slug).unwrap();
        let paragraphs = source.articles.iter().flat_map(|a| &a.paragraphs);
        paragraphs.filter(|p| &*p.text == same).map(|p| p.id.to_string()).collect()
    };
    let (reuters, afp) = (anchors("reuters"), anchors("afp"));
    assert_eq!(reuters.len(), 2, "{reuters:?}");
    assert_eq!(reuters[1], format!("{}-2", reuters[0]));
    assert_eq!(afp, [reuters[0].clone()]);
}
