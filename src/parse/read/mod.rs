//! The readers of a page. Each reads one kind of what a page carries and fills a document only
//! where it is still empty (the attachments reader only adds rows); none calls another or back
//! into `parse/mod.rs` — they share the tools of `page`, `path` and `items` below them — and
//! the order they run in is `parse::parse_page`'s alone.

pub(super) mod api;
pub(super) mod article;
pub(super) mod attachments;
pub(super) mod json_ld;
pub(super) mod list_script;
pub(super) mod script_data;
pub(super) mod selectors;
