//! The cleaner's vocabulary as data: each rule has the name users see as the reason a line was
//! removed, the class it gives, a pattern, and a length limit (a long line that merely
//! mentions a newsletter is still a paragraph).

use std::sync::{LazyLock, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};
use rayon::prelude::*;
use regex::Regex;

use super::LineClass;

/// Where in an article a rule may fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Anywhere,
    /// Only among the last few lines (author bios, trailing credits).
    Tail,
    /// Anywhere but on a line that opens with a quotation mark: quoted speech is the
    /// article's whatever words it uses.
    Unquoted,
}

/// Whether a line opens with a quotation mark.
pub fn opens_quoted(text: &str) -> bool {
    text.trim_start().starts_with(['"', '“', '„', '‘', '\'', '«', '「'])
}

pub struct RuleSpec {
    pub name: &'static str,
    pub class: LineClass,
    /// The rule fires when any of these matches. Alternatives are kept apart rather than
    /// joined with `|`: small patterns run on the regex crate's fast engines, one big
    /// alternation of Unicode classes falls back to the slow one.
    pub patterns: &'static [&'static str],
    /// Patterns anchored at the line's end (`$`) for what sits there (credits, "(AP Photo)"),
    /// each with how many of the line's last characters it sees (the window bounds how long
    /// a match can be, so the patterns need no counted repetitions, slow to compile), and a
    /// character every match holds, if there is one: a window without it is not searched.
    /// (These patterns start with nothing the regex crate can look for first, case-blind
    /// words or classes, so it scans every window; most lines' ends have no colon, slash or
    /// bracket.)
    pub at_end: &'static [(&'static str, usize, Option<char>)],
    /// Words (lower case) one of which every match of `patterns` holds, in the line folded
    /// (`folded_lower`); empty when there are none to name. A line without any of them is
    /// not searched: case-blind words give the regex crate too many literals to look for
    /// first, so it scans every line, where the words alone, in the line folded once, are
    /// found by a fast search (`Rule::may_match`). A word must stand as literal text (no `\s`,
    /// `.` or class within it) in every alternative of the patterns, and a character of a
    /// pattern that is not ASCII (`©`) is a word of its own.
    pub words: &'static [&'static str],
    pub max_words: usize,
    /// Fewest words: a rule for longer lines leaves the short ones to another.
    pub min_words: usize,
    pub position: Position,
}

pub struct Rule {
    pub name: &'static str,
    pub class: LineClass,
    pub regexes: Vec<Pattern>,
    pub at_end: Vec<(Pattern, usize, Option<char>)>,
    /// The spec's `words`, to look for all at once.
    words: Option<AhoCorasick>,
    pub max_words: usize,
    pub min_words: usize,
    pub position: Position,
}

/// One of a rule's patterns, compiled when a line first reaches it. A rebuild cleans a few
/// seeds, whose lines reach few of the patterns behind a rule's words or end character: the
/// whole table took 14 ms to compile, on the path of every rebuild.
pub struct Pattern {
    rule: &'static str,
    source: &'static str,
    compiled: OnceLock<Regex>,
}

impl Pattern {
    fn new(rule: &'static str, source: &'static str) -> Pattern {
        Pattern { rule, source, compiled: OnceLock::new() }
    }

    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| compile_rule(self.rule, self.source))
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.regex().is_match(text)
    }
}

impl Rule {
    /// Whether the line may match: `false` when the line folded (`folded_lower`) holds none
    /// of the rule's words.
    pub fn may_match(&self, folded: &str) -> bool {
        self.words.as_ref().is_none_or(|words| words.is_match(folded))
    }

    /// Whether the rule's pattern matches the line (its length and position not considered).
    pub fn is_match(&self, text: &str) -> bool {
        self.regexes.iter().any(|re| re.is_match(text))
            || self.at_end.iter().any(|(re, window, needs)| {
                let end = last_chars(text, *window);
                needs.is_none_or(|c| end.contains(c)) && re.is_match(end)
            })
    }
}

/// The line's last `n` characters.
fn last_chars(text: &str, n: usize) -> &str {
    if text.len() <= n {
        return text;
    }
    // ASCII at the end (most lines): the last n bytes are the last n characters (an ASCII byte
    // is a whole one), found without walking back char by char (which, for each of a rule's
    // end patterns, was most of matching a line's rules).
    let at = text.len() - n;
    if text.as_bytes()[at..].is_ascii() {
        return &text[at..];
    }
    match text.char_indices().rev().nth(n - 1) {
        Some((at, _)) => &text[at..],
        None => text,
    }
}

use LineClass::{Boilerplate, Caption};
use Position::{Anywhere, Tail, Unquoted};

/// Most words of a bare credit line ("Photo by Jane Roe").
const CREDIT_LINE_WORDS: usize = 12;
/// Most words of a caption recognised by a credit run into its end: a paragraph of the
/// article may quote an agency, a caption is short.
const SHORT_CAPTION_WORDS: usize = 40;

/// Most words of a line that is a promo for merely naming a newsletter or subscription.
const PROMO_SHORT_WORDS: usize = 15;

/// A line that is only a relative age: "32M ago", "updated 2 hours ago", "a day ago".
const RELATIVE_AGE: &str = r"(?i)^((updated|published|posted)\s+)?(\d+|an?|one)\s?(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|months?|years?)\s+ago$";

/// Whether a line is only a relative age ("32M ago"), as story cards show under a blurb.
pub fn relative_age(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(RELATIVE_AGE).expect("relative age pattern")).is_match(text.trim())
}

/// Ordered: the first rule that matches names the reason.
pub const RULES: &[RuleSpec] = &[
    RuleSpec {
        name: "photo-caption",
        class: Caption,
        patterns: &[
            r"(?i)^(photo|image|picture|file photo|pictured|caption)\s*[:|(]",
            // "Image caption The band on stage", "Media caption …", "Image copyright Getty".
            r"(?i)^(image|photo|picture|media|video) (caption|copyright|source)(\s|:|$)",
        ],
        at_end: &[
            // "… heart of Aleppo, Syria. /Mahmoud Hasano/Reuters": credit after slashes (a
            // name of up to 60 characters, an agency of up to 40).
            (r"[.!?”\x22)]\s*/\s*\p{Lu}[^/]*/\s*\p{Lu}[\p{L}\p{N} .&'-]*$", 110, Some('/')),
            (r"(?i)\((ap|afp|reuters|getty|epa|ansa)?\s*photo[^)]*\)\s*$", 160, Some('(')),
            // "Photo: Jane Roe / Agency", up to 60 characters after the colon.
            (r"(?i)(photograph|photo|image|picture)\s*:\s*[\p{L} .&/-][\p{L} .&/-]+$", 75, Some(':')),
            (r"(?i)\b(getty images|shutterstock|afp via getty images)\s*$", 60, None),
            // "… at dawn (Image: Agency)", "(Image credit: Jane Roe)", "(Credit: Agency)": a
            // credit in brackets closes the line.
            (r"(?i)\((image|picture|pic|photograph|foto|bild)( credits?)?\s*:[^()]*\)\s*$", 90, Some(':')),
            (r"(?i)\((photo )?(credits?|courtesy)\s*:[^()]*\)\s*$", 90, Some(':')),
            // "… leaving the quay at dawn. Credit: Agency": a credit after the last sentence.
            // Or run into it: "… ate a rabbitCredit: Agency".
            (
                r"((?i:[.!?”\x22)]\s+(credits?|courtesy))|\p{Ll}(Credits?|Photo|Image|Picture))\s*:\s*[\p{L}\p{N}][\p{L}\p{N} .&/'’-]*$",
                70,
                Some(':'),
            ),
        ],
        words: &[],
        max_words: 120,
        min_words: 0,
        position: Anywhere,
    },
    // A bare credit line: "Photo by Jane Roe", "Courtesy of the Harbour Board".
    RuleSpec {
        name: "photo-caption",
        class: Caption,
        patterns: &[r"^(?i:(photo|photograph|image|picture)s? (by|courtesy of)|courtesy of)\s+\p{Lu}[^!?]*$"],
        at_end: &[],
        words: &[],
        max_words: CREDIT_LINE_WORDS,
        min_words: 0,
        position: Anywhere,
    },
    // A caption whose credit closes it, after its last sentence or run into it: "… in New
    // York. (AP)", "… in New York.Reuters", "… ate a rabbitCredit: Agency".
    RuleSpec {
        name: "photo-caption",
        class: Caption,
        patterns: &[],
        at_end: &[(
            r"[.!?”\x22]\s*(\((AP|AFP|Reuters|Getty Images|Getty|EPA|Bloomberg|Xinhua)\)|Reuters|AFP|Getty Images|EPA|Bloomberg|Shutterstock|Alamy)$",
            24,
            None,
        )],
        words: &[],
        max_words: SHORT_CAPTION_WORDS,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "source-line",
        class: Boilerplate,
        patterns: &[r"(?i)^(source|sources|fonte|fuente|quelle|source de l'article)\s*:\s*[^.!?]{1,80}$"],
        at_end: &[],
        words: &[],
        max_words: 12,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "syndication-note",
        class: Boilerplate,
        patterns: &[
            r"(?i)syndicated (feed|content|from)|has not been edited by|auto-generated from a",
            r"(?i)(originally|first) (appeared|published) (in|on|at|by)",
            r"(?i)republished (here )?(with|under) permission",
            r"(?i)this (article|story|piece) (first )?(appeared|was (first )?published)",
            r"(?i)distributed by .{1,40} content agency",
        ],
        at_end: &[],
        words: &["syndicated", "edited by", "auto-generated", "appeared", "published", "distributed by"],
        max_words: 60,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "affiliate-note",
        class: Boilerplate,
        patterns: &[
            // Without `\b`: word boundaries send non-ASCII lines to a slower regex engine.
            r"(?i)we may (earn|receive|get) (an? )?(small )?(affiliate )?(commission|share)",
            r"(?i)affiliate (links?|commissions?|partnerships?)",
            r"(?i)if you (buy|purchase) (something|anything|a product) (through|via|from) (our|these|this|the) (links?|post|article|page)",
        ],
        at_end: &[],
        words: &["we may", "affiliate", "if you"],
        max_words: 60,
        min_words: 0,
        position: Anywhere,
    },
    // A short line naming a newsletter or a subscription is a button or a box's title
    // ("Newsletters", "Manage Subscription").
    RuleSpec {
        name: "newsletter-promo",
        class: Boilerplate,
        patterns: &[
            r"(?i)(?-u:\b)(newsletters?|subscribe|subscriptions?|subscribing|sign(ing)? up|unsubscribe|(in|to) your inbox)(?-u:\b)",
        ],
        at_end: &[],
        words: &["newsletter", "subscri", "sign up", "signing up", "your inbox"],
        max_words: PROMO_SHORT_WORDS,
        min_words: 0,
        position: Unquoted,
    },
    // A longer one must ask the reader to sign up ("Subscribe to our newsletter for …", "Get
    // the headlines delivered to your inbox"): a paragraph that mentions a subscription
    // ("… worth a digital subscription?") is the article's.
    RuleSpec {
        name: "newsletter-promo",
        class: Boilerplate,
        patterns: &[
            r"(?i)(?-u:\b)(subscribe (to|now|today|for|here|and)|sign(ing)? up (for|to|now|here|today)|unsubscribe|(in|to) your inbox|(our|free|daily|weekly|email|e-mail) newsletters?|your subscription|subscribing)(?-u:\b)|(?-u:\b)subscribe[.!]?$",
        ],
        at_end: &[],
        words: &["newsletter", "subscri", "sign up", "signing up", "your inbox"],
        max_words: 40,
        min_words: PROMO_SHORT_WORDS + 1,
        position: Unquoted,
    },
    RuleSpec {
        name: "author-bio",
        class: Boilerplate,
        patterns: &[
            r"(?i)^about the author\b",
            r"(?i)^(\p{Lu}[\p{L}'’.-]+\s){1,3}(is|was|has been)\s+(a|an|the|our)\b[^.]{0,160}\b(writer|reporter|journalist|editor|correspondent|reviewer|columnist|contributor|author|analyst|producer|critic|blogger|freelancer|photographer)s?\b",
        ],
        at_end: &[],
        words: &[],
        max_words: 120,
        min_words: 0,
        position: Tail,
    },
    RuleSpec {
        name: "byline",
        class: Boilerplate,
        // "By Jane Roe, Staff Writer" but not "By Friday, the factions had …": a name, then
        // at most a short role (up to 40 characters without sentence punctuation: a counted
        // class of every letter made this the slowest pattern to compile).
        patterns: &[
            r"^(?i:by|written by|words by|reporting by|additional reporting by|edited by|editing by|compiled by|text by)\s+\p{Lu}[\p{L}'’.-]*(\s+(\p{Lu}[\p{L}'’.-]*|and|&|de|van|von|al|bin))*\s*([,|–—-]\s*[^,.;:!?0-9]{0,40})?$",
            r"^\((?i:reporting|writing|editing) by [^)]*\)\.?$",
            // "By Jane Roe, Jo Bell on Monday, March 3rd, 2021 at 9:15 a.m.": names, then a date.
            r"^(?i:by|written by)\s+\p{Lu}[\p{L}'’.-]*(\s*(,|and|&)?\s*\p{Lu}[\p{L}'’.-]*)*\s+(?i:on|at|updated|published)\s+[\p{L}\d ,.:]*\d[\p{L}\d ,.:]*$",
        ],
        at_end: &[],
        words: &[],
        max_words: 16,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "dateline",
        class: Boilerplate,
        // "Posted by Jo Bell on May 2, 2021", "Published: Monday, 4 March", a bare date/time.
        patterns: &[
            r"(?i)^(posted|published|updated|last updated|modified)\b\s*(on|by|:|at)?\s.{0,90}$",
            r"(?i)^(((jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|\d{1,4}(st|nd|rd|th)?|at|am|pm|a\.m\.|p\.m\.|gmt|utc|(?-i:[A-Z]{1,4}T))[\s,:/.|–-]*)+$",
            // "32M ago", "updated 2 hours ago": a story card's age.
            RELATIVE_AGE,
        ],
        at_end: &[],
        words: &[],
        max_words: 18,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "comment-author",
        class: Boilerplate,
        patterns: &[r"^\S.{0,40}\s(says|said|wrote|replied):$"],
        at_end: &[],
        words: &[],
        max_words: 7,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "read-more",
        class: Boilerplate,
        patterns: &[
            r"(?i)^(read more|read also|also read|read next|related( stories| articles| coverage)?|see also|see more|see all|view all|view more|show all|show more|load more|more from|more on this|recommended|you may also like|you might also like|most read|most popular|trending|click here|watch|listen)\b",
        ],
        at_end: &[],
        words: &[],
        max_words: 25,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "share-prompt",
        class: Boilerplate,
        patterns: &[
            r"(?i)^(share( this)?( article| story| on)?|tweet|email|print|follow us|like us on|share via|copy link|click to (share|email|print|tweet))\b",
            r"(?i)\bfollow (us|@\w+) on\b",
            r"(?i)^follow [^.!?]+ on (twitter|facebook|instagram|youtube|tiktok|linkedin|x|threads|bluesky|mastodon)(\s|[.,!]|$)",
            r"(?i)\(opens in (a )?new window\)",
        ],
        at_end: &[],
        words: &[
            "share",
            "tweet",
            "email",
            "print",
            "follow",
            "like us on",
            "copy link",
            "click to",
            "opens in",
        ],
        max_words: 12,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "copyright",
        class: Boilerplate,
        patterns: &[r"(?i)©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved"],
        at_end: &[],
        words: &["©", "(c)", "copyright", "all rights reserved"],
        max_words: 40,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "cookie-notice",
        class: Boilerplate,
        patterns: &[r"(?i)\bcookies?\b.*\b(use|accept|policy|consent|settings)\b"],
        at_end: &[],
        words: &["cookie"],
        max_words: 60,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "comment-notice",
        class: Boilerplate,
        patterns: &[
            r"(?i)^(comments?|leave a comment|join the conversation|show comments|\d+ comments?|comments are closed)\b",
        ],
        at_end: &[],
        words: &[],
        max_words: 15,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "tags-line",
        class: Boilerplate,
        // "Tags: courts, police", "Filed under: Politics", "タグ: ソフトウェア".
        patterns: &[
            r"(?i)^(tags?|tagged( with| in)?|topics?|filed under|categories|category|subjects?|keywords|schlagwörter|stichwörter|themen|etiquetas|temas|mots-clés|argomenti|タグ|标签|关键词|теги|метки)\s*[:：]",
        ],
        at_end: &[],
        words: &[],
        max_words: 25,
        min_words: 0,
        position: Anywhere,
    },
    RuleSpec {
        name: "advertisement",
        class: Boilerplate,
        patterns: &[
            r"(?i)^(advertisement|advertising|sponsored( content| links?)?|ad|promoted|scroll to continue|(story|article) continues below( advertisement)?|continue reading below)$",
            r"(?i)^(anzeige|werbung|publicidad|publicidade|publicité|pubblicità|реклама|広告|スポンサーリンク|スポンサードリンク|广告)$",
        ],
        at_end: &[],
        words: &[],
        max_words: 6,
        min_words: 0,
        position: Anywhere,
    },
];

/// Compiles the rule table and the section patterns now, side by side on every core (and
/// beside a thread already at it, `prepare_here`: each rule is compiled once, by whichever
/// gets to it first).
pub fn prepare() {
    rayon::join(
        || {
            (0..RULES.len()).into_par_iter().for_each(|i| {
                compiled_whole(i);
            })
        },
        || {
            SECTIONS.par_iter().for_each(|section| {
                section("");
            })
        },
    );
}

/// `prepare` on this thread alone, for a thread of its own, from the last rule back (so that
/// `prepare` on other threads, from the first, meets it halfway).
pub fn prepare_here() {
    for i in (0..RULES.len()).rev() {
        compiled_whole(i);
    }
    for section in SECTIONS {
        section("");
    }
}

/// The section patterns; each compiles on first use (an empty line reaches it).
const SECTIONS: [fn(&str) -> bool; 7] = [
    relative_age,
    credit_only,
    post_attribution,
    comment_section_start,
    author_header,
    related_section_start,
    sources_section_start,
];

/// The compiled rules, a slot per rule; each is compiled once per process. A thread that
/// finds a rule being compiled waits for it; compiling one starts no parallel work, so a pool
/// thread waiting here cannot hold up the compiling.
static RULES_COMPILED: LazyLock<Vec<OnceLock<Rule>>> =
    LazyLock::new(|| RULES.iter().map(|_| OnceLock::new()).collect());

fn compiled(i: usize) -> &'static Rule {
    RULES_COMPILED[i].get_or_init(|| compile_spec(&RULES[i]))
}

/// The rule with every pattern compiled (`prepare`: a build cleaning many seeds reaches them all).
fn compiled_whole(i: usize) {
    let rule = compiled(i);
    for pattern in rule.regexes.iter().chain(rule.at_end.iter().map(|(p, _, _)| p)) {
        pattern.regex();
    }
}

/// `text` folded into `buf` for the rules' words: ASCII letters lower-cased, and the two
/// letters that are not ASCII but that a case-blind pattern's ASCII letter matches (`ſ` for
/// `s`, the Kelvin sign for `k`) made that letter. Every other character is kept: no other
/// matches a literal ASCII letter, space or sign of a pattern, case-blind or not
/// (`a_letter_not_ascii_folds_as_patterns_do`); the words are such literals (`RuleSpec::words`).
pub fn folded_lower<'a>(text: &str, buf: &'a mut String) -> &'a str {
    buf.clear();
    if text.is_ascii() {
        buf.push_str(text);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(text.chars().map(fold_char));
    }
    buf.as_str()
}

fn fold_char(c: char) -> char {
    match c {
        '\u{17f}' => 's',
        '\u{212a}' => 'k',
        c => c.to_ascii_lowercase(),
    }
}

/// The rules, in order, each compiled on first use.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    (0..RULES.len()).map(compiled)
}

fn compile_spec(spec: &RuleSpec) -> Rule {
    Rule {
        name: spec.name,
        class: spec.class,
        regexes: spec.patterns.iter().map(|p| Pattern::new(spec.name, p)).collect(),
        at_end: spec
            .at_end
            .iter()
            .map(|(p, window, needs)| (Pattern::new(spec.name, p), *window, *needs))
            .collect(),
        // Leftmost-first: whether any word is there is all that is asked, and that search
        // runs on the packed (SIMD) searcher.
        words: (!spec.words.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(spec.words)
                .unwrap_or_else(|e| panic!("rule {}: {e}", spec.name))
        }),
        max_words: spec.max_words,
        min_words: spec.min_words,
        position: spec.position,
    }
}

/// The table is code: a bad pattern is a bug caught by the unit tests.
fn compile_rule(name: &str, pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("rule {name}: {e}"))
}

/// A line that is only a photo's credit: bracketed ("(Image: © Agency)"), a credit label
/// and a name ("Photo: Jane Roe", "Photograph by Jane Roe", "Credit: Agency"), or names
/// between bars or slashes ("Jane Roe | Agency | Picture Desk"). Callers bound its length.
pub fn credit_only(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    let text = text.trim();
    if text.starts_with('(') && text.ends_with(')') {
        return true;
    }
    if (text.contains('|') || text.contains('/')) && !text.contains(['.', '!', '?', ',']) {
        return !text.to_lowercase().starts_with("image ");
    }
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)^((photo|photograph|image|picture|pic|foto|bild|credit|courtesy)s?( credits?)?\s*(:|by )|courtesy of )",
        )
        .expect("credit pattern")
    })
    .is_match(text)
}

/// The attribution line that closes an embedded social-media post: "— Jane Roe (@janeroe)
/// March 3, 2021" (or "3 March 2021").
pub fn post_attribution(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[—–-]\s*[^()]+\(@\w+\)\s*(\p{L}+\.? \d+, \d{4}|\d+\.? \p{L}+ \d{4})$")
            .expect("post attribution pattern")
    })
    .is_match(text.trim())
}

/// How far before a name's repeat its first copy is looked for, and how far after it the
/// card's closing "MORE" (bytes): the work per line stays linear.
const HOVER_NAME_BYTES: usize = 100;
const HOVER_CARD_BYTES: usize = 1200;

/// A name's pop-up card run into a line of text: the name, the name again with no space
/// before it, the headlines of the card, and its "MORE" link ("… threatened Rep. Jane
/// RoeJane RoeHarbour bill stalls | Ferry vote delayed MORE (D-Isle.), the office said").
/// Returns the byte range to cut (from the repeat through "MORE" and its space), which
/// leaves the name once. Linear: each place where a lower-case letter meets a capital is
/// checked against a bounded stretch either side.
pub fn hover_card(text: &str) -> Option<std::ops::Range<usize>> {
    if !text.contains("MORE") {
        return None;
    }
    let mut prev = ' ';
    for (at, c) in text.char_indices() {
        if prev.is_lowercase() && c.is_uppercase() {
            let (before, after) = text.split_at(at);
            if let Some(name) = repeated_name(before, after) {
                let from = at + name;
                let window = &text[from..floor_boundary(text, from + HOVER_CARD_BYTES)];
                if let Some(more) = window.match_indices("MORE").map(|(i, _)| i).find(|&i| {
                    let left = window[..i].chars().next_back();
                    let right = window[i + 4..].chars().next();
                    left.is_none_or(|c| !c.is_alphanumeric()) && right.is_none_or(|c| !c.is_alphanumeric())
                }) {
                    let mut end = from + more + 4;
                    end += text[end..].len() - text[end..].trim_start().len();
                    return Some(at..end);
                }
            }
        }
        prev = c;
    }
    None
}

/// The length of a name of two to four capitalised words that ends `before` and starts
/// `after`, the longest if several do.
fn repeated_name(before: &str, after: &str) -> Option<usize> {
    let tail = &before[ceil_boundary(before, before.len().saturating_sub(HOVER_NAME_BYTES))..];
    let mut found = None;
    let mut words = 0;
    for (i, c) in tail.char_indices().rev().chain(std::iter::once((usize::MAX, ' '))) {
        if c != ' ' {
            continue;
        }
        let start = if i == usize::MAX { 0 } else { i + 1 };
        let name = &tail[start..];
        let word = name.split(' ').next().unwrap_or("");
        if word.is_empty() || !word.starts_with(char::is_uppercase) {
            break;
        }
        words += 1;
        if words >= 2 && after.starts_with(name) {
            found = Some(name.len());
        }
        if words == 4 || i == usize::MAX {
            break;
        }
    }
    found
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// The line that opens a reader comment section ("34 responses to …", "Leave a Reply",
/// "Comments"): the article ends before it.
pub fn comment_section_start(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)^(\d+\s+)?(comments?|responses?|replies|reactions|kommentare|comentários|comentarios|komentar|commentaires)(\s+to\b.*|\s*\(\d+\))?\s*:?$|^(leave|post|add|write|submit) (a|your) (reply|comment|response)\b|^(join|start) the (discussion|conversation)\b|^(\d+|one|two|three|four|five|six|seven|eight|nine|ten) (thoughts?|responses?|comments?|replies|reactions) (to|on)\b|^(show|view|load|read) (all )?(\d+ )?comments\b",
        )
        .expect("comment section pattern")
    })
    .is_match(text.trim())
}

/// A line that heads a note about the author ("About the author", "About Jane Roe",
/// "Über den Autor"): the whole line is the header.
pub fn author_header(text: &str) -> bool {
    static RE: OnceLock<[Regex; 2]> = OnceLock::new();
    RE.get_or_init(|| {
        [
            Regex::new(
                r"(?i)^(about the authors?|about the writer|über (den autor|die autorin)|sobre (o|el|a) autora?|à propos de l'auteur|sull'autore|об авторе|tentang penulis|著者について|筆者について|作者简介)\s*:?$",
            )
            .expect("author header pattern"),
            Regex::new(r"^(?i:about|über|sobre|à propos de) \p{Lu}[^\s.!?,:;]+ \p{Lu}[^\s.!?,:;]+( \p{Lu}[^\s.!?,:;]+)?$")
                .expect("author name header pattern"),
        ]
    })
    .iter()
    .any(|re| re.is_match(text.trim()))
}

/// The most words a line heading a list of other stories has.
pub const RELATED_HEADER_WORDS: usize = 8;

/// A line that heads a list of other stories ("Related articles", "You may also like",
/// "More in World", "関連記事", "Lesen Sie auch"): the whole line is the header. Callers
/// bound its length (`RELATED_HEADER_WORDS`); the pattern has no counted repetitions, which
/// would make it slow.
pub fn related_section_start(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)^(related|related (stories|articles|posts|content|coverage|news|reading|links|topics|videos)|read (more|next|also)|also read|see also|more (stories|news|articles|videos|to explore|for you)|more (in|from|on) (?-i:\p{Lu})[^.!?]*|more (?-i:\p{Lu})[^.!?]*|you (may|might) (also )?(like|enjoy|be interested in)|we recommend|recommended( for you| reading| stories| articles| videos)?|most (read|popular|viewed|shared|commented)( [^.!?]*)?|trending( now| news| stories| articles)?|don'?t miss|popular (posts|stories|articles|now)|latest (news|stories|articles|posts|videos)|other stories|in other news|up next|what to read next|further reading|関連記事|関連ニュース|関連リンク|おすすめ記事|人気記事|相关文章|相关阅读|推荐阅读|相關文章|leia também|leia mais|veja também|mais lidas|lea también|noticias relacionadas|artículos relacionados|lo más leído|lesen sie auch|mehr zum thema|meistgelesen|weitere (artikel|beiträge|nachrichten)( [^.!?]*)?|à lire aussi|lire aussi|sur le même sujet|articles similaires|les plus lus|leggi anche|potrebbe interessarti|articoli correlati|baca juga|berita terkait|artikel terkait|читайте также|похожие статьи|по теме)\s*[:…]*(\.\.\.)?\s*$",
        )
        .expect("related section pattern")
    })
    .is_match(text.trim())
}

/// A line that heads the list of an article's sources or references ("Sources:",
/// "References", "Quellen"): the whole line is the header.
pub fn sources_section_start(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)^(sources?|our sources|references|bibliography|works cited|citations|fuentes|fontes|referências|quellen|quellenangaben|références|riferimenti|fonti|referensi|sumber|источники|参考文献|出典|参考资料)\s*:?\s*$",
        )
        .expect("sources section pattern")
    })
    .is_match(text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pieces of captions, credits and prose, for lines near what the end patterns match.
    const PIECES: &[&str] = &[
        "Photo",
        "photo",
        "Image",
        "image",
        "Picture",
        "Credit",
        "credits",
        "Courtesy",
        "AP",
        "AFP",
        "Reuters",
        "Getty Images",
        "Jane Roe",
        "Agency",
        "the harbour",
        "rabbit",
        ":",
        "/",
        "(",
        ")",
        ".",
        "!",
        "\"",
        "”",
        " ",
        " ",
        " ",
        "|",
        "-",
        "&",
        "1",
    ];

    /// Promos, notes and prose: what each worded rule's patterns match, and what is near it.
    const WORDED_PIECES: &[&str] = &[
        "syndicated feed",
        "has not been edited by",
        "auto-generated from a",
        "first appeared in",
        "originally published on",
        "republished with permission",
        "this story was first published",
        "distributed by Big content agency",
        "we may earn a commission",
        "affiliate links",
        "if you buy something through our links",
        "(c) 2024",
        "© 2024",
        "©",
        "copyright",
        "all rights reserved",
        "cookies we use",
        "cookie settings",
        "share this article",
        "tweet",
        "email",
        "print",
        "follow us on twitter",
        "follow @desk on",
        "like us on facebook",
        "copy link",
        "click to share",
        "(opens in new window)",
        "subscribe to our newsletter",
        "newsletters",
        "sign up for",
        "signing up",
        "in your inbox",
        "your subscription",
        "subscribing",
        "unsubscribe",
        "subscribe.",
        "ſubscribe",
        "\u{212a}",
        "coo\u{212a}ies we use",
        "we’ll",
        "don’t",
        "“",
        "–",
        "\u{a0}",
        "é",
        "the harbour",
        "officials said",
        "first",
        "published",
        "we",
        "may",
        "up",
        "your",
        ".",
        ",",
    ];

    proptest::proptest! {
        /// A rule with words never matches any line whose folding holds none of them:
        /// skipping such lines changes nothing.
        #[test]
        fn worded_rules_match_only_lines_with_their_words(
            pieces in proptest::collection::vec((proptest::sample::select(WORDED_PIECES), 0..3u8), 1..8),
            gaps in proptest::collection::vec(proptest::sample::select(&[" ", " ", "\u{a0}", "\u{2009}", "  "][..]), 8)
        ) {
            // Each piece as it is, in capitals or capitalised.
            let cased = pieces.iter().map(|(piece, case)| match case {
                0 => piece.to_string(),
                1 => piece.to_uppercase(),
                _ => {
                    let mut chars = piece.chars();
                    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
                }
            });
            // Pieces apart by spaces, and by the spaces a `\s` would also take.
            let mut line = String::new();
            for (piece, gap) in cased.zip(&gaps) {
                if !line.is_empty() {
                    line.push_str(gap);
                }
                line.push_str(&piece);
            }
            let mut buf = String::new();
            let folded = folded_lower(&line, &mut buf);
            for rule in rules() {
                if rule.is_match(&line) {
                    proptest::prop_assert!(rule.may_match(folded), "rule {} matches {line:?} without its words", rule.name);
                }
            }
        }

        /// A line's last characters, ASCII at the end or not, are its last `n` chars.
        #[test]
        fn last_chars_are_the_last_characters(text in "[a-z é’\u{1F600}.]{0,12}", n in 1usize..14) {
            let expected: String = {
                let mut tail: Vec<char> = text.chars().rev().take(n).collect();
                tail.reverse();
                tail.into_iter().collect()
            };
            proptest::prop_assert_eq!(last_chars(&text, n), expected);
        }

        /// An end pattern never matches a window without its character: skipping such
        /// windows changes nothing.
        #[test]
        fn end_patterns_hold_their_character_in_every_match(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 1..14)
        ) {
            let line = pieces.concat();
            for rule in rules() {
                for (re, window, needs) in &rule.at_end {
                    let Some(c) = needs else { continue };
                    let end = last_chars(&line, *window);
                    proptest::prop_assert!(
                        end.contains(*c) || !re.is_match(end),
                        "{} matches {end:?} without {c:?}",
                        re.regex().as_str()
                    );
                }
            }
        }
    }

    #[test]
    fn every_rule_compiles() {
        // Patterns compile lazily: each is compiled here (a bad one panics).
        prepare_here();
        assert_eq!(rules().count(), RULES.len());
    }

    fn first_match(text: &str) -> Option<&'static str> {
        rules().find(|r| r.is_match(text)).map(|r| r.name)
    }

    #[test]
    fn datelines_comment_authors_and_share_buttons() {
        assert_eq!(first_match("Posted by Jo Bell on March 3, 2021, 9:15 AM EST"), Some("dateline"));
        assert_eq!(first_match("March 3, 2021 at 9:40 am"), Some("dateline"));
        assert_eq!(first_match("Published: Wednesday, March 3rd, 2021"), Some("dateline"));
        assert_eq!(first_match("harbourfan says:"), Some("comment-author"));
        assert_eq!(first_match("Click to share on Mastodon (Opens in new window)"), Some("share-prompt"));
        assert_eq!(first_match("March was the wettest month on record in the valley."), None);
        assert_eq!(first_match("Nov. 3, 2021 9:15 AM EST"), Some("dateline"));
        assert_eq!(first_match("May 3, 2021 10:40 BST"), Some("dateline"));
        // Time zones are capitals: a name or a table row is not a date.
        assert_eq!(first_match("31 Matt Tifft 352 0 0 0 1"), None);
        assert_eq!(first_match("Next Post"), None);
    }

    #[test]
    fn comment_sections_open_with_a_header() {
        assert!(comment_section_start("12 responses to “A quiet week at the harbour”"));
        assert!(comment_section_start("Leave a Reply"));
        assert!(comment_section_start("Comments (4)"));
        assert!(comment_section_start("7 thoughts on “A quiet week at the harbour”"));
        assert!(comment_section_start("One thought on “A quiet week at the harbour”"));
        assert!(!comment_section_start("Comments from residents were mostly positive, the mayor said."));
    }

    #[test]
    fn tags_adverts_and_author_headers() {
        assert_eq!(first_match("Tags: ferries, harbour, island council"), Some("tags-line"));
        assert_eq!(first_match("タグ: フェリー"), Some("tags-line"));
        assert_eq!(first_match("Story continues below advertisement"), Some("advertisement"));
        assert_eq!(first_match("Anzeige"), Some("advertisement"));
        assert_eq!(first_match("Topics of the meeting included fares and timetables."), None);
        assert!(author_header("About Jane Roe"));
        assert!(author_header("About the author"));
        assert!(!author_header("About Us"));
        assert!(!author_header("About the ferry"));
    }

    #[test]
    fn rules_words_are_lower_case_and_found_in_the_line_folded() {
        // A word is as the folding leaves it: lower-case ASCII, and any other character one
        // that no case-blind pattern reads as another (it has no other case).
        for spec in RULES {
            for word in spec.words {
                assert_eq!(*word, word.to_ascii_lowercase(), "rule {}", spec.name);
                for c in word.chars().filter(|c| !c.is_ascii()) {
                    assert_eq!(fold_char(c), c, "rule {} word {word:?}", spec.name);
                    let one = |cased: String| cased == c.to_string();
                    assert!(
                        one(c.to_uppercase().collect()) && one(c.to_lowercase().collect()),
                        "rule {} {c:?}",
                        spec.name
                    );
                }
            }
        }
        let rule = |name: &str| rules().find(|r| r.name == name).unwrap();
        let mut buf = String::new();
        let folded = folded_lower("This Article First APPEARED in the Harbour Times.", &mut buf);
        assert_eq!(folded, "this article first appeared in the harbour times.");
        assert!(rule("syndication-note").may_match(folded));
        assert!(!rule("cookie-notice").may_match(folded));
        assert!(rule("byline").may_match(folded), "a rule without words may match any line");
        // A line that is not ASCII: its letters that patterns take for ASCII ones are folded.
        let folded = folded_lower("Cet article est paru dans Le Monde – © 2024", &mut buf);
        assert!(rule("copyright").may_match(folded) && !rule("cookie-notice").may_match(folded));
        let line = "Don’t miss out: SUBſCRIBE to the “Morning” brief";
        assert!(rule("newsletter-promo").is_match(line));
        assert!(rule("newsletter-promo").may_match(folded_lower(line, &mut buf)));
        let line = "Our coo\u{212a}ie policy – we use them to improve the site";
        assert!(
            rule("cookie-notice").is_match(line)
                && rule("cookie-notice").may_match(folded_lower(line, &mut buf))
        );
    }

    /// The folding is sound: a character not ASCII that a case-blind pattern's ASCII letter
    /// matches is folded to that letter, and none matches a pattern's ASCII space or sign.
    #[test]
    fn a_letter_not_ascii_folds_as_patterns_do() {
        let letter = Regex::new(r"(?i)^[a-z]$").unwrap();
        let not_letter = Regex::new(r"(?i)^[\x20-\x40\x5b-\x60\x7b-\x7e]$").unwrap();
        let mut folded = 0;
        for c in (0x80..=0x10ffff).filter_map(char::from_u32) {
            let text = c.to_string();
            assert!(!not_letter.is_match(&text), "{c:?}");
            if letter.is_match(&text) {
                let to = fold_char(c);
                assert!(to.is_ascii_lowercase(), "{c:?} is folded to {to:?}");
                assert!(Regex::new(&format!("(?i)^{to}$")).unwrap().is_match(&text), "{c:?} is not {to:?}");
                folded += 1;
            } else {
                assert_eq!(fold_char(c), c);
            }
        }
        assert_eq!(folded, 2);
    }

    #[test]
    fn captions_follow_prompts_and_affiliate_notes() {
        assert_eq!(first_match("Image caption The ferry leaving the quay at dawn"), Some("photo-caption"));
        assert_eq!(
            first_match("Follow Harbour News on Instagram, Facebook and YouTube."),
            Some("share-prompt")
        );
        assert_eq!(
            first_match(
                "Harbour News is supported by its readers. When you buy through links on our site, we may earn an affiliate commission."
            ),
            Some("affiliate-note")
        );
        assert_eq!(first_match("Image of the island painted in 1820 hangs in the library."), None);
        assert_eq!(
            first_match("The ferry leaves the quay at dawn (Image: HARBOUR PRESS )"),
            Some("photo-caption")
        );
        assert_eq!(first_match("Crews repair the pier (Image credit: Jane Roe)"), Some("photo-caption"));
        assert_eq!(first_match("The mayor at the harbour (Credit: Agency Press)"), Some("photo-caption"));
        assert_eq!(
            first_match("A model of the new quay compared to the old one. Credit: Harbour Board"),
            Some("photo-caption")
        );
        assert_eq!(first_match("SEE MORE: Ferry strike ends after two weeks"), Some("read-more"));
        assert_eq!(first_match("The council gave credit: the quay reopened (on time)."), None);
        assert_eq!(first_match("Residents were asked to see more of the harbour."), None);
        assert_eq!(first_match("View all (4)"), Some("read-more"));
        assert_eq!(first_match("Show more"), Some("read-more"));
        assert_eq!(first_match("Viewers all agreed that the ferry was late."), None);
    }

    #[test]
    fn relative_ages() {
        for line in ["32M ago", "updated 15M ago", "2 hours ago", "a day ago"] {
            assert!(relative_age(line), "{line}");
            assert_eq!(first_match(line), Some("dateline"), "{line}");
        }
        assert!(!relative_age("Two hours ago the ferry left."));
        assert!(!relative_age("Years ago"));
    }

    #[test]
    fn post_attributions() {
        assert!(post_attribution("— Jane Roe (@janeroe) March 3, 2021"));
        assert!(post_attribution("- Harbour Ferries (@harbour_ferries) 3 March 2021"));
        assert!(!post_attribution("— Jane Roe, March 3, 2021"));
        assert!(!post_attribution("Jane Roe (@janeroe) said on March 3, 2021 that the quay was shut"));
    }

    #[test]
    fn hover_cards_run_into_a_line() {
        let line = "The bill was backed by Rep. Jane RoeJane RoeFerry vote delayed | Quay works stall MORE (D-Isle.), the office said.";
        let cut = hover_card(line).unwrap();
        let kept = format!("{}{}", &line[..cut.start], &line[cut.end..]);
        assert_eq!(kept, "The bill was backed by Rep. Jane Roe(D-Isle.), the office said.");
        // A name written twice with a space, or no closing MORE, is left alone.
        assert_eq!(hover_card("Rep. Jane Roe Jane Roe said MORE was needed."), None);
        assert_eq!(hover_card("Rep. Jane RoeJane Roe said the quay was shut."), None);
        assert_eq!(hover_card("iPhone users say MORE storage is needed."), None);
    }

    #[test]
    fn credits_closing_captions_and_dated_bylines() {
        for line in [
            "Photo by Jane Roe",
            "Courtesy of Harbour Board",
            "The ferry at the quay on March 3, 2021. (AP)",
            "The ferry at the quay in the old town.Reuters",
            "The ferry leaving the quay at dawnCredit: Harbour Press",
        ] {
            assert_eq!(first_match(line), Some("photo-caption"), "{line}");
        }
        for line in [
            "Photos by the dozen were sent to the council.",
            "The ferry left at dawn, the agency said, citing Reuters",
            "Courtesy of the council, the ferry runs free on Sundays",
        ] {
            assert_eq!(first_match(line), None, "{line}");
        }
        assert_eq!(
            first_match("By Jane Roe , Jo Bell on Monday, March 3rd, 2021 at 9:15 a.m."),
            Some("byline")
        );
        assert_eq!(first_match("Written by Jane Roe, MS on March 3, 2021"), Some("byline"));
        assert_eq!(first_match("By Friday, rebels took the port on May 12."), None);
    }

    #[test]
    fn credit_only_lines() {
        for line in [
            "Photo: Jane Roe",
            "(Image: © Harbour Press)",
            "Jane Roe | Harbour Press",
            "Photo by Jane Roe/Agency",
        ] {
            assert!(credit_only(line), "{line}");
        }
        for line in [
            "Image copyright Harbour Press",
            "Photographers gathered on the quay",
            "Ferry captain Jo Bell (Credit: Agency)",
        ] {
            assert!(!credit_only(line), "{line}");
        }
    }

    #[test]
    fn source_lists_open_with_a_bare_header() {
        assert!(sources_section_start("Sources:"));
        assert!(sources_section_start("References"));
        assert!(!sources_section_start("Sources: Harbour Authority"));
        assert!(!sources_section_start("Sources close to the council said the quay would reopen."));
    }

    #[test]
    fn related_sections_open_with_a_bare_header() {
        for header in [
            "Related articles",
            "You may also like...",
            "More in World",
            "We Recommend",
            "DON'T MISS",
            "関連記事",
            "Lesen Sie auch:",
        ] {
            assert!(related_section_start(header), "{header}");
        }
        for line in [
            "More than 40 boats were lost.",
            "Read more about the ferry in our guide to the island",
            "Related to the storm, the council closed the quay.",
        ] {
            assert!(!related_section_start(line), "{line}");
        }
    }
}
