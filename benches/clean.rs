//! The cleaner on the example briefing's seeds: learning repeated lines, then cleaning every
//! article. `cargo bench --bench clean`.

use std::path::Path;

use brief::clean::{self, Cleaner};
use brief::config::Config;
use brief::ingest;
use criterion::{Criterion, criterion_group, criterion_main};

fn cleaner(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::load(root).expect("brief.toml");
    let articles = ingest::ingest(root).expect("seeds").articles;
    c.bench_function("clean/learn_repeats", |b| {
        b.iter(|| {
            let mut cleaner = Cleaner::new(&config.clean).expect("patterns");
            cleaner.learn_repeats(&articles);
            cleaner
        })
    });
    let mut cleaner = Cleaner::new(&config.clean).expect("patterns");
    cleaner.learn_repeats(&articles);
    c.bench_function("clean/articles", |b| {
        b.iter(|| articles.iter().map(|a| clean::clean(a, &cleaner)).collect::<Vec<_>>())
    });
}

criterion_group!(benches, cleaner);
criterion_main!(benches);
