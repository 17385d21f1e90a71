//! Notice attachments in an archive replay (`jiance rerun`, `jiance reindex`): the crawler
//! archives a detail page, then each file it links (role `attachment`), and hands the page on
//! with its files ([`Fetched::attachments`]). Read back, the records come one by one;
//! [`Regroup`] puts each attachment back on its page so a replay parses the notice with the rows
//! of its files, as the live pipeline did.
//!
//! A detail page that links files waits (with every record after it, so archive order is kept)
//! until those files have been read or [`WINDOW`] further records have passed: the crawler
//! fetches a page's files right after the page, so only the pages fetched concurrently stand
//! between them. A file never archived (a 404, a file over the body cap) is simply not there.

use std::collections::VecDeque;

use crate::model::{Fetched, PageRole};
use crate::parse::attachment;
use crate::util::canon::canonicalize;

/// Records a page waits for its files at most.
pub const WINDOW: u64 = 512;

struct Slot<E> {
    item: Result<Fetched, E>,
    tag: u64,
    /// Canonical URLs of files still expected.
    wait: Vec<String>,
    /// Released once this many records have been read, files or not.
    until: u64,
}

/// An archive's records (each with a tag the caller carries along, such as bytes read so far)
/// with attachments put on their detail pages; attachment records are passed on too (a replay
/// skips them by role).
pub struct Regroup<I, E> {
    inner: I,
    queue: VecDeque<Slot<E>>,
    read: u64,
    done: bool,
}

impl<I, E> Regroup<I, E>
where
    I: Iterator<Item = (Result<Fetched, E>, u64)>,
{
    pub fn new(inner: I) -> Self {
        Regroup {
            inner,
            queue: VecDeque::new(),
            read: 0,
            done: false,
        }
    }

    fn accept(&mut self, item: Result<Fetched, E>, tag: u64) {
        if let Ok(f) = &item
            && f.role == PageRole::Attachment
        {
            let key = canonical(&f.url);
            if let Some(slot) = self.queue.iter_mut().find(|s| s.wait.contains(&key)) {
                slot.wait.retain(|w| *w != key);
                if let Ok(page) = &mut slot.item {
                    page.attachments.push(f.clone());
                }
            }
        }
        let wait = match &item {
            Ok(f) if f.role == PageRole::Detail && (200..300).contains(&f.status) => {
                if attachment::mentioned(&f.body) {
                    attachment::links(f).iter().map(|u| canonical(u)).collect()
                } else {
                    Vec::new()
                }
            }
            _ => Vec::new(),
        };
        self.queue.push_back(Slot {
            item,
            tag,
            wait,
            until: self.read + WINDOW,
        });
    }
}

impl<I, E> Iterator for Regroup<I, E>
where
    I: Iterator<Item = (Result<Fetched, E>, u64)>,
{
    type Item = (Result<Fetched, E>, u64);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.queue.front() {
                Some(front) if front.wait.is_empty() || self.done || self.read >= front.until => {
                    return self.queue.pop_front().map(|s| (s.item, s.tag));
                }
                None if self.done => return None,
                _ => {}
            }
            match self.inner.next() {
                None => self.done = true,
                Some((item, tag)) => {
                    self.read += 1;
                    self.accept(item, tag);
                }
            }
        }
    }
}

fn canonical(url: &str) -> String {
    canonicalize(url).unwrap_or_else(|_| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(url: &str, role: PageRole, body: &str) -> Fetched {
        Fetched {
            source: "s".into(),
            url: url.into(),
            role,
            status: 200,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            fetched_at: chrono::Utc::now(),
            record_id: String::new(),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn files_join_their_page_and_archive_order_is_kept() {
        let page = rec(
            "http://h/n1.html",
            PageRole::Detail,
            "<a href=\"f.xlsx\">附件</a>",
        );
        let other = rec("http://h/n2.html", PageRole::Detail, "<p>正文</p>");
        let file = rec("http://h/f.xlsx", PageRole::Attachment, "PK");
        let records: Vec<(Result<Fetched, ()>, u64)> =
            vec![(Ok(page), 1), (Ok(other), 2), (Ok(file), 3)];
        let out: Vec<(Result<Fetched, ()>, u64)> = Regroup::new(records.into_iter()).collect();
        let tags: Vec<u64> = out.iter().map(|(_, t)| *t).collect();
        assert_eq!(tags, [1, 2, 3]);
        let first = out[0].0.as_ref().unwrap();
        assert_eq!(first.attachments.len(), 1);
        assert_eq!(first.attachments[0].url, "http://h/f.xlsx");
        assert!(out[1].0.as_ref().unwrap().attachments.is_empty());
    }

    #[test]
    fn word_files_join_their_page_too() {
        let page = rec(
            "http://h/n1.html",
            PageRole::Detail,
            "<a href=\"list.DOCX\">附件一</a><a href=\"old.doc\">附件二</a>",
        );
        let docx = rec("http://h/list.DOCX", PageRole::Attachment, "PK");
        let doc = rec("http://h/old.doc", PageRole::Attachment, "x");
        let records: Vec<(Result<Fetched, ()>, u64)> =
            vec![(Ok(page), 1), (Ok(docx), 2), (Ok(doc), 3)];
        let out: Vec<(Result<Fetched, ()>, u64)> = Regroup::new(records.into_iter()).collect();
        let urls: Vec<&str> = out[0]
            .0
            .as_ref()
            .unwrap()
            .attachments
            .iter()
            .map(|f| f.url.as_str())
            .collect();
        assert_eq!(urls, ["http://h/list.DOCX", "http://h/old.doc"]);
    }

    #[test]
    fn a_page_whose_file_never_comes_is_released_after_the_window() {
        let page = rec(
            "http://h/n1.html",
            PageRole::Detail,
            "<a href=\"gone.pdf\">x</a>",
        );
        let mut records: Vec<(Result<Fetched, ()>, u64)> = vec![(Ok(page), 0)];
        for i in 1..=(WINDOW + 5) {
            records.push((
                Ok(rec(&format!("http://h/p{i}.html"), PageRole::Detail, "")),
                i,
            ));
        }
        let mut it = Regroup::new(records.into_iter());
        let (first, tag) = it.next().unwrap();
        assert_eq!(tag, 0);
        assert!(first.unwrap().attachments.is_empty());
        assert_eq!(it.count() as u64, WINDOW + 5);
    }
}
