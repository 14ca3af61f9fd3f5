//! What assemble reads out of one article, as it is held for every article of the archive and
//! cached: each figure and quote points into its paragraph (`Span`) rather than holding its
//! sentence, outlet, topic and anchor, which are the paragraph's and the article's. The
//! briefing's `Figure`s and `Quote`s are made from the few that are kept (`resolve`).

use bytestring::ByteString;
use chrono::{Datelike, NaiveDate};
use compact_str::CompactString;

use crate::model::{ArticleEntry, Figure, Interned, Paragraph, Quote, SourceEntry};

/// The figures, quotes and dated sentences of one article, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub figures: Vec<ArticleFigure>,
    pub quotes: Vec<ArticleQuote>,
    pub dates: ArticleDates,
}

impl Facts {
    /// Whether every span lies within `article`'s paragraphs: facts read from the cache are
    /// used only for the article they were found in, but are checked before they are trusted.
    pub fn fit(&self, article: &ArticleEntry) -> bool {
        let figures = self.figures.iter().map(|f| f.span);
        let quotes = self.quotes.iter().map(|q| q.span);
        let dates = self.dates.items.iter().flat_map(|d| [d.sentence, d.phrase()]);
        let mut spans = figures.chain(quotes).chain(dates);
        spans.all(|span| span.str(article).is_some())
    }
}

/// The sentences of an article that say when something happened (`timeline`), and the date
/// they were read against: the article's own, or the briefing's for an undated article (the
/// sentences are read again when that changes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleDates {
    pub reference: Option<NaiveDate>,
    pub items: Vec<ArticleDate>,
    /// The text of the dated sentences, in order, as a key (`cache::dated_texts_key`): what
    /// merging them into events reads of the article besides its outlet. A day merged before
    /// is made from its merging again while its sentences are the same, whatever else in
    /// their articles changed. 0 where the article was read against no date (it has no dated
    /// sentences, and is in no day).
    pub texts: u64,
}

/// A dated sentence as an article's facts hold it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArticleDate {
    pub sentence: Span,
    /// The words that date it ("late on Friday"): their byte range in the sentence's paragraph.
    pub phrase: (u32, u32),
    pub date: EventDate,
}

impl ArticleDate {
    /// The span of the words that date the sentence.
    pub fn phrase(&self) -> Span {
        Span { paragraph: self.sentence.paragraph, start: self.phrase.0, end: self.phrase.1 }
    }
}

/// The date of an event: a day, or a month ("March 2020"), as `YYYYMMDD` with day 0 for a
/// month; spelled `YYYY-MM-DD` or `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventDate(pub u32);

impl EventDate {
    pub fn day(date: NaiveDate) -> Option<EventDate> {
        EventDate::pack(date.year(), date.month(), date.day())
    }

    pub fn month(year: i32, month: u32) -> Option<EventDate> {
        EventDate::pack(year, month, 0)
    }

    /// `None` for a year of more than four digits or before year 0.
    fn pack(year: i32, month: u32, day: u32) -> Option<EventDate> {
        let year = u32::try_from(year).ok().filter(|y| *y <= 9999)?;
        Some(EventDate(year * 10_000 + month * 100 + day))
    }
}

impl EventDate {
    /// `YYYY-MM-DD`, or `YYYY-MM` for a month: spelled digit by digit, as tens of thousands
    /// of events are on every build.
    pub fn spelled(&self) -> CompactString {
        let (year, month, day) = (self.0 / 10_000, self.0 / 100 % 100, self.0 % 100);
        let mut text = [0u8; 10];
        let digits = |to: &mut [u8], mut n: u32| {
            for d in to.iter_mut().rev() {
                *d = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        digits(&mut text[0..4], year);
        text[4] = b'-';
        digits(&mut text[5..7], month);
        text[7] = b'-';
        digits(&mut text[8..10], day);
        let len = if day == 0 { 7 } else { 10 };
        CompactString::from_utf8(&text[..len]).unwrap_or_default()
    }
}

impl std::fmt::Display for EventDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.spelled())
    }
}

/// Where a piece of text lies in an article: the index of its paragraph (in
/// `ArticleEntry::paragraphs`) and its byte range in the paragraph's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub paragraph: u32,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// The span of `part`, a slice of paragraph `paragraph`'s `text`; `None` when it is not
    /// one (or the article is too large to point into).
    pub fn within(paragraph: usize, text: &str, part: &str) -> Option<Span> {
        let start = (part.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
        let end = start + part.len();
        (end <= text.len()).then_some(())?;
        Some(Span { paragraph: u32::try_from(paragraph).ok()?, start: start as u32, end: end as u32 })
    }

    /// The paragraph and the text the span points to, sharing the paragraph's bytes; `None`
    /// when it does not lie within `article`.
    pub fn text<'a>(&self, article: &'a ArticleEntry) -> Option<(&'a Paragraph, ByteString)> {
        let paragraph = article.paragraphs.get(self.paragraph as usize)?;
        let part = paragraph.text.get(self.start as usize..self.end as usize)?;
        Some((paragraph, paragraph.text.slice_ref(part)))
    }

    /// The text the span points to, borrowed.
    pub fn str<'a>(&self, article: &'a ArticleEntry) -> Option<&'a str> {
        article.paragraphs.get(self.paragraph as usize)?.text.get(self.start as usize..self.end as usize)
    }

    /// The topic of the paragraph the span is in.
    pub fn topic<'a>(&self, article: &'a ArticleEntry) -> Option<&'a str> {
        article.paragraphs.get(self.paragraph as usize)?.topic.as_deref()
    }
}

/// The first figure of each outlet, topic, label and value, in order, as (article, figure)
/// indices into `facts` (one per article of `articles`).
pub fn first_figures(articles: &[(&SourceEntry, &ArticleEntry)], facts: &[Facts]) -> Vec<(u32, u32)> {
    super::first_of_each(every(facts, |f| f.figures.len()), |(a, i)| {
        let (source, article) = articles[a as usize];
        let figure = &facts[a as usize].figures[i as usize];
        (source.slug.as_str(), figure.span.topic(article), &*figure.label, figure.value)
    })
}

/// The first quote of each outlet and words, in order, as (article, quote) indices.
pub fn first_quotes(articles: &[(&SourceEntry, &ArticleEntry)], facts: &[Facts]) -> Vec<(u32, u32)> {
    super::first_of_each(every(facts, |f| f.quotes.len()), |(a, i)| {
        let (source, article) = articles[a as usize];
        (source.slug.as_str(), facts[a as usize].quotes[i as usize].span.str(article))
    })
}

/// The briefing's quote at `(article, quote)` (`first_quotes`).
pub fn quote_at(
    articles: &[(&SourceEntry, &ArticleEntry)],
    facts: &[Facts],
    (a, i): (u32, u32),
) -> Option<Quote> {
    let (source, article) = articles.get(a as usize)?;
    facts.get(a as usize)?.quotes.get(i as usize)?.resolve(&source.slug, article)
}

/// (article, item) for every item of every article's facts, `count` items each, in 32 bits.
fn every(facts: &[Facts], count: impl Fn(&Facts) -> usize) -> impl Iterator<Item = (u32, u32)> {
    let found = facts.iter().enumerate().flat_map(move |(a, f)| (0..count(f)).map(move |i| (a, i)));
    found.filter_map(|(a, i)| Some((u32::try_from(a).ok()?, u32::try_from(i).ok()?)))
}

/// A figure as an article's facts hold it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleFigure {
    /// The sentence it was read from.
    pub span: Span,
    pub label: Interned,
    pub value: u64,
    pub attributed_to: Option<CompactString>,
    pub qualifier: Option<Interned>,
    pub attribution_inferred: bool,
}

impl ArticleFigure {
    /// The briefing's figure: this one, with its sentence, topic and anchor from `article` and
    /// its outlet `source`.
    pub fn resolve(&self, source: &str, article: &ArticleEntry) -> Option<Figure> {
        let (paragraph, text) = self.span.text(article)?;
        Some(Figure {
            topic: paragraph.topic.as_deref().map(CompactString::from),
            label: CompactString::from(&*self.label),
            value: self.value,
            source: source.into(),
            attributed_to: self.attributed_to.clone(),
            text,
            qualifier: self.qualifier.as_deref().map(CompactString::from),
            anchor: paragraph.id.into(),
            attribution_inferred: self.attribution_inferred,
        })
    }
}

/// A quote as an article's facts hold it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleQuote {
    /// The words quoted.
    pub span: Span,
    pub speaker: Option<CompactString>,
}

impl ArticleQuote {
    /// The briefing's quote: this one, with its words, topic and anchor from `article` and its
    /// outlet `source`.
    pub fn resolve(&self, source: &str, article: &ArticleEntry) -> Option<Quote> {
        let (paragraph, text) = self.span.text(article)?;
        Some(Quote {
            speaker: self.speaker.clone(),
            text,
            source: source.into(),
            topic: paragraph.topic.as_deref().map(CompactString::from),
            anchor: paragraph.id.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_points_into_its_paragraph_and_is_checked_against_the_article() {
        let source =
            crate::assemble::test_source("wire", "war", None, &["First one.", "Then “the quote” here."]);
        let article = &source.articles[0];
        let text = &*article.paragraphs[1].text;
        let quoted = &text[text.find("the").unwrap()..text.find('”').unwrap()];
        let span = Span::within(1, text, quoted).unwrap();
        let (paragraph, shared) = span.text(article).unwrap();
        assert_eq!(shared, "the quote");
        assert_eq!(shared.as_ptr(), quoted.as_ptr(), "the paragraph's bytes are shared");
        assert_eq!(paragraph.id, "p-00000001");
        // Text elsewhere is not within the paragraph.
        assert_eq!(Span::within(1, text, "the quote"), None);
        // Out of the article, past a paragraph's end, or inside a character: not found.
        let outside = [
            Span { paragraph: 2, start: 0, end: 1 },
            Span { paragraph: 0, start: 0, end: 11 },
            Span { paragraph: 1, start: 6, end: 7 },
        ];
        for span in outside {
            assert!(span.text(article).is_none(), "{span:?}");
            let quote = ArticleQuote { span, speaker: None };
            assert!(!Facts { quotes: vec![quote], ..Facts::default() }.fit(article));
        }
        // A dated sentence's words lie within its paragraph too.
        let date = ArticleDate { sentence: span, phrase: (6, 7), date: EventDate(20240101) };
        let dates = ArticleDates { items: vec![date], ..ArticleDates::default() };
        assert!(!Facts { dates, ..Facts::default() }.fit(article));
        assert_eq!(EventDate(20240101).to_string(), "2024-01-01");
        assert_eq!(EventDate::month(2020, 3).unwrap().to_string(), "2020-03");
        assert_eq!(EventDate(420305).to_string(), "0042-03-05");
        assert_eq!(
            EventDate::day(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()).unwrap().spelled(),
            "9999-12-31"
        );
        let quote = ArticleQuote { span, speaker: Some("Ana".into()) };
        assert!(Facts { quotes: vec![quote.clone()], ..Facts::default() }.fit(article));
        let resolved = quote.resolve("wire", article).unwrap();
        assert_eq!(
            (&*resolved.text, &*resolved.source, resolved.topic.as_deref()),
            ("the quote", "wire", Some("war"))
        );
        assert_eq!(resolved.anchor, "p-00000001");
    }
}
