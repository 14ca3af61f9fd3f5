//! The renderer on the example briefing: every page and `briefing.json` through the default
//! theme. `cargo bench --bench render`.

use std::path::Path;

use brief::config::Config;
use brief::render::Renderer;
use brief::site::{BuildOptions, Site};
use criterion::{Criterion, criterion_group, criterion_main};

fn renderer(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(root).expect("brief.toml");
    let site = Site::load(root, &BuildOptions { source_date_epoch: Some(0), process_ends: false })
        .expect("example builds");
    c.bench_function("render/load_templates", |b| {
        b.iter(|| Renderer::load(root, &config).expect("templates"))
    });
    let renderer = Renderer::load(root, &config).expect("templates");
    c.bench_function("render/pages", |b| {
        b.iter(|| renderer.render(&site.briefing, &config, false).expect("renders"))
    });
}

criterion_group!(benches, renderer);
criterion_main!(benches);
