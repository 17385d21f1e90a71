//! Helpers at the bottom of the layer order, used by every stage: URL canonicalisation
//! ([`canon`]), crash-safe file writes and directory swaps ([`fsx`]), text tidying ([`text`]) and
//! the TLS provider every HTTP client is built with ([`tls`]).

pub mod canon;
pub mod fsx;
pub mod text;
pub mod tls;
