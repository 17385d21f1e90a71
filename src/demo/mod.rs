//! Demo: simulated websites (one per channel) serving a deterministic scenario on 127.0.0.1.
