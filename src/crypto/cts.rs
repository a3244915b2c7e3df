//! AES-CTS (CBC with ciphertext stealing, Kerberos variant: the last two
//! blocks are always swapped) with the HMAC stitched into the CBC loop.
//!
//! Encryption writes `confounder | plaintext` into the output buffer chunk by
//! chunk (one copy, L1-hot), and CBC-encrypts it in place inside a single
//! backend dispatch. The HMAC is fed in 64-byte pieces between groups of four
//! CBC blocks so the out-of-order core overlaps the two dependency chains.
//! Decryption copies the ciphertext chunk-wise into the output and decrypts
//! it in place with `cbc::Decryptor` (parallel blocks).

use aes::cipher::{
    Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt, BlockCipherEncBackend,
    BlockCipherEncClosure, BlockCipherEncrypt, BlockModeDecrypt, BlockSizeUser, InnerIvInit,
    array::Array, consts::U16, typenum::Unsigned,
};
use hmac::Mac;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::CryptoError;

pub(crate) const BLOCK: usize = 16;
/// Bytes copied into the output per round of the streaming loops.
const CHUNK: usize = 4096;

/// Where the MAC sits relative to the cipher.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum MacMode {
    /// RFC 3961 simplified profile: HMAC over the plaintext (confounder included).
    OverPlaintext,
    /// RFC 8009: HMAC over IV | ciphertext (encrypt-then-MAC).
    OverIvAndCiphertext,
}

#[inline(always)]
fn xor_block(a: &mut Block<aes::Aes128>, b: &[u8]) {
    for (x, y) in a.iter_mut().zip(b.iter()) {
        *x ^= *y;
    }
}

/// CBC-encrypt the first `body_len` bytes of `buf` (a multiple of 16) in
/// place, optionally followed by the Kerberos CTS tail (the rest of `buf`,
/// 17..=32 bytes), feeding the MAC with the plaintext (before) or the final
/// ciphertext (after) every 64 bytes. The whole message runs inside one
/// backend dispatch, so the AES rounds are inlined into this loop.
struct CbcEncStitch<'a, M> {
    buf: &'a mut [u8],
    body_len: usize,
    tail: bool,
    iv: &'a mut Block<aes::Aes128>,
    mac: Option<&'a mut M>,
    mode: MacMode,
}

impl<M> BlockSizeUser for CbcEncStitch<'_, M> {
    type BlockSize = U16;
}

impl<M: Mac> BlockCipherEncClosure for CbcEncStitch<'_, M> {
    #[inline(always)]
    fn call<B: aes::cipher::BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let CbcEncStitch {
            buf,
            body_len,
            tail,
            iv,
            mut mac,
            mode,
        } = self;
        let mut state = *iv;
        let (body, rest) = buf.split_at_mut(body_len.min(buf.len()));
        for piece in body.chunks_mut(64) {
            if mode == MacMode::OverPlaintext
                && let Some(m) = mac.as_deref_mut()
            {
                m.update(piece);
            }
            cbc_blocks(backend, &mut state, piece);
            if mode == MacMode::OverIvAndCiphertext
                && let Some(m) = mac.as_deref_mut()
            {
                m.update(piece);
            }
        }
        if tail && rest.len() > BLOCK {
            if mode == MacMode::OverPlaintext
                && let Some(m) = mac.as_deref_mut()
            {
                m.update(rest);
            }
            let (first, last) = rest.split_at_mut(BLOCK);
            let r = last.len();
            // X = E(P(n-1) ^ state); Y = E((Pn | 0...) ^ X); send Y | X[..r].
            let mut x = state;
            xor_block(&mut x, first);
            backend.encrypt_block((&mut x).into());
            let mut y = x;
            xor_block(&mut y, last);
            backend.encrypt_block((&mut y).into());
            first.copy_from_slice(&y);
            if let Some(xr) = x.get(..r) {
                last.copy_from_slice(xr);
            }
            // RFC 3962's "next IV" is the last full ciphertext block as sent.
            state = y;
            if mode == MacMode::OverIvAndCiphertext
                && let Some(m) = mac
            {
                m.update(rest);
            }
        }
        *iv = state;
    }
}

#[inline(always)]
fn cbc_blocks<B: BlockCipherEncBackend<BlockSize = U16>>(
    backend: &B,
    state: &mut Block<aes::Aes128>,
    piece: &mut [u8],
) {
    let (blocks, _rest) = Array::<u8, U16>::slice_as_chunks_mut(piece);
    for b in blocks {
        xor_block(state, b);
        backend.encrypt_block(state.into());
        *b = *state;
    }
}

fn run_enc<C, M>(
    cipher: &C,
    iv: &mut Block<aes::Aes128>,
    buf: &mut [u8],
    body_len: usize,
    tail: bool,
    mac: Option<&mut M>,
    mode: MacMode,
) where
    C: BlockCipherEncrypt<BlockSize = U16>,
    M: Mac,
{
    cipher.encrypt_with_backend(CbcEncStitch {
        buf,
        body_len,
        tail,
        iv,
        mac,
        mode,
    });
}

/// Length of the plain-CBC part of an `len`-byte CTS message (len ≥ 16):
/// everything but the last two blocks, or the single block.
fn cbc_part(len: usize) -> usize {
    let nblocks = len.div_ceil(BLOCK);
    if nblocks <= 1 {
        len
    } else {
        (nblocks - 2) * BLOCK
    }
}

/// Kerberos CTS over `buf` (length ≥ 16) in place with IV `iv`, which is
/// updated to RFC 3962's "next IV". When `mac` is given it is fed according
/// to `mode` over exactly `buf` (plaintext or final ciphertext).
pub(crate) fn cts_encrypt_in_place<C, M>(
    cipher: &C,
    iv: &mut [u8; 16],
    buf: &mut [u8],
    mac: Option<&mut M>,
    mode: MacMode,
) where
    C: BlockCipherEncrypt<BlockSize = U16>,
    M: Mac,
{
    if buf.len() < BLOCK {
        return;
    }
    let mut state: Block<aes::Aes128> = Array(*iv);
    let body = cbc_part(buf.len());
    run_enc(cipher, &mut state, buf, body, true, mac, mode);
    *iv = state.0;
}

/// Encrypt `confounder | plaintext` into `out` (cleared first), followed by
/// the truncated MAC. One copy of the plaintext, done chunk-wise while the
/// data is hot in L1; a message of up to 4 KiB is one backend dispatch.
pub(crate) fn encrypt_message<C, M>(
    cipher: &C,
    mac_key: &M,
    mac_len: usize,
    mode: MacMode,
    confounder: &[u8; 16],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) where
    C: BlockCipherEncrypt<BlockSize = U16>,
    M: Mac + Clone,
{
    let len = BLOCK + plaintext.len();
    out.clear();
    out.reserve(len + mac_len);
    let mut mac = mac_key.clone();
    if mode == MacMode::OverIvAndCiphertext {
        mac.update(&[0u8; BLOCK]);
    }
    out.extend_from_slice(confounder);
    let mut state: Block<aes::Aes128> = Array([0u8; 16]);
    let body_end = cbc_part(len);
    let mut done = 0usize;
    let mut chunks = plaintext.chunks(CHUNK).peekable();
    while let Some(chunk) = chunks.next() {
        out.extend_from_slice(chunk);
        if chunks.peek().is_none() {
            break;
        }
        let end = (out.len() / BLOCK * BLOCK).min(body_end);
        if end > done {
            if let Some(region) = out.get_mut(done..end) {
                let n = region.len();
                run_enc(cipher, &mut state, region, n, false, Some(&mut mac), mode);
            }
            done = end;
        }
    }
    // Whatever is left: the rest of the CBC part and the CTS tail.
    if let Some(region) = out.get_mut(done..) {
        run_enc(
            cipher,
            &mut state,
            region,
            body_end - done,
            true,
            Some(&mut mac),
            mode,
        );
    }
    let tag = mac.finalize().into_bytes();
    out.extend_from_slice(tag.get(..mac_len).unwrap_or(&tag));
}

/// CBC-decrypt `src` into `dst` (same length, multiple of 16) block-to-block,
/// a parallel batch at a time, feeding the MAC with the ciphertext (before)
/// or the plaintext (after) of each batch, inside one backend dispatch so
/// AES and SHA work interleave.
struct CbcDecStitch<'a, M> {
    src: &'a [u8],
    dst: &'a mut [u8],
    prev: &'a mut Block<aes::Aes128>,
    mac: &'a mut M,
    mode: MacMode,
}

impl<M> BlockSizeUser for CbcDecStitch<'_, M> {
    type BlockSize = U16;
}

impl<M: Mac> BlockCipherDecClosure for CbcDecStitch<'_, M> {
    #[inline(always)]
    fn call<B: BlockCipherDecBackend<BlockSize = U16>>(self, backend: &B) {
        let CbcDecStitch {
            src,
            dst,
            prev,
            mac,
            mode,
        } = self;
        let par = <B::ParBlocksSize as Unsigned>::USIZE * BLOCK;
        let step = (CHUNK / par).max(1) * par;
        for (s, d) in src.chunks(step).zip(dst.chunks_mut(step)) {
            if mode == MacMode::OverIvAndCiphertext {
                mac.update(s);
            }
            let (sb, _) = Array::<u8, U16>::slice_as_chunks(s);
            let (db, _) = Array::<u8, U16>::slice_as_chunks_mut(d);
            let (sp, srest) = Array::<Block<aes::Aes128>, B::ParBlocksSize>::slice_as_chunks(sb);
            let (dp, drest) =
                Array::<Block<aes::Aes128>, B::ParBlocksSize>::slice_as_chunks_mut(db);
            for (i, o) in sp.iter().zip(dp.iter_mut()) {
                backend.decrypt_par_blocks((i, o).into());
            }
            for (i, o) in srest.iter().zip(drest.iter_mut()) {
                backend.decrypt_block((i, o).into());
            }
            // CBC: P[j] = D(C[j]) ^ C[j-1].
            let (d0, dtail) = d.split_at_mut(BLOCK.min(d.len()));
            xor_block_slice(d0, prev);
            for (x, y) in dtail.iter_mut().zip(s.iter()) {
                *x ^= *y;
            }
            if let Some(last) = s.len().checked_sub(BLOCK).and_then(|k| s.get(k..)) {
                prev.copy_from_slice(last);
            }
            if mode == MacMode::OverPlaintext {
                mac.update(d);
            }
        }
    }
}

#[inline(always)]
fn xor_block_slice(a: &mut [u8], b: &Block<aes::Aes128>) {
    for (x, y) in a.iter_mut().zip(b.iter()) {
        *x ^= *y;
    }
}

/// Decrypt a `ciphertext | mac` message into `out` (cleared first); on
/// success `out` holds the plaintext without the confounder. On an integrity
/// failure `out` is wiped and left empty.
///
/// For the RFC 8009 mode the MAC covers IV | C; it is computed chunk-wise
/// alongside the decryption and checked before anything is returned, so no
/// unauthenticated plaintext ever leaves this function.
pub(crate) fn decrypt_message<C, M>(
    cipher: &C,
    mac_key: &M,
    mac_len: usize,
    mode: MacMode,
    message: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), CryptoError>
where
    C: BlockCipherDecrypt<BlockSize = U16>,
    M: Mac + Clone,
{
    out.clear();
    if message.len() < BLOCK + mac_len {
        return Err(CryptoError::CiphertextTooShort);
    }
    let (ct, tag) = message.split_at(message.len() - mac_len);
    let len = ct.len();
    out.reserve(len - BLOCK);
    let mut mac = mac_key.clone();
    if mode == MacMode::OverIvAndCiphertext {
        mac.update(&[0u8; BLOCK]);
    }
    let body_end = cbc_part(len);
    let mut prev: Block<aes::Aes128> = Array([0u8; 16]);
    let mut confounder: Block<aes::Aes128> = Array([0u8; 16]);
    // First block (the confounder) to the stack, the rest of the CBC part
    // chunk-wise into `out`.
    if let (Some(c0), true) = (ct.get(..BLOCK), body_end >= BLOCK) {
        cipher.decrypt_with_backend(CbcDecStitch {
            src: c0,
            dst: &mut confounder,
            prev: &mut prev,
            mac: &mut mac,
            mode,
        });
        let middle = ct.get(BLOCK..body_end).unwrap_or(&[]);
        for chunk in middle.chunks(CHUNK) {
            let start = out.len();
            out.resize(start + chunk.len(), 0);
            if let Some(dst) = out.get_mut(start..) {
                cipher.decrypt_with_backend(CbcDecStitch {
                    src: chunk,
                    dst,
                    prev: &mut prev,
                    mac: &mut mac,
                    mode,
                });
            }
        }
    }
    if len > BLOCK {
        // CTS tail: Y (16 bytes) then the first r bytes of X.
        let tail = ct.get(body_end..).unwrap_or(&[]);
        if mode == MacMode::OverIvAndCiphertext {
            mac.update(tail);
        }
        let (y, xr) = tail.split_at(BLOCK.min(tail.len()));
        let mut d: Block<aes::Aes128> = Array([0u8; 16]);
        d.copy_from_slice(y);
        cipher.decrypt_block(&mut d);
        // Last plaintext piece: D[..r] ^ X[..r]; full X = X[..r] | D[r..].
        let mut last = [0u8; 16];
        let mut x = d;
        for (i, xv) in xr.iter().enumerate() {
            if let (Some(l), Some(dv), Some(xs)) = (last.get_mut(i), d.get(i), x.get_mut(i)) {
                *l = *dv ^ *xv;
                *xs = *xv;
            }
        }
        cipher.decrypt_block(&mut x);
        xor_block(&mut x, &prev);
        let last = last.get(..xr.len()).unwrap_or(&[]);
        if body_end == 0 {
            // The second-to-last block is the confounder itself.
            confounder = x;
        } else {
            out.extend_from_slice(&x);
        }
        if mode == MacMode::OverPlaintext {
            mac.update(&x);
            mac.update(last);
        }
        out.extend_from_slice(last);
        x.zeroize();
        d.zeroize();
    }
    // (A single-block message was fully handled by the first-block step.)
    confounder.zeroize();
    let expected = mac.finalize().into_bytes();
    let ok = match expected.get(..mac_len) {
        Some(e) => bool::from(e.ct_eq(tag)),
        None => false,
    };
    if ok {
        Ok(())
    } else {
        out.zeroize();
        out.clear();
        Err(CryptoError::IntegrityCheckFailed)
    }
}

/// A MAC that does nothing, for the raw CTS functions.
#[derive(Clone)]
pub(crate) struct NoMac;

impl hmac::digest::OutputSizeUser for NoMac {
    type OutputSize = U16;
}
impl hmac::digest::MacMarker for NoMac {}
impl hmac::digest::Update for NoMac {
    fn update(&mut self, _data: &[u8]) {}
}
impl hmac::digest::FixedOutput for NoMac {
    fn finalize_into(self, out: &mut hmac::digest::Output<Self>) {
        out.fill(0);
    }
}

/// Raw Kerberos CTS decryption of `buf` (≥ 16 bytes) in place with `iv`.
pub(crate) fn cts_decrypt_in_place<C>(cipher: &C, iv: &[u8; 16], buf: &mut [u8])
where
    C: BlockCipherDecrypt<BlockSize = U16>,
{
    let len = buf.len();
    if len < BLOCK {
        return;
    }
    let nblocks = len.div_ceil(BLOCK);
    if nblocks == 1 {
        let mut b: Block<aes::Aes128> = Array([0u8; 16]);
        b.copy_from_slice(buf);
        cipher.decrypt_block(&mut b);
        xor_block(&mut b, iv);
        buf.copy_from_slice(&b);
        return;
    }
    let body_end = (nblocks - 2) * BLOCK;
    let mut prev: Block<aes::Aes128> = Array(*iv);
    if body_end > 0 {
        if let Some(p) = buf.get(body_end - BLOCK..body_end) {
            prev.copy_from_slice(p);
        }
        let mut dec = cbc::Decryptor::<&C>::inner_iv_init(cipher, &Array(*iv));
        if let Some(body) = buf.get_mut(..body_end) {
            let (blocks, _) = Array::<u8, U16>::slice_as_chunks_mut(body);
            dec.decrypt_blocks(blocks);
        }
    }
    let Some(tail) = buf.get_mut(body_end..) else {
        return;
    };
    let (y, xr) = tail.split_at_mut(BLOCK);
    let r = xr.len();
    let mut d: Block<aes::Aes128> = Array([0u8; 16]);
    d.copy_from_slice(y);
    cipher.decrypt_block(&mut d);
    let mut x = d;
    for (i, xv) in xr.iter_mut().enumerate() {
        if let (Some(dv), Some(xs)) = (d.get(i), x.get_mut(i)) {
            *xs = *xv;
            *xv ^= *dv;
        }
    }
    let _ = r;
    cipher.decrypt_block(&mut x);
    xor_block(&mut x, &prev);
    y.copy_from_slice(&x);
}
