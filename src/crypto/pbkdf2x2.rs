//! PBKDF2-HMAC-SHA1 (RFC 8018) with a lean inner loop on the raw SHA-1
//! compression function: the HMAC pads are compressed once, each iteration
//! is exactly two compressions of pre-padded blocks, and for 32-byte output
//! (aes256) the two output blocks T1 and T2 are computed interleaved so the
//! two independent dependency chains overlap in the CPU.

use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};
use zeroize::Zeroize;

type State = [u32; 5];
const H0: State = [
    0x6745_2301,
    0xEFCD_AB89,
    0x98BA_DCFE,
    0x1032_5476,
    0xC3D2_E1F0,
];

/// ipad/opad states of HMAC-SHA1 for `password`.
fn pad_states(password: &[u8]) -> (State, State) {
    let mut k = [0u8; 64];
    if password.len() > 64 {
        let mut h = Sha1::digest(password);
        if let Some(dst) = k.get_mut(..20) {
            dst.copy_from_slice(&h);
        }
        h.as_mut_slice().zeroize();
    } else if let Some(dst) = k.get_mut(..password.len()) {
        dst.copy_from_slice(password);
    }
    let mut ipad = [0u8; 64];
    let mut opad = [0u8; 64];
    for ((i, o), b) in ipad.iter_mut().zip(opad.iter_mut()).zip(k.iter()) {
        *i = b ^ 0x36;
        *o = b ^ 0x5c;
    }
    let mut is = H0;
    let mut os = H0;
    sha1::block_api::compress(&mut is, &[ipad]);
    sha1::block_api::compress(&mut os, &[opad]);
    k.zeroize();
    ipad.zeroize();
    opad.zeroize();
    (is, os)
}

/// A 64-byte block holding a 20-byte message after a 64-byte prefix,
/// already padded (0x80, zeros, bit length 8 * (64 + 20) = 672).
fn padded_block() -> [u8; 64] {
    let mut b = [0u8; 64];
    if let Some(x) = b.get_mut(20) {
        *x = 0x80;
    }
    if let Some(tail) = b.get_mut(56..) {
        tail.copy_from_slice(&672u64.to_be_bytes());
    }
    b
}

fn put_state(block: &mut [u8; 64], s: &State) {
    for (chunk, w) in block.chunks_exact_mut(4).zip(s.iter()) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
}

fn xor_state(t: &mut State, s: &State) {
    for (a, b) in t.iter_mut().zip(s.iter()) {
        *a ^= *b;
    }
}

/// U1 = HMAC(P, S || INT(i)) with the general-purpose HMAC.
fn first_u(password: &[u8], salt: &[u8], i: u32) -> State {
    let mut m = <Hmac<Sha1> as hmac::digest::KeyInit>::new_from_slice(password)
        .unwrap_or_else(|_| <Hmac<Sha1> as hmac::digest::KeyInit>::new(&Default::default()));
    m.update(salt);
    m.update(&i.to_be_bytes());
    let out = m.finalize().into_bytes();
    let mut s = [0u32; 5];
    for (w, c) in s.iter_mut().zip(out.chunks_exact(4)) {
        let mut b = [0u8; 4];
        b.copy_from_slice(c);
        *w = u32::from_be_bytes(b);
    }
    s
}

fn write_out(out: &mut [u8], t: &State) {
    let mut bytes = [0u8; 20];
    for (chunk, w) in bytes.chunks_exact_mut(4).zip(t.iter()) {
        chunk.copy_from_slice(&w.to_be_bytes());
    }
    let n = out.len().min(20);
    if let (Some(dst), Some(src)) = (out.get_mut(..n), bytes.get(..n)) {
        dst.copy_from_slice(src);
    }
    bytes.zeroize();
}

/// PBKDF2-HMAC-SHA1 for one output block (≤ 20 bytes), iterations ≥ 1.
fn one_chain(is: &State, os: &State, u1: State, iterations: u32) -> State {
    let mut t = u1;
    let mut u = u1;
    let mut blk = padded_block();
    for _ in 1..iterations {
        put_state(&mut blk, &u);
        let mut s = *is;
        sha1::block_api::compress(&mut s, &[blk]);
        put_state(&mut blk, &s);
        u = *os;
        sha1::block_api::compress(&mut u, &[blk]);
        xor_state(&mut t, &u);
    }
    blk.zeroize();
    u.zeroize();
    t
}

/// Two output blocks computed in one loop.
fn two_chains(is: &State, os: &State, a1: State, b1: State, iterations: u32) -> (State, State) {
    let (mut ta, mut tb) = (a1, b1);
    let (mut ua, mut ub) = (a1, b1);
    let mut ba = padded_block();
    let mut bb = padded_block();
    for _ in 1..iterations {
        put_state(&mut ba, &ua);
        put_state(&mut bb, &ub);
        let mut sa = *is;
        let mut sb = *is;
        sha1::block_api::compress(&mut sa, &[ba]);
        sha1::block_api::compress(&mut sb, &[bb]);
        put_state(&mut ba, &sa);
        put_state(&mut bb, &sb);
        ua = *os;
        ub = *os;
        sha1::block_api::compress(&mut ua, &[ba]);
        sha1::block_api::compress(&mut ub, &[bb]);
        xor_state(&mut ta, &ua);
        xor_state(&mut tb, &ub);
    }
    ba.zeroize();
    bb.zeroize();
    ua.zeroize();
    ub.zeroize();
    (ta, tb)
}

/// PBKDF2-HMAC-SHA1 into `out` (any length); `iterations` must be ≥ 1.
pub(crate) fn pbkdf2_hmac_sha1(password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) {
    let (mut is, mut os) = pad_states(password);
    let mut blocks = out.chunks_mut(20).enumerate().peekable();
    while let Some((i, first)) = blocks.next() {
        let ia = i as u32 + 1;
        if let Some((_, second)) = blocks.next() {
            let a1 = first_u(password, salt, ia);
            let b1 = first_u(password, salt, ia + 1);
            let (mut ta, mut tb) = two_chains(&is, &os, a1, b1, iterations);
            write_out(first, &ta);
            write_out(second, &tb);
            ta.zeroize();
            tb.zeroize();
        } else {
            let a1 = first_u(password, salt, ia);
            let mut ta = one_chain(&is, &os, a1, iterations);
            write_out(first, &ta);
            ta.zeroize();
        }
    }
    is.zeroize();
    os.zeroize();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pbkdf2_crate() {
        for pw in [&b"password"[..], &[b'X'; 64][..], &[b'Y'; 65][..], b""] {
            for iters in [1u32, 2, 5, 100] {
                for len in [16usize, 20, 32, 45] {
                    let mut a = vec![0u8; len];
                    let mut b = vec![0u8; len];
                    pbkdf2_hmac_sha1(pw, b"salt", iters, &mut a);
                    pbkdf2::pbkdf2_hmac::<Sha1>(pw, b"salt", iters, &mut b);
                    assert_eq!(a, b, "len {len} iters {iters}");
                }
            }
        }
    }
}
