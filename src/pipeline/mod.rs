//! Wiring: stages as tokio tasks joined by bounded channels, shutdown, and per-stage counters.

pub mod counters;

pub use counters::{Counters, StageCounters};
