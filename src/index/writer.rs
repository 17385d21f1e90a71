//! Writing the index: a document and its extraction become one tantivy document (text fields,
//! the exact-string facet fields, dates, severity, story), replacing any earlier version with
//! the same id; commits make them visible.

use tantivy::{TantivyDocument, Term};

use super::{IndexError, IndexWriter, day_start, index_time, push_unique};
use crate::model::{Document, Extraction, RegionRole, field};

impl IndexWriter {
    /// Add the document, replacing any earlier version with the same id (visible after `commit`).
    pub fn upsert(&mut self, doc: &Document, ex: &Extraction) -> Result<(), IndexError> {
        let f = &self.fields;
        self.writer
            .delete_term(Term::from_field_text(f.id, &doc.id));
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &doc.id);
        d.add_text(f.title, &doc.title);
        d.add_text(f.text, &doc.text);
        d.add_text(f.url, &doc.url);
        d.add_text(f.source, &doc.source);
        d.add_text(f.kind, ex.kind.as_str());
        d.add_text(f.channel, doc.channel.as_str());

        let mut categories = Vec::new();
        for c in &ex.categories {
            push_unique(&mut categories, c);
        }
        let mut hazards = Vec::new();
        let (mut provinces, mut cities) = (Vec::new(), Vec::new());
        let (mut brands, mut enterprises, mut platforms) = (Vec::new(), Vec::new(), Vec::new());
        for fnd in &ex.findings {
            push_unique(&mut categories, &fnd.category);
            push_unique(&mut hazards, &fnd.hazard);
            if let Some(p) = &fnd.province {
                push_unique(&mut provinces, p);
            }
            if let Some(c) = &fnd.city {
                push_unique(&mut cities, c);
            }
            fnd.parties
                .brands
                .iter()
                .for_each(|b| push_unique(&mut brands, b));
            fnd.parties
                .enterprises
                .iter()
                .for_each(|e| push_unique(&mut enterprises, e));
            fnd.parties
                .platforms
                .iter()
                .for_each(|p| push_unique(&mut platforms, p));
        }
        // A hazard the text denies or only imagines is not what the document reports.
        for h in ex.hazards.iter().filter(|h| !h.negated && !h.hypothetical) {
            push_unique(&mut hazards, &h.hazard);
        }
        // Only where events happen or shops are: a place inside a company name or a dateline is not.
        for r in ex
            .regions
            .iter()
            .filter(|r| matches!(r.role, RegionRole::Event | RegionRole::Shop))
        {
            push_unique(&mut provinces, &r.province);
            if let Some(c) = &r.city {
                push_unique(&mut cities, c);
            }
        }
        ex.parties
            .brands
            .iter()
            .for_each(|b| push_unique(&mut brands, b));
        ex.parties
            .enterprises
            .iter()
            .for_each(|e| push_unique(&mut enterprises, e));
        ex.parties
            .platforms
            .iter()
            .for_each(|p| push_unique(&mut platforms, p));
        if let Some(v) = doc.field(field::BRAND) {
            push_unique(&mut brands, v);
        }
        if let Some(v) = doc.field(field::ENTERPRISE) {
            push_unique(&mut enterprises, v);
        }
        if let Some(v) = doc.field(field::PLATFORM) {
            push_unique(&mut platforms, v);
        }
        for (field, values) in [
            (f.categories, &categories),
            (f.hazards, &hazards),
            (f.provinces, &provinces),
            (f.cities, &cities),
            (f.brands, &brands),
            (f.enterprises, &enterprises),
            (f.platform, &platforms),
        ] {
            for v in values {
                d.add_text(field, v);
            }
        }
        if let Some(p) = doc.published_at {
            d.add_date(f.published, index_time(p.timestamp()));
        }
        d.add_date(f.day, day_start(doc.day()));
        d.add_u64(f.is_signal, u64::from(ex.is_signal));
        let severity = ex.findings.iter().map(|x| x.severity).max().unwrap_or(0);
        d.add_u64(f.severity, u64::from(severity));
        // an extraction that was never clustered is its own story
        d.add_text(
            f.cluster,
            if ex.cluster.is_empty() {
                &doc.id
            } else {
                &ex.cluster
            },
        );
        self.writer.add_document(d)?;
        Ok(())
    }

    /// Make everything added so far durable and visible to searches.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Commit, then wait for the background segment merges to end (a bulk build leaves fewer,
    /// larger segments for faster searches) and release the writer.
    pub fn finish(mut self) -> Result<(), IndexError> {
        self.commit()?;
        let reader = self.reader.clone();
        self.writer.wait_merging_threads()?;
        reader.reload()?;
        Ok(())
    }
}
