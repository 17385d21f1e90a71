//! OLE compound files (the "CFB" container of `.xls`, `.doc` and password-protected `.xlsx` /
//! `.docx`): the names in their directory, which tell these apart before any reader is picked.
//! A Word 97 document holds a `WordDocument` stream, an Excel 97 workbook a `Workbook` (or
//! `Book`) stream, and an encrypted Office Open XML file (ECMA-376 agile or standard
//! encryption) an `EncryptionInfo` and an `EncryptedPackage` stream.
//!
//! Only the directory is read: the header's sector size, the FAT (from the header's 109 DIFAT
//! slots and the DIFAT sector chain) and the directory's sector chain through it. Every chain
//! is bounded by the number of sectors the file has, so a looping or lying FAT ends the walk.

/// The file signature of a compound file.
pub const MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Sector ids above this are markers (free, end of chain, FAT / DIFAT sector), not sectors.
const MAX_REGULAR: u32 = 0xFFFF_FFFA;

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let w = b.get(at..at + 4)?;
    Some(u32::from_le_bytes([w[0], w[1], w[2], w[3]]))
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let w = b.get(at..at + 2)?;
    Some(u16::from_le_bytes([w[0], w[1]]))
}

/// The names of the streams and storages in a compound file's directory (the root entry
/// included), or why they cannot be read.
pub fn names(b: &[u8]) -> Result<Vec<String>, &'static str> {
    if !b.starts_with(&MAGIC) || b.len() < 512 {
        return Err("not a compound file");
    }
    let shift = u16_at(b, 0x1E).ok_or("short header")?;
    if shift != 9 && shift != 12 {
        return Err("bad sector size");
    }
    let size = 1usize << shift;
    // sectors the file has room for (the header takes the place of one)
    let count = b.len().div_ceil(size).saturating_sub(1);
    let sector = |id: u32| -> Option<&[u8]> {
        let start = (id as usize).checked_add(1)?.checked_mul(size)?;
        if start >= b.len() {
            return None;
        }
        b.get(start..b.len().min(start + size))
    };
    let ids =
        |s: &[u8]| -> Vec<u32> { (0..s.len() / 4).filter_map(|i| u32_at(s, i * 4)).collect() };

    // the FAT's sectors: 109 in the header, the rest in a chain of DIFAT sectors
    let mut fat_sectors: Vec<u32> = (0..109).filter_map(|i| u32_at(b, 0x4C + i * 4)).collect();
    let mut difat = u32_at(b, 0x44).ok_or("short header")?;
    let mut hops = 0;
    while difat <= MAX_REGULAR {
        hops += 1;
        if hops > count {
            return Err("looping DIFAT chain");
        }
        let mut slots = ids(sector(difat).ok_or("DIFAT sector beyond the end")?);
        difat = slots.pop().unwrap_or(u32::MAX);
        fat_sectors.extend(slots);
    }
    let mut fat: Vec<u32> = Vec::new();
    for id in fat_sectors
        .into_iter()
        .filter(|id| *id <= MAX_REGULAR)
        .take(count)
    {
        fat.extend(ids(sector(id).ok_or("FAT sector beyond the end")?));
    }

    // the directory's chain: 128-byte entries, name (UTF-16LE) and its length first
    let mut out = Vec::new();
    let mut id = u32_at(b, 0x30).ok_or("short header")?;
    let mut hops = 0;
    while id <= MAX_REGULAR {
        hops += 1;
        if hops > count {
            return Err("looping directory chain");
        }
        let s = sector(id).ok_or("directory sector beyond the end")?;
        for e in s.chunks_exact(128) {
            let len = usize::from(u16_at(e, 64).unwrap_or(0));
            // 0 unused; 1 storage, 2 stream, 5 root
            if !matches!(e[66], 1 | 2 | 5) || !(2..=64).contains(&len) || len % 2 != 0 {
                continue;
            }
            let units: Vec<u16> = (0..(len - 2) / 2)
                .filter_map(|i| u16_at(e, i * 2))
                .collect();
            out.push(String::from_utf16_lossy(&units));
        }
        id = fat.get(id as usize).copied().unwrap_or(u32::MAX);
    }
    if out.is_empty() {
        return Err("empty directory");
    }
    Ok(out)
}

/// Does the directory hold a stream of this name (compared without ASCII case, as Office does)?
pub fn has(names: &[String], name: &str) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A compound file (version 3, 512-byte sectors) holding `streams`, each stored in whole
    /// sectors (none in the mini stream: every stream here is written at least 4096 bytes
    /// long). `dir_per_sector` below 4 spreads the directory over several sectors, so the
    /// directory's chain through the FAT is walked.
    pub(crate) fn compound(streams: &[(&str, Vec<u8>)], dir_per_sector: usize) -> Vec<u8> {
        const END: u32 = 0xFFFF_FFFE;
        let per = dir_per_sector.clamp(1, 4);
        let entries = streams.len() + 1;
        let dir_sectors = entries.div_ceil(per);
        let data: Vec<Vec<u8>> = streams
            .iter()
            .map(|(_, d)| {
                let mut d = d.clone();
                d.resize(d.len().max(4096).div_ceil(512) * 512, 0);
                d
            })
            .collect();
        // sector 0: the FAT; then the directory's sectors (in reverse order, so the chain
        // jumps back); then each stream's
        let mut fat = vec![0xFFFF_FFFDu32];
        let dir_ids: Vec<u32> = (1..=dir_sectors as u32).rev().collect();
        fat.resize(1 + dir_sectors, END);
        for w in dir_ids.windows(2) {
            fat[w[0] as usize] = w[1];
        }
        let mut starts = Vec::new();
        for d in &data {
            let start = fat.len() as u32;
            starts.push(start);
            let n = (d.len() / 512) as u32;
            for k in 0..n {
                fat.push(if k + 1 == n { END } else { start + k + 1 });
            }
        }
        assert!(fat.len() <= 128, "one FAT sector");
        fat.resize(128, 0xFFFF_FFFF);

        let entry = |name: &str, kind: u8, child: u32, right: u32, start: u32, len: u64| {
            let mut e = vec![0u8; 128];
            let units: Vec<u16> = name.encode_utf16().collect();
            for (i, u) in units.iter().enumerate() {
                e[i * 2..i * 2 + 2].copy_from_slice(&u.to_le_bytes());
            }
            e[64..66].copy_from_slice(&(((units.len() + 1) * 2) as u16).to_le_bytes());
            e[66] = kind;
            e[67] = 1; // black
            e[68..72].copy_from_slice(&u32::MAX.to_le_bytes());
            e[72..76].copy_from_slice(&right.to_le_bytes());
            e[76..80].copy_from_slice(&child.to_le_bytes());
            e[116..120].copy_from_slice(&start.to_le_bytes());
            e[120..128].copy_from_slice(&len.to_le_bytes());
            e
        };
        let mut dir = entry("Root Entry", 5, 1, u32::MAX, END, 0);
        for (i, (name, d)) in streams.iter().enumerate() {
            let right = if i + 1 < streams.len() {
                i as u32 + 2
            } else {
                u32::MAX
            };
            dir.extend(entry(name, 2, u32::MAX, right, starts[i], d.len() as u64));
        }
        // each directory sector holds `per` entries, the rest unused
        let mut dir_bytes: Vec<Vec<u8>> = dir
            .chunks(128 * per)
            .map(|c| {
                let mut s = c.to_vec();
                s.resize(512, 0);
                s
            })
            .collect();
        dir_bytes.resize(dir_sectors, vec![0; 512]);

        let mut h = vec![0u8; 512];
        h[..8].copy_from_slice(&MAGIC);
        h[0x18..0x1A].copy_from_slice(&0x3Eu16.to_le_bytes());
        h[0x1A..0x1C].copy_from_slice(&3u16.to_le_bytes());
        h[0x1C..0x1E].copy_from_slice(&0xFFFEu16.to_le_bytes());
        h[0x1E..0x20].copy_from_slice(&9u16.to_le_bytes());
        h[0x20..0x22].copy_from_slice(&6u16.to_le_bytes());
        h[0x2C..0x30].copy_from_slice(&1u32.to_le_bytes());
        h[0x30..0x34].copy_from_slice(&dir_ids[0].to_le_bytes());
        h[0x38..0x3C].copy_from_slice(&4096u32.to_le_bytes());
        h[0x3C..0x40].copy_from_slice(&END.to_le_bytes());
        h[0x44..0x48].copy_from_slice(&END.to_le_bytes());
        for i in 0..109 {
            let v: u32 = if i == 0 { 0 } else { u32::MAX };
            h[0x4C + i * 4..0x50 + i * 4].copy_from_slice(&v.to_le_bytes());
        }
        let mut out = h;
        out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
        // sectors 1..=dir_sectors hold the directory's sectors in reverse chain order
        for s in dir_bytes.iter().rev() {
            out.extend(s);
        }
        for d in &data {
            out.extend(d);
        }
        out
    }

    fn encrypted() -> Vec<u8> {
        compound(
            &[
                (
                    "EncryptionInfo",
                    b"\x04\x00\x04\x00\x40\x00\x00\x00<encryption/>".to_vec(),
                ),
                ("EncryptedPackage", vec![0x5A; 5000]),
            ],
            4,
        )
    }

    #[test]
    fn names_are_read_through_the_directory_chain() {
        let f = compound(
            &[
                ("WordDocument", vec![1; 10]),
                ("1Table", vec![2; 10]),
                ("\u{5}SummaryInformation", vec![3; 10]),
                ("Data", vec![4; 10]),
                ("CompObj", vec![5; 10]),
            ],
            2,
        );
        let n = names(&f).unwrap();
        assert_eq!(
            n,
            [
                "Root Entry",
                "WordDocument",
                "1Table",
                "\u{5}SummaryInformation",
                "Data",
                "CompObj"
            ]
        );
        assert!(has(&n, "worddocument"));
        assert!(!has(&n, "EncryptedPackage"));
    }

    #[test]
    fn an_encrypted_package_is_seen_here_and_by_calamine() {
        let f = encrypted();
        assert!(has(&names(&f).unwrap(), "EncryptedPackage"));
        // the fixture is a compound file another reader agrees on
        use calamine::Reader as _;
        let r = calamine::Xlsx::new(std::io::Cursor::new(f));
        assert!(
            matches!(r, Err(calamine::XlsxError::Password)),
            "{:?}",
            r.err()
        );
    }

    #[test]
    fn scrambled_directories_never_panic() {
        let f = compound(&[("WordDocument", vec![1; 10]), ("1Table", vec![2; 10])], 1);
        let mut x: u32 = 0x2545_F491;
        // the header's fields, the FAT and the directory sectors: where a lie can mislead
        let span = 512 * 5;
        for _ in 0..3000 {
            let mut b = f.clone();
            for _ in 0..3 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let at = x as usize % span;
                b[at] = (x >> 24) as u8;
            }
            let _ = names(&b);
        }
    }

    #[test]
    fn broken_files_are_errors_not_panics() {
        let f = encrypted();
        assert!(names(&f[..100]).is_err());
        assert!(names(b"PK\x03\x04").is_err());
        // a directory sector past the end
        let mut cut = f.clone();
        cut.truncate(512 * 2);
        assert!(names(&cut).is_err());
        // a FAT whose directory chain loops on itself
        let mut looped = f.clone();
        let dir = u32_at(&f, 0x30).unwrap() as usize;
        let at = 512 + dir * 4;
        looped[at..at + 4].copy_from_slice(&(dir as u32).to_le_bytes());
        assert_eq!(names(&looped), Err("looping directory chain"));
        // a bad sector size
        let mut shifted = f;
        shifted[0x1E] = 30;
        assert!(names(&shifted).is_err());
    }
}
