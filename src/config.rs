//! `brief.toml`: the site's title, date, theme, topics and cleaning overrides.

use std::path::Path;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::located;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_title")]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The briefing's date; articles without a date take it.
    #[serde(default, with = "crate::config::date_format")]
    pub date: Option<NaiveDate>,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub topics: Vec<TopicConfig>,
    #[serde(default)]
    pub clean: CleanOverrides,
    /// Articles per source page and per topic page; longer lists continue on `page/2/`, ….
    #[serde(default = "default_paginate_by", deserialize_with = "positive")]
    pub paginate_by: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            title: default_title(),
            description: None,
            date: None,
            base_url: None,
            theme: default_theme(),
            language: None,
            topics: Vec::new(),
            clean: CleanOverrides::default(),
            paginate_by: default_paginate_by(),
        }
    }
}

/// A topic: paragraphs mentioning its keywords are grouped on its page.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TopicConfig {
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub order: Option<i64>,
}

/// Patterns (regular expressions) editors add to always drop or always keep a line.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CleanOverrides {
    #[serde(default)]
    pub drop: Vec<PatternRule>,
    #[serde(default)]
    pub keep: Vec<PatternRule>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PatternRule {
    /// Shown as the reason a line was removed (or kept).
    pub name: String,
    pub pattern: String,
}

fn default_title() -> String {
    "Briefing".to_string()
}

fn default_theme() -> String {
    "default".to_string()
}

/// Enough for a day's coverage of one outlet on one page; small enough for a phone to open.
fn default_paginate_by() -> usize {
    50
}

fn positive<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<usize, D::Error> {
    let n = usize::deserialize(deserializer)?;
    if n == 0 {
        return Err(serde::de::Error::custom("paginate_by must be at least 1"));
    }
    Ok(n)
}

impl Config {
    /// Reads `ROOT/brief.toml`; a project without one gets the defaults.
    pub fn load(root: &Path) -> Result<Config> {
        let path = root.join("brief.toml");
        if !path.exists() {
            return Ok(Config::default());
        }
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("{}: cannot read", path.display()))?;
        Config::parse(&text).map_err(|e| located(&path, &text, 0, e))
    }

    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_topics_and_overrides() {
        let config = Config::parse(
            r#"
title = "T"
date = "2024-11-30"
[[topics]]
slug = "aleppo"
title = "Aleppo"
keywords = ["Aleppo", "Idlib"]
[clean]
drop = [{ name = "promo", pattern = "(?i)buy now" }]
"#,
        )
        .unwrap();
        assert_eq!(config.title, "T");
        assert_eq!(config.theme, "default");
        assert_eq!(config.topics[0].keywords, vec!["Aleppo", "Idlib"]);
        assert_eq!(config.clean.drop[0].name, "promo");
        assert_eq!(config.date, NaiveDate::from_ymd_opt(2024, 11, 30));
    }

    #[test]
    fn unknown_keys_are_errors_with_a_line() {
        let text = "title = \"x\"\n\ntitel = \"typo\"\n";
        let err = Config::parse(text).unwrap_err();
        let located = located(Path::new("brief.toml"), text, 0, err);
        let message = located.to_string();
        assert!(message.starts_with("brief.toml:3:"), "{message}");
    }
}

/// Dates in TOML may be written bare (`date = 2024-11-30`) or quoted (`date = "2024-11-30"`).
pub mod date_format {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, de::Error};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum DateInput {
        Text(String),
        Toml(toml::value::Datetime),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<NaiveDate>, D::Error> {
        let text = match Option::<DateInput>::deserialize(deserializer)? {
            None => return Ok(None),
            Some(DateInput::Text(text)) => text,
            Some(DateInput::Toml(datetime)) => datetime.to_string(),
        };
        NaiveDate::parse_from_str(text.get(..10).unwrap_or(&text), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| D::Error::custom(format!("`{text}` is not a date; write it as YYYY-MM-DD")))
    }
}
