//! Independent work split over a few threads, its results in input order: the same output as
//! one thread, whatever the timing.

/// Threads for CPU work done on a caller's behalf: one per core, at most `max`.
pub fn threads(max: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, max.max(1))
}

/// `f` on contiguous shares of `items`, on up to `threads` threads; the shares' results in
/// order. A share is at least `min_share` items, so a small input stays on the calling thread.
pub fn map_shares<'a, T: Sync, R: Send>(
    items: &'a [T],
    threads: usize,
    min_share: usize,
    f: impl Fn(&'a [T]) -> R + Sync,
) -> Vec<R> {
    let n = threads.min(items.len() / min_share.max(1)).max(1);
    if n == 1 {
        return vec![f(items)];
    }
    let size = items.len().div_ceil(n);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .map(|share| {
                let f = &f;
                scope.spawn(move || f(share))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_come_back_in_order_and_cover_every_item() {
        let items: Vec<u32> = (0..1000).collect();
        for (threads, min) in [(1, 1), (3, 1), (4, 100), (8, 400), (2, 5000)] {
            let got: Vec<u32> = map_shares(&items, threads, min, |s| s.to_vec())
                .into_iter()
                .flatten()
                .collect();
            assert_eq!(got, items, "{threads} threads, shares of {min}");
        }
        assert_eq!(map_shares(&items, 4, 100, |s| s.len()).len(), 4);
        assert_eq!(map_shares(&items, 4, 600, |s| s.len()), [1000]);
        assert_eq!(map_shares::<u32, usize>(&[], 4, 1, |s| s.len()), [0]);
        assert!(threads(3) >= 1 && threads(3) <= 3);
    }
}
