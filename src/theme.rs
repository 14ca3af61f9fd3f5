//! The default theme, built into the binary so a project without a `themes/default/` copy
//! (or a fresh `brief init`) still builds. The files live in `themes/default/`.

pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../themes/default/templates/base.html")),
    ("index.html", include_str!("../themes/default/templates/index.html")),
    ("topic.html", include_str!("../themes/default/templates/topic.html")),
    ("source.html", include_str!("../themes/default/templates/source.html")),
    ("macros.html", include_str!("../themes/default/templates/macros.html")),
    ("search.html", include_str!("../themes/default/templates/search.html")),
];

pub const STATIC: &[(&str, &[u8])] = &[
    ("search.js", include_bytes!("../themes/default/static/search.js")),
    ("style.css", include_bytes!("../themes/default/static/style.css")),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded copy must list every file of the theme folder.
    #[test]
    fn embedded_theme_matches_the_folder() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        for (sub, names) in [
            ("templates", TEMPLATES.iter().map(|(n, _)| *n).collect::<Vec<_>>()),
            ("static", STATIC.iter().map(|(n, _)| *n).collect::<Vec<_>>()),
        ] {
            let mut on_disk: Vec<String> = std::fs::read_dir(dir.join(sub))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
                .collect();
            on_disk.sort();
            let mut embedded: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            embedded.sort();
            assert_eq!(on_disk, embedded, "themes/default/{sub}");
        }
    }
}
