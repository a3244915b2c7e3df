//! Byte-level reading and writing shared by the ccache and keytab codecs.
//!
//! Formats 3/4 (ccache) and 0x0502 (keytab) are big-endian; the old formats use the byte order
//! of the host that wrote them, which [`Endian::Native`] reproduces.

/// Integer byte order of a file format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endian {
    Big,
    Native,
}

/// Ran out of input while reading `what` at byte offset `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Short {
    pub what: &'static str,
    pub offset: usize,
}

pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    endian: Endian,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8], endian: Endian) -> Self {
        Reader {
            buf,
            pos: 0,
            endian,
        }
    }

    pub fn with_pos(buf: &'a [u8], pos: usize, endian: Endian) -> Self {
        Reader { buf, pos, endian }
    }

    pub fn set_endian(&mut self, endian: Endian) {
        self.endian = endian;
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Short> {
        if n > self.remaining() {
            return Err(Short {
                what,
                offset: self.pos,
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], Short> {
        let s = self.bytes(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    pub fn u8(&mut self, what: &'static str) -> Result<u8, Short> {
        Ok(self.array::<1>(what)?[0])
    }

    pub fn u16(&mut self, what: &'static str) -> Result<u16, Short> {
        let a = self.array::<2>(what)?;
        Ok(match self.endian {
            Endian::Big => u16::from_be_bytes(a),
            Endian::Native => u16::from_ne_bytes(a),
        })
    }

    pub fn u32(&mut self, what: &'static str) -> Result<u32, Short> {
        let a = self.array::<4>(what)?;
        Ok(match self.endian {
            Endian::Big => u32::from_be_bytes(a),
            Endian::Native => u32::from_ne_bytes(a),
        })
    }

    pub fn i32(&mut self, what: &'static str) -> Result<i32, Short> {
        Ok(self.u32(what)? as i32)
    }

    /// A 16-bit field holding a signed 32-bit protocol number (enctype, address type...),
    /// sign-extended as MIT does.
    pub fn i16_as_i32(&mut self, what: &'static str) -> Result<i32, Short> {
        Ok(i32::from(self.u16(what)? as i16))
    }
}

pub(crate) struct Writer {
    pub buf: Vec<u8>,
    endian: Endian,
}

impl Writer {
    pub fn new(endian: Endian) -> Self {
        Writer {
            buf: Vec::new(),
            endian,
        }
    }

    pub fn set_endian(&mut self, endian: Endian) {
        self.endian = endian;
    }

    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn u16(&mut self, v: u16) {
        match self.endian {
            Endian::Big => self.buf.extend_from_slice(&v.to_be_bytes()),
            Endian::Native => self.buf.extend_from_slice(&v.to_ne_bytes()),
        }
    }

    pub fn u32(&mut self, v: u32) {
        match self.endian {
            Endian::Big => self.buf.extend_from_slice(&v.to_be_bytes()),
            Endian::Native => self.buf.extend_from_slice(&v.to_ne_bytes()),
        }
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
}

/// A protocol number that must fit a signed 16-bit file field.
pub(crate) fn i32_to_u16(v: i32) -> Option<u16> {
    i16::try_from(v).ok().map(|x| x as u16)
}
