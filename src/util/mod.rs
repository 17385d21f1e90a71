//! Helpers at the bottom of the layer order, used by every stage: URL canonicalisation
//! ([`canon`]) and crash-safe file writes and directory swaps ([`fsx`]).

pub mod canon;
pub mod fsx;
