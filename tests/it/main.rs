//! The one integration-test binary (each file in tests/ would link the whole crate again).
//! Modules: `demo` runs the whole pipeline on the simulated sites; `cli` drives the binary;
//! `api` drives the HTTP API over 127.0.0.1; `browser` loads the dashboard in headless Chromium;
//! `eval` scores the analyzer on the labelled evaluation set (tests/eval/); `report` runs
//! `jiance report` on the demo data directory.

mod api;
mod browser;
mod cli;
mod demo;
mod eval;
mod report;
mod rerun;
mod score;
