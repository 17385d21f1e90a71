//! Arrays a dictionary holds either in vectors of its own or in place in a snapshot's bytes
//! (jiance patch).
//!
//! A dictionary read from a snapshot keeps its large arrays (records, log frequencies, the
//! trie's tables) where the snapshot's bytes are, typically a memory-mapped file, instead of
//! copying them into fresh vectors: only the pages a process touches are read, and none is
//! zeroed or copied. The first change to an array makes it a vector of its own (copy on write).

use std::sync::Arc;

use bytemuck::Pod;

/// Bytes a snapshot is read from in place: a memory map, or an aligned buffer. They must not
/// change while any dictionary read from them lives.
pub type SnapshotBytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

#[derive(Clone)]
pub(crate) enum Arr<T> {
    Owned(Vec<T>),
    /// `len` items from byte `start` of `bytes`: checked in bounds and aligned when made (and
    /// the bytes do not change), so [`Arr::as_slice`] never falls back.
    Mapped {
        bytes: SnapshotBytes,
        start: usize,
        len: usize,
    },
}

impl<T> Default for Arr<T> {
    fn default() -> Self {
        Arr::Owned(Vec::new())
    }
}

impl<T: Pod> Arr<T> {
    /// `len` items at byte `start` of `bytes`, or `None` when they are out of bounds or not
    /// aligned for `T`.
    pub(crate) fn mapped(bytes: &SnapshotBytes, start: usize, len: usize) -> Option<Self> {
        let end = len.checked_mul(size_of::<T>())?.checked_add(start)?;
        let whole: &[u8] = (**bytes).as_ref();
        bytemuck::try_cast_slice::<u8, T>(whole.get(start..end)?).ok()?;
        Some(Arr::Mapped {
            bytes: Arc::clone(bytes),
            start,
            len,
        })
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[T] {
        match self {
            Arr::Owned(v) => v,
            Arr::Mapped { bytes, start, len } => {
                let whole: &[u8] = (**bytes).as_ref();
                whole
                    .get(*start..*start + len * size_of::<T>())
                    .and_then(|b| bytemuck::try_cast_slice(b).ok())
                    .unwrap_or_default()
            }
        }
    }

    /// The items as a vector of this dictionary's own, copied out of the snapshot the first time.
    pub(crate) fn to_mut(&mut self) -> &mut Vec<T> {
        if let Arr::Mapped { .. } = self {
            *self = Arr::Owned(self.as_slice().to_vec());
        }
        match self {
            Arr::Owned(v) => v,
            Arr::Mapped { .. } => unreachable!("made owned just above"),
        }
    }

    pub(crate) fn is_mapped(&self) -> bool {
        matches!(self, Arr::Mapped { .. })
    }
}

impl<T: Pod> std::ops::Deref for Arr<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

/// A heap buffer aligned for every array a snapshot holds, for reading a snapshot that is not
/// mapped (a `Vec<u8>` promises no alignment).
pub(crate) struct Aligned {
    words: Vec<u128>,
    len: usize,
}

impl Aligned {
    pub(crate) fn copy_of(bytes: &[u8]) -> Self {
        let mut words = vec![0u128; bytes.len().div_ceil(16)];
        bytemuck::cast_slice_mut::<u128, u8>(&mut words)[..bytes.len()].copy_from_slice(bytes);
        Aligned {
            words,
            len: bytes.len(),
        }
    }
}

impl AsRef<[u8]> for Aligned {
    fn as_ref(&self) -> &[u8] {
        &bytemuck::cast_slice::<u128, u8>(&self.words)[..self.len]
    }
}
