//! An object's bytes kept between reading it and handing out its items: in memory while it is
//! small, in an unnamed temporary file once it is not.
//!
//! A map run reads its object once, checking every item (see [`super::LazyItems`]), then
//! decodes the items again as its children start. A multi-gigabyte object must not be held in
//! memory for that, and reading it from S3 twice would cost twice (and could see a changed
//! object), so its bytes go to a file the operating system deletes when it is closed (also on
//! a crash). The file is made in the system's temporary directory (`TMPDIR`).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

/// How many bytes are kept in memory before the spool moves to a file.
pub const IN_MEMORY_LIMIT: usize = 16 * 1024 * 1024;

/// Bytes written once, in order, then read back once, in order.
#[derive(Debug)]
pub struct Spool {
    kept: Kept,
    /// How many bytes were written.
    len: u64,
    /// How many bytes were read back.
    read: u64,
}

/// Where the bytes are.
#[derive(Debug)]
enum Kept {
    Memory(Vec<u8>),
    File(File),
}

impl Default for Spool {
    fn default() -> Self {
        Spool::new()
    }
}

impl Spool {
    /// An empty spool, in memory.
    pub fn new() -> Spool {
        Spool {
            kept: Kept::Memory(Vec::new()),
            len: 0,
            read: 0,
        }
    }

    /// Adds `bytes` at the end; the spool moves to a file when it outgrows memory.
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if let Kept::Memory(held) = &mut self.kept {
            if held.len() + bytes.len() <= IN_MEMORY_LIMIT {
                held.extend_from_slice(bytes);
                self.len += bytes.len() as u64;
                return Ok(());
            }
            let mut file = tempfile::tempfile()?;
            file.write_all(held)?;
            self.kept = Kept::File(file);
        }
        if let Kept::File(file) = &mut self.kept {
            file.write_all(bytes)?;
        }
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Whether the bytes went to a file.
    pub fn on_disk(&self) -> bool {
        matches!(self.kept, Kept::File(_))
    }

    /// How many bytes were written.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The next bytes (up to `buf.len()`), read back from where the last call stopped; 0 at
    /// the end.
    pub fn read_next(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let remaining = self.len - self.read;
        let n = (buf.len() as u64).min(remaining) as usize;
        if n == 0 {
            return Ok(0);
        }
        match &mut self.kept {
            Kept::Memory(held) => {
                let from = self.read as usize;
                buf[..n].copy_from_slice(&held[from..from + n]);
            }
            Kept::File(file) => {
                if self.read == 0 {
                    file.seek(SeekFrom::Start(0))?;
                }
                file.read_exact(&mut buf[..n])?;
            }
        }
        self.read += n as u64;
        Ok(n)
    }

    /// How many bytes were read back.
    pub fn position(&self) -> u64 {
        self.read
    }

    /// Reads back `n` bytes (or what is left) without keeping them.
    pub fn skip(&mut self, n: u64) -> std::io::Result<()> {
        let n = n.min(self.len - self.read);
        if let Kept::File(file) = &mut self.kept {
            if self.read == 0 {
                file.seek(SeekFrom::Start(0))?;
            }
            file.seek(SeekFrom::Current(n as i64))?;
        }
        self.read += n;
        Ok(())
    }

    /// Lets go of the bytes (the file is deleted).
    pub fn clear(&mut self) {
        self.kept = Kept::Memory(Vec::new());
        self.len = 0;
        self.read = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(spool: &mut Spool, piece: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut buf = vec![0; piece];
        loop {
            let n = spool.read_next(&mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn small_objects_stay_in_memory_and_come_back_whole() {
        let mut spool = Spool::new();
        spool.write(b"hello ").unwrap();
        spool.write(b"world").unwrap();
        assert!(!spool.on_disk());
        assert_eq!(spool.len(), 11);
        assert_eq!(read_all(&mut spool, 4), b"hello world");
        assert_eq!(spool.read_next(&mut [0; 8]).unwrap(), 0);
    }

    #[test]
    fn large_objects_move_to_a_file_and_come_back_in_order() {
        let mut spool = Spool::new();
        let piece: Vec<u8> = (0..1_000_003u32).map(|i| (i % 251) as u8).collect();
        let mut expected = Vec::new();
        while expected.len() <= IN_MEMORY_LIMIT + 3 * piece.len() {
            spool.write(&piece).unwrap();
            expected.extend_from_slice(&piece);
        }
        assert!(spool.on_disk());
        assert_eq!(spool.len(), expected.len() as u64);
        assert!(read_all(&mut spool, 65_536) == expected);
        spool.clear();
        assert!(spool.is_empty() && !spool.on_disk());
    }
}
