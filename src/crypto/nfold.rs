//! RFC 3961 §5.1 n-fold, computed byte-wise (never bit by bit), plus a cache
//! of the folded key-usage constants used by the simplified profile.

use std::sync::OnceLock;

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

/// n-fold `input` into `out.len()` bytes (RFC 3961 §5.1).
///
/// The input is replicated to the least common multiple of the input and
/// output lengths, each copy rotated right by 13 more bits than the
/// previous one, and the output-sized chunks are added with one's-complement
/// (end-around carry) addition. This implementation reads each byte of a
/// rotated copy directly (two input bytes and a shift), sums whole columns
/// and propagates the carries at the end, so the cost is one add per byte of
/// the lcm-length stream plus a couple of carry passes.
///
/// An empty input folds to all zeros; an empty output is left untouched.
pub(crate) fn nfold_into(input: &[u8], out: &mut [u8]) {
    let k = input.len();
    let n = out.len();
    if n == 0 {
        return;
    }
    if k == 0 {
        out.fill(0);
        return;
    }
    let lcm = k / gcd(k, n) * n;
    let copies = lcm / k;
    let kbits = 8 * k;

    let mut stack_acc = [0u64; 64];
    let mut heap_acc;
    let acc: &mut [u64] = if n <= stack_acc.len() {
        &mut stack_acc[..n]
    } else {
        heap_acc = vec![0u64; n];
        &mut heap_acc
    };

    let mut pos = 0usize; // position in the lcm-length stream, modulo n
    for i in 0..copies {
        // Copy i is the input rotated right by 13*i bits.
        let shift = (13 * i) % kbits;
        // Bit offset (in the input) of the first bit of byte 0 of this copy.
        let start = (kbits - shift) % kbits;
        let mut q = start / 8;
        let t = (start % 8) as u32;
        for _ in 0..k {
            let hi = input.get(q).copied().unwrap_or(0);
            let q1 = if q + 1 == k { 0 } else { q + 1 };
            let byte = if t == 0 {
                hi
            } else {
                let lo = input.get(q1).copied().unwrap_or(0);
                (hi << t) | (lo >> (8 - t))
            };
            if let Some(a) = acc.get_mut(pos) {
                *a += u64::from(byte);
            }
            pos += 1;
            if pos == n {
                pos = 0;
            }
            q = q1;
        }
    }

    // One's-complement addition: propagate carries from the least significant
    // (last) byte upwards, wrapping the carry out of the top byte around.
    let mut carry = 0u64;
    loop {
        for a in acc.iter_mut().rev() {
            let v = *a + carry;
            *a = v & 0xff;
            carry = v >> 8;
        }
        if carry == 0 {
            break;
        }
    }
    for (o, a) in out.iter_mut().zip(acc.iter()) {
        *o = *a as u8;
    }
}

/// n-fold `input` to `out_bytes` bytes (RFC 3961 §5.1). `nfold(b"012345", 8)`
/// is the 64-fold of "012345".
pub fn nfold(input: &[u8], out_bytes: usize) -> Vec<u8> {
    let mut out = vec![0u8; out_bytes];
    nfold_into(input, &mut out);
    out
}

/// Key-derivation constant kinds of RFC 3961 §5.3.
pub(crate) const KIND_CHECKSUM: u8 = 0x99;
pub(crate) const KIND_ENCRYPT: u8 = 0xAA;
pub(crate) const KIND_INTEGRITY: u8 = 0x55;

const CACHED_USAGES: usize = 64;

type ConstTable = Vec<[[u8; 16]; 3]>;

fn kind_index(kind: u8) -> usize {
    match kind {
        KIND_CHECKSUM => 0,
        KIND_ENCRYPT => 1,
        _ => 2,
    }
}

fn compute_usage_constant(usage: u32, kind: u8) -> [u8; 16] {
    let u = usage.to_be_bytes();
    let c = [u[0], u[1], u[2], u[3], kind];
    let mut out = [0u8; 16];
    nfold_into(&c, &mut out);
    out
}

/// 128-fold of `usage (4 bytes big-endian) | kind`, cached for usages below 64.
pub(crate) fn usage_constant(usage: u32, kind: u8) -> [u8; 16] {
    static TABLE: OnceLock<ConstTable> = OnceLock::new();
    if (usage as usize) < CACHED_USAGES {
        let table = TABLE.get_or_init(|| {
            (0..CACHED_USAGES as u32)
                .map(|u| {
                    [
                        compute_usage_constant(u, KIND_CHECKSUM),
                        compute_usage_constant(u, KIND_ENCRYPT),
                        compute_usage_constant(u, KIND_INTEGRITY),
                    ]
                })
                .collect()
        });
        if let Some(row) = table.get(usage as usize)
            && let Some(c) = row.get(kind_index(kind))
        {
            return *c;
        }
    }
    compute_usage_constant(usage, kind)
}

/// 128-fold of "kerberos" (RFC 3961 string-to-key constant).
#[cfg(test)]
pub(crate) const KERBEROS_CONSTANT: [u8; 16] = [
    0x6b, 0x65, 0x72, 0x62, 0x65, 0x72, 0x6f, 0x73, 0x7b, 0x9b, 0x5b, 0x2b, 0x93, 0x13, 0x2b, 0x93,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kerberos_constant_matches() {
        assert_eq!(nfold(b"kerberos", 16), KERBEROS_CONSTANT.to_vec());
    }

    #[test]
    fn cached_equals_computed() {
        for u in [0u32, 1, 2, 63, 64, 1000, u32::MAX] {
            for k in [KIND_CHECKSUM, KIND_ENCRYPT, KIND_INTEGRITY] {
                assert_eq!(usage_constant(u, k), compute_usage_constant(u, k));
            }
        }
    }

    #[test]
    fn rfc3961_basic() {
        assert_eq!(
            nfold(b"012345", 8),
            vec![0xbe, 0x07, 0x26, 0x31, 0x27, 0x6b, 0x19, 0x55]
        );
        assert_eq!(nfold(b"", 4), vec![0; 4]);
        assert!(nfold(b"abc", 0).is_empty());
        // Large output goes through the heap accumulator.
        assert_eq!(nfold(b"ab", 100).len(), 100);
    }
}
