//! Opening a file the user names, plain or gzip-compressed. The raw public sources ship
//! compressed (`datasets/sources/*.gz`), so every reader of such a file goes through here and
//! takes either form: a file is decompressed as it is read when it starts with gzip's magic
//! bytes, whatever its name.

use crate::model::error::Error;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// The first two bytes of every gzip member (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// A reader of the file's content, decompressed when the file is gzip.
pub fn open(path: &Path) -> Result<Box<dyn Read>, Error> {
    let file = std::fs::File::open(path).map_err(|source| io_error(path, source))?;
    let mut reader = BufReader::new(file);
    let head = reader.fill_buf().map_err(|source| io_error(path, source))?;
    Ok(if head.starts_with(&GZIP_MAGIC) {
        // Multi-member, as `cat a.gz b.gz` and some archivers write.
        Box::new(flate2::bufread::MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    })
}

/// A reader of content already in memory (a source built into a binary), decompressed when
/// it is gzip.
pub fn open_bytes(bytes: &[u8]) -> Box<dyn Read + '_> {
    if bytes.starts_with(&GZIP_MAGIC) {
        Box::new(flate2::read::MultiGzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    }
}

/// The file's whole content as text, decompressed when the file is gzip.
pub fn read_text(path: &Path) -> Result<String, Error> {
    let mut text = String::new();
    open(path)?
        .read_to_string(&mut text)
        .map_err(|source| io_error(path, source))?;
    Ok(text)
}

fn io_error(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_gzip_file_reads_as_its_plain_twin() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = "name;value\nä;1\n";
        let plain = dir.path().join("plain.csv");
        std::fs::write(&plain, text).expect("write plain");
        let packed = dir.path().join("packed.csv.gz");
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text.as_bytes()).expect("compress");
        std::fs::write(&packed, encoder.finish().expect("finish")).expect("write packed");
        assert_ne!(
            std::fs::read(&packed).expect("read packed"),
            text.as_bytes()
        );
        assert_eq!(read_text(&plain).expect("plain"), text);
        assert_eq!(read_text(&packed).expect("packed"), text);
        let mut from_memory = String::new();
        open_bytes(&std::fs::read(&packed).expect("read packed"))
            .read_to_string(&mut from_memory)
            .expect("decompress in memory");
        assert_eq!(from_memory, text);
    }

    #[test]
    fn a_missing_or_corrupt_file_names_its_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        let missing = dir.path().join("nowhere.csv.gz");
        let e = read_text(&missing).expect_err("missing").to_string();
        assert!(e.contains("nowhere.csv.gz"), "{e}");
        let corrupt = dir.path().join("corrupt.gz");
        std::fs::write(&corrupt, [0x1f, 0x8b, 0, 1, 2, 3]).expect("write");
        let e = read_text(&corrupt).expect_err("corrupt").to_string();
        assert!(e.contains("corrupt.gz"), "{e}");
    }
}
