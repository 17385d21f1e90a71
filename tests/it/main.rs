//! The one integration-test binary (each file in tests/ would link the whole crate again).
//! Modules: `demo` runs the whole pipeline on the simulated sites; `cli` drives the binary; `eval`
//! scores the analyzer on the labelled evaluation set.

mod cli;
mod demo;
mod eval;
