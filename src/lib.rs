//! brief: turns a folder of raw news articles into a briefing microsite.
//!
//! The pipeline (see `site`): `ingest` → `clean` → `outlet` → `topics` → `assemble` →
//! `render` → `write`, with the typed data of `model` passed between stages.
#![deny(unsafe_code)] // One exception, `cache::map_file`, says why it is sound.

pub mod assemble;
pub mod briefing_json;
pub mod cache;
pub mod check;
pub mod chunks;
pub mod clean;
pub mod cli;
pub mod config;
pub mod content;
pub mod draft;
pub mod error;
pub mod feeds;
pub mod file_bytes;
pub mod fingerprint;
pub mod ingest;
pub mod init;
pub mod markdown;
pub mod model;
pub mod outlet;
pub mod render;
pub mod serve;
pub mod site;
pub mod text;
pub mod theme;
pub mod topics;
pub mod write;
