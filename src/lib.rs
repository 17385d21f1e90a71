//! jiance (监测): finds consumer-product quality-safety risks on the Chinese web early enough to act.
//!
//! Data flows one way: sources → [`crawl`] (fetch + archive) → [`parse`] → [`analyze`] →
//! [`index`] + signals → [`score`] → alerts / sampling requests, [`market`] → on-sale findings →
//! [`serve`]. Stages exchange the plain
//! types of [`model`] over bounded channels wired by [`pipeline`]; durable state lives in [`store`].
//! No module uses one above it in the layer order (`ARCHITECTURE.md`, checked by a test): the
//! helpers every stage needs — [`telemetry`], [`util`], [`config`], [`store`] — sit at the bottom.
//! [`fuzz`] holds one entry per outside input for the fuzz targets and the test suite.

pub mod analyze;
pub mod config;
pub mod crawl;
pub mod demo;
pub mod fuzz;
pub mod index;
pub mod market;
pub mod model;
pub mod notify;
pub mod parse;
pub mod pipeline;
pub mod queue;
pub mod report;
pub mod review;
pub mod score;
pub mod serve;
pub mod store;
pub mod telemetry;
pub mod util;
