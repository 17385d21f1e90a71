//! TLS for every HTTP client: rustls with the ring provider, the one the NATS client already
//! builds, installed once per process. reqwest is built without a provider of its own
//! (`rustls-no-provider`): its default, aws-lc-rs, was the largest C compile of the release build
//! (73 of 1,102 unit-seconds, issue 22). A client built without [`install`] having run panics, so
//! every client is made through [`client_builder`] or [`client`]. (The mail transport names ring
//! itself through lettre's feature.)

use std::sync::Once;

/// Install ring as the process's TLS provider (once; a provider an embedding program installed
/// first is kept).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err only when a provider is installed already: that one serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// `reqwest::Client::builder()`, with the TLS provider installed.
pub fn client_builder() -> reqwest::ClientBuilder {
    install();
    reqwest::Client::builder()
}

/// `reqwest::Client::new()`, with the TLS provider installed (panics, as that does, only when the
/// TLS backend cannot start at all).
pub fn client() -> reqwest::Client {
    install();
    reqwest::Client::new()
}

#[cfg(test)]
mod tests {
    /// An HTTPS client builds (without a provider it panics), and the provider installed is
    /// ring's: its key exchanges are ring's own (aws-lc-rs would add post-quantum ones).
    #[test]
    fn clients_build_with_the_ring_provider() {
        let _ = super::client_builder().build().unwrap();
        let _ = super::client();
        let names = |p: &rustls::crypto::CryptoProvider| -> Vec<String> {
            p.kx_groups
                .iter()
                .map(|g| format!("{:?}", g.name()))
                .collect()
        };
        let installed = rustls::crypto::CryptoProvider::get_default().unwrap();
        assert_eq!(
            names(installed),
            names(&rustls::crypto::ring::default_provider())
        );
        assert!(!installed.cipher_suites.is_empty());
    }
}
