//! One seed through every stage: ingest, clean, outlet, topics, assemble, render.
//! Must never panic, and no `<` of the seed may reach a page unescaped.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use brief::assemble::{Inputs, assemble};
use brief::clean::{Cleaner, clean};
use brief::config::{Config, TopicConfig};
use brief::content::Content;
use brief::render::Renderer;
use brief::{ingest, outlet, topics};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(raw) = ingest::parse_seed("seeds/fuzz.txt", &text) else { return };
    let nowhere = Path::new("/nonexistent-brief-fuzz-root");
    let mut config = Config::load(nowhere).expect("defaults");
    config.topics = vec![TopicConfig {
        slug: "river".into(),
        title: "River".into(),
        keywords: vec!["river".into(), "flood*".into()],
        order: None,
    }];
    let content = Content::default();
    let cleaner = Cleaner::new(&config.clean).expect("no editor rules");
    let cleaned = vec![clean(&raw, &cleaner)];
    let attribution = outlet::identify(&cleaned, &content);
    let topic_list = topics::topics_from(&config, &content).expect("valid topics");
    let matcher = topics::Matcher::new(&topic_list);
    let assignments: Vec<_> =
        cleaned.iter().map(|a| topics::assign(a.headline.as_deref(), &a.blocks, &matcher)).collect();
    let briefing = assemble(Inputs {
        config: &config,
        content: &content,
        articles: cleaned.clone(),
        attribution: &attribution,
        topics: &topic_list,
        assignments: &assignments,
        source_date_epoch: None,
    });
    // Templates compile once; the fuzzer's time goes to the stages.
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    let renderer = RENDERER.get_or_init(|| Renderer::load(nowhere, &config).expect("built-in theme"));
    let files = renderer.render(&briefing, &config, false).expect("rendering a valid briefing");
    for block in &cleaned[0].blocks {
        if block.text.contains('<') {
            for file in files.iter().filter(|f| f.path.ends_with(".html")) {
                let html = String::from_utf8_lossy(&file.bytes);
                assert!(!html.contains(&block.text), "unescaped seed text in {}", file.path);
            }
        }
    }
});
