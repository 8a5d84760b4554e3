//! Compressed objects: AWS's item readers take GZIP and ZSTD files (`data.csv.gz`,
//! `data.jsonl.zstd`) and S3 inventory reports come gzipped. The compression is told by the
//! object's first bytes (its magic number), not its name, so a misnamed file still reads.
//!
//! Decompression is fed the object's bytes as they arrive and hands the plain bytes on in
//! pieces of at most [`OUT_PIECE`], so a small compressed range that expands a hundredfold is
//! never held whole either. `flate2` (pure Rust) and `zstd` do the decoding.

use std::io::Write;

use super::ItemReaderError;

/// How much compressed input is decoded before the plain bytes are handed on.
const IN_PIECE: usize = 16 * 1024;
/// Roughly the most plain bytes held at once (one piece of input may give more).
pub const OUT_PIECE: usize = 1024 * 1024;

/// Where the plain bytes go; its fault ends the reading.
pub type Sink<'a> = dyn FnMut(&[u8]) -> Result<(), ItemReaderError> + 'a;

/// Turns an object's bytes, fed in pieces, into its plain bytes.
pub struct Decompressor {
    state: State,
}

enum State {
    /// Fewer bytes seen than tell the compression: those bytes.
    Start(Vec<u8>),
    /// Not compressed: the bytes go on as they are.
    Plain,
    /// GZIP (one member or several, one after the other).
    Gzip(Box<flate2::write::MultiGzDecoder<Vec<u8>>>),
    /// ZSTD.
    Zstd(Box<zstd::stream::write::Decoder<'static, Vec<u8>>>),
}

impl std::fmt::Debug for Decompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self.state {
            State::Start(_) => "start",
            State::Plain => "plain",
            State::Gzip(_) => "gzip",
            State::Zstd(_) => "zstd",
        };
        f.debug_struct("Decompressor")
            .field("state", &name)
            .finish()
    }
}

impl Default for Decompressor {
    fn default() -> Self {
        Decompressor::new()
    }
}

/// GZIP's magic number.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// ZSTD's magic number.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

impl Decompressor {
    /// A decompressor that has seen nothing yet.
    pub fn new() -> Decompressor {
        Decompressor {
            state: State::Start(Vec::new()),
        }
    }

    /// Reads the next piece of the object (the first piece tells the compression), handing
    /// `out` its plain bytes.
    pub fn push(&mut self, bytes: &[u8], out: &mut Sink<'_>) -> Result<(), ItemReaderError> {
        if let State::Start(seen) = &mut self.state {
            if seen.len() + bytes.len() < ZSTD_MAGIC.len() {
                seen.extend_from_slice(bytes);
                return Ok(());
            }
            let mut start = std::mem::take(seen);
            start.extend_from_slice(&bytes[..bytes.len().min(ZSTD_MAGIC.len())]);
            self.decide(&start)?;
            // The bytes held back, then the piece.
            let held = start.len() - bytes.len().min(ZSTD_MAGIC.len());
            self.pass(&start[..held], out)?;
        }
        self.pass(bytes, out)
    }

    /// Tells the compression from the object's first bytes.
    fn decide(&mut self, start: &[u8]) -> Result<(), ItemReaderError> {
        self.state = if start.starts_with(&GZIP_MAGIC) {
            State::Gzip(Box::new(flate2::write::MultiGzDecoder::new(Vec::new())))
        } else if start.starts_with(&ZSTD_MAGIC) {
            let decoder =
                zstd::stream::write::Decoder::new(Vec::new()).map_err(|e| fault("ZSTD", &e))?;
            State::Zstd(Box::new(decoder))
        } else {
            State::Plain
        };
        Ok(())
    }

    /// Decodes `bytes` as the compression says.
    fn pass(&mut self, bytes: &[u8], out: &mut Sink<'_>) -> Result<(), ItemReaderError> {
        if bytes.is_empty() {
            return Ok(());
        }
        match &mut self.state {
            State::Start(seen) => {
                seen.extend_from_slice(bytes);
                Ok(())
            }
            State::Plain => out(bytes),
            State::Gzip(d) => decode(&mut **d, bytes, "GZIP", out),
            State::Zstd(d) => decode(&mut **d, bytes, "ZSTD", out),
        }
    }

    /// Ends the object, handing `out` the last plain bytes; a truncated compressed object
    /// fails.
    pub fn finish(mut self, out: &mut Sink<'_>) -> Result<(), ItemReaderError> {
        // An object shorter than a magic number.
        if let State::Start(seen) = &mut self.state {
            let seen = std::mem::take(seen);
            self.decide(&seen)?;
            self.pass(&seen, out)?;
        }
        match self.state {
            State::Start(_) | State::Plain => Ok(()),
            State::Gzip(mut d) => {
                d.try_finish().map_err(|e| fault("GZIP", &e))?;
                drain(d.get_mut(), out)
            }
            State::Zstd(mut d) => {
                d.flush().map_err(|e| fault("ZSTD", &e))?;
                drain(d.get_mut(), out)
            }
        }
    }
}

/// A writer that decodes into the `Vec` it holds.
trait Decoding: Write {
    fn output(&mut self) -> &mut Vec<u8>;
}

impl Decoding for flate2::write::MultiGzDecoder<Vec<u8>> {
    fn output(&mut self) -> &mut Vec<u8> {
        self.get_mut()
    }
}

impl Decoding for zstd::stream::write::Decoder<'static, Vec<u8>> {
    fn output(&mut self) -> &mut Vec<u8> {
        self.get_mut()
    }
}

/// Decodes `bytes` a small piece at a time, handing on the plain bytes whenever they pass
/// [`OUT_PIECE`].
fn decode(
    decoder: &mut dyn Decoding,
    bytes: &[u8],
    name: &str,
    out: &mut Sink<'_>,
) -> Result<(), ItemReaderError> {
    for piece in bytes.chunks(IN_PIECE) {
        decoder.write_all(piece).map_err(|e| fault(name, &e))?;
        if decoder.output().len() >= OUT_PIECE {
            drain(decoder.output(), out)?;
        }
    }
    drain(decoder.output(), out)
}

/// Hands on the plain bytes decoded so far.
fn drain(plain: &mut Vec<u8>, out: &mut Sink<'_>) -> Result<(), ItemReaderError> {
    if plain.is_empty() {
        return Ok(());
    }
    out(plain)?;
    plain.clear();
    Ok(())
}

fn fault(name: &str, e: &std::io::Error) -> ItemReaderError {
    ItemReaderError::new(format!(
        "the object starts as {name} data but could not be decompressed: {e}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `bytes` through a decompressor in pieces of `piece`.
    fn plain(bytes: &[u8], piece: usize) -> Result<Vec<u8>, ItemReaderError> {
        let mut got = Vec::new();
        let mut out = |b: &[u8]| {
            got.extend_from_slice(b);
            Ok(())
        };
        let mut d = Decompressor::new();
        for chunk in bytes.chunks(piece) {
            d.push(chunk, &mut out)?;
        }
        d.finish(&mut out)?;
        Ok(got)
    }

    fn text() -> Vec<u8> {
        (0..50_000)
            .map(|i| format!("{{\"i\": {i}, \"t\": \"é✓\"}}\n"))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn gzip_and_zstd_objects_come_out_plain_in_any_pieces_and_plain_ones_as_they_are() {
        let text = text();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&text).unwrap();
        let gz = gz.finish().unwrap();
        let zst = zstd::stream::encode_all(&text[..], 3).unwrap();
        for piece in [1, 7, 4096, usize::MAX] {
            assert!(
                plain(&gz, piece.min(gz.len())).unwrap() == text,
                "gzip {piece}"
            );
            assert!(
                plain(&zst, piece.min(zst.len())).unwrap() == text,
                "zstd {piece}"
            );
            assert!(
                plain(&text, piece.min(text.len())).unwrap() == text,
                "plain {piece}"
            );
        }
        assert!(plain(b"", 1).unwrap().is_empty());
    }

    #[test]
    fn a_truncated_or_corrupt_compressed_object_fails() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&text()).unwrap();
        let gz = gz.finish().unwrap();
        let e = plain(&gz[..gz.len() / 2], 1000).unwrap_err();
        assert!(e.cause.contains("GZIP"), "{e}");
        let mut bad = gz.clone();
        for b in &mut bad[20..60] {
            *b = 0xff;
        }
        assert!(plain(&bad, 1000).is_err());
    }
}
