//! Index: tantivy schema, jieba tokenizer adapter, upsert writer and searcher.
