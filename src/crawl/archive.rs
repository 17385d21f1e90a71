//! WARC/1.1 archive: writer (gzip member per record, rotated files) and reader.
