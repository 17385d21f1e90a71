//! The allocator: every Rust allocation of jiance — the binary, its tests and benches — goes to
//! mimalloc, declared here so the benches measure what ships.
//!
//! Why: every stage hands what it allocated to another thread (reader → workers → sink → index
//! writer), and glibc's malloc serialised those frees on arena locks: 6 % of a rerun's CPU was
//! futex calls from malloc and free, and capping glibc at one arena per core (for the crawl's
//! memory) made it worse. With mimalloc the 200 MB rerun archive took 12.0-12.7 s against
//! 15.4-16.0 s, at the same peak memory (406-415 MB against 399-417). mimalloc is built without
//! its transparent huge pages (`no_thp`): 2 MB pages held for small heaps raised the crawl's peak
//! memory by a third.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `purge_delay` option (milliseconds before freed memory goes back to the OS; 1,000
/// by default in mimalloc 3), by its index in the `mi_option_t` of the pinned libmimalloc-sys (a
/// test checks the default is read there).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Give freed memory back to the OS at once, for the long-running commands (the service, its
/// workers, the demo): the 4,200-page peer crawl peaked at 157-168 MB so, against 221-240 MB with
/// the 1 s default and 152-183 MB with glibc, at the same speed. Batch commands keep the default:
/// returning memory at once cost a rerun 10 %. A `MIMALLOC_PURGE_DELAY` the user set wins.
pub fn return_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one integer option; mimalloc reads it when it next purges.
        unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
    }
}

#[cfg(test)]
mod tests {
    /// The index names `purge_delay`: its default, 1,000 ms, is what mimalloc reports there (an
    /// upgrade that renumbered the options would set another one).
    #[test]
    fn the_purge_delay_index_reads_its_default() {
        // SAFETY: reads one option.
        let v = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(v, 1000);
    }
}
