//! The one integration-test binary (each file in tests/ would link the whole crate again).
//! Modules: `demo` runs the whole pipeline on the simulated sites; `cli` drives the binary.

mod cli;
mod demo;
