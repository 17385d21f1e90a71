//! Crawl: the polite fetcher and scheduler. Sources → fetch → archive → (`Fetched`) → parse.
//!
//! One shared fetch loop does politeness (governor per host, robots.txt, concurrency caps),
//! retries and the archive write; each source kind only says which links a page leads to (via
//! `parse::discover`). Every response, good or bad, is archived before anything else reads it.

pub mod archive;
