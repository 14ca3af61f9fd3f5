//! Editor Markdown to HTML: pulldown-cmark with tables and footnotes; fenced code blocks are
//! highlighted by syntect with CSS classes. Syntect's syntaxes load on the first code block,
//! so a briefing without code never pays for them.

use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd, html};
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// Rendered HTML and whether it contains highlighted code (the page then needs `syntax.css`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    pub has_code: bool,
}

/// Prefixed classes (`hl-keyword`), so grammar scopes like `meta` or `source` never collide
/// with the theme's own classes.
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

pub fn render(markdown: &str) -> Rendered {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION;
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    let mut has_code = false;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(lang) => lang.split_whitespace().next().unwrap_or("").to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Text(text) if code.is_some() => {
                if let Some((_, body)) = code.as_mut() {
                    body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, body)) = code.take() {
                    has_code = true;
                    events.push(Event::Html(highlight(&lang, &body).into()));
                }
            }
            other => events.push(other),
        }
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Rendered { html: out, has_code }
}

/// Highlights one code block; an unknown language is shown as plain, escaped text.
fn highlight(lang: &str, code: &str) -> String {
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(lang).unwrap_or_else(|| set.find_syntax_plain_text());
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return format!("<pre><code>{}</code></pre>", escape_html(code));
        }
    }
    let lang_class =
        if lang.is_empty() { String::new() } else { format!(" data-lang=\"{}\"", escape_html(lang)) };
    format!("<pre class=\"hl-code\"{lang_class}><code>{}</code></pre>", generator.finalize())
}

/// The stylesheet for highlighted code, written only when some page has code.
pub fn syntax_css() -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let mut css = themes
        .themes
        .get("InspiredGitHub")
        .and_then(|theme| css_for_theme_with_class_style(theme, CLASS_STYLE).ok())
        .unwrap_or_default();
    // The theme's grey comments fall short of WCAG AA contrast; code stays a light card in
    // dark mode too, so one set of colours serves both.
    css.push_str("\npre.hl-code { background-color: #ffffff; color: #323232; }\n.hl-code .hl-comment { color: #6a6a6a; }\n");
    css
}

/// Text of an HTML fragment without its tags, entities decoded for the common five.
pub fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
    out.replace("&amp;", "&").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` with `<`, `>`, `&`, `"` and `'` written as entities. Every value a template prints
/// goes through this: the runs between those bytes are copied whole, not char by char.
pub fn escape_html(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut copied = 0;
    // The next of `<>&` and the next of `"'`, each found with `memchr` and looked for again
    // only once passed.
    let find = |from: usize, found: Option<usize>| found.map_or(bytes.len(), |i| from + i);
    let mut markup = find(0, memchr::memchr3(b'<', b'>', b'&', bytes));
    let mut quote = find(0, memchr::memchr2(b'"', b'\'', bytes));
    loop {
        let at = markup.min(quote);
        if at == bytes.len() {
            break;
        }
        let entity = match bytes[at] {
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'&' => "&amp;",
            b'"' => "&quot;",
            _ => "&#39;",
        };
        // These bytes are ASCII: never inside a multi-byte character, so `at` is a boundary.
        out.push_str(&text[copied..at]);
        out.push_str(entity);
        copied = at + 1;
        if at == markup {
            markup = find(copied, memchr::memchr3(b'<', b'>', b'&', &bytes[copied..]));
        } else {
            quote = find(copied, memchr::memchr2(b'"', b'\'', &bytes[copied..]));
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_and_footnotes() {
        let out = render("| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1].\n\n[^1]: Note.\n");
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains("footnote"));
        assert!(!out.has_code);
    }

    #[test]
    fn fenced_code_is_highlighted_with_classes() {
        let out = render("```rust\nfn main() { let x = 1; }\n```\n");
        assert!(out.has_code);
        assert!(out.html.contains("<span class=\"hl-source hl-rust\">"), "{}", out.html);
        assert!(out.html.contains("data-lang=\"rust\""));
    }

    proptest::proptest! {
        /// The escape is each character's entity, or the character.
        #[test]
        fn escape_is_character_by_character(text in "[<>&\"'aé東 ]{0,30}") {
            let each: String = text
                .chars()
                .map(|c| match c {
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '&' => "&amp;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c => c.to_string(),
                })
                .collect();
            proptest::prop_assert_eq!(escape_html(&text), each);
        }
    }

    #[test]
    fn escapes_the_five_markup_characters_and_keeps_the_rest() {
        assert_eq!(
            escape_html(r#"<a href="x">Tom's "café" & ÉTÉ — 東京</a>"#),
            "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &quot;café&quot; &amp; ÉTÉ — 東京&lt;/a&gt;"
        );
        assert_eq!(escape_html("&&"), "&amp;&amp;");
        assert_eq!(escape_html("plain"), "plain");
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("é<"), "é&lt;");
    }

    #[test]
    fn strips_tags_to_text() {
        assert_eq!(
            strip_tags("<p>Rebels <strong>took</strong> the city &amp; airport.</p>\n"),
            "Rebels took the city & airport."
        );
    }

    #[test]
    fn unknown_language_is_escaped_plain_text() {
        let out = render("```nosuchlang\n<script>x</script>\n```\n");
        assert!(out.html.contains("&lt;script&gt;"));
        assert!(!out.html.contains("<script>"));
    }
}
