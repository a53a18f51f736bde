//! A zlib stream of literals only (nianbao patch, see NIANBAO.md): one deflate
//! block with a Huffman code made for the data, and no string matching.
//!
//! Desubroutinised CFF charstrings hardly repeat, so what deflate gains on a
//! font program is the byte frequencies (14 % smaller than raw); zlib-rs's
//! Huffman-only strategy got the same, but spent ~55 instructions a byte on
//! symbol buffers and a code per 32 KiB block. Here a byte costs a table
//! lookup and a few shifts: one pass counts the bytes, one writes their codes.

/// The bytes of a zlib stream (RFC 1950) holding `data` as literals in one
/// dynamic-Huffman deflate block (RFC 1951 §3.2.7).
pub(crate) fn encode(data: &[u8]) -> Vec<u8> {
    // Literal/length alphabet: the 256 byte values and the end of block.
    const END: usize = 256;
    // Four tables, so that consecutive equal bytes do not wait on each other's count.
    let mut counts = [[0u32; 256]; 4];
    let mut quads = data.chunks_exact(4);
    for q in &mut quads {
        counts[0][usize::from(q[0])] += 1;
        counts[1][usize::from(q[1])] += 1;
        counts[2][usize::from(q[2])] += 1;
        counts[3][usize::from(q[3])] += 1;
    }
    for &b in quads.remainder() {
        counts[0][usize::from(b)] += 1;
    }
    let mut freqs = [0u32; 257];
    for (b, f) in freqs.iter_mut().take(256).enumerate() {
        *f = counts.iter().map(|c| c[b]).fold(0u32, u32::saturating_add);
    }
    freqs[END] = 1;
    let lit_lens = code_lengths(&freqs, 15);
    let lit_codes = canonical_codes(&lit_lens);

    // Two distance codes of one bit each, never used: a complete code, as zlib
    // itself writes for data without matches (some inflaters reject none).
    let dist_lens = [1u8, 1];

    // The code lengths themselves, sent with the code-length alphabet (0–15,
    // each written as itself: no run-length codes, at most ~150 bytes).
    let all_lens: Vec<u8> = lit_lens.iter().chain(dist_lens.iter()).copied().collect();
    let mut cl_freqs = [0u32; 19];
    for &l in &all_lens {
        cl_freqs[usize::from(l)] += 1;
    }
    let cl_lens = code_lengths(&cl_freqs, 7);
    let cl_codes = canonical_codes(&cl_lens);
    const CL_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
    let hclen = CL_ORDER.iter().rposition(|&s| cl_lens[s] != 0).map_or(4, |i| i + 1).max(4);

    let mut w = BitWriter::with_capacity(data.len() + data.len() / 8 + 512);
    // zlib header: deflate with a 32 KiB window, fastest level; the check bits
    // make 0x7801 a multiple of 31.
    w.out.extend_from_slice(&[0x78, 0x01]);
    // The last block, dynamic Huffman codes.
    w.bits(1, 1);
    w.bits(2, 2);
    w.bits(257 - 257, 5); // HLIT: 257 literal/length codes
    w.bits(2 - 1, 5); // HDIST: 2 distance codes
    w.bits((hclen - 4) as u64, 4);
    for &s in &CL_ORDER[..hclen] {
        w.bits(u64::from(cl_lens[s]), 3);
    }
    for &l in &all_lens {
        let s = usize::from(l);
        w.bits(u64::from(cl_codes[s]), u32::from(cl_lens[s]));
    }
    // A table of (code, length) per byte, so the loop does one lookup; the bit buffer in
    // locals, so that it stays in registers.
    let mut table = [(0u64, 0u32); 256];
    for (b, t) in table.iter_mut().enumerate() {
        *t = (u64::from(lit_codes[b]), u32::from(lit_lens[b]));
    }
    // The output's size is known from the counts: written in place, four bytes at a time
    // (a `Vec::extend` per four bytes went through `memcpy`, twice the time of the rest).
    let data_bits: u64 = (0..256).map(|b| u64::from(freqs[b]) * u64::from(lit_lens[b])).sum();
    let (mut acc, mut n, mut out) = (w.acc, w.n, std::mem::take(&mut w.out));
    let mut pos = out.len();
    out.resize(pos + (data_bits / 8) as usize + 8, 0);
    for &b in data {
        let (code, len) = table[usize::from(b)];
        acc |= code << n;
        n += len;
        if n >= 32 {
            out[pos..pos + 4].copy_from_slice(&(acc as u32).to_le_bytes());
            pos += 4;
            acc >>= 32;
            n -= 32;
        }
    }
    out.truncate(pos);
    let mut w = BitWriter { out, acc, n };
    w.bits(u64::from(lit_codes[END]), u32::from(lit_lens[END]));
    let mut out = w.finish();
    out.extend_from_slice(&zlib_rs::adler32::adler32(1, data).to_be_bytes());
    out
}

/// Writes bits least significant first, as deflate packs them.
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    fn with_capacity(n: usize) -> Self {
        Self { out: Vec::with_capacity(n), acc: 0, n: 0 }
    }

    /// Appends the low `len` (≤ 32) bits of `value`.
    #[inline]
    fn bits(&mut self, value: u64, len: u32) {
        self.acc |= value << self.n;
        self.n += len;
        if self.n >= 32 {
            self.out.extend_from_slice(&(self.acc as u32).to_le_bytes());
            self.acc >>= 32;
            self.n -= 32;
        }
    }

    /// The bytes, the last one padded with zero bits.
    fn finish(mut self) -> Vec<u8> {
        while self.n > 0 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n = self.n.saturating_sub(8);
        }
        self.out
    }
}

/// Huffman code lengths for `freqs`, none longer than `limit`. Symbols with no
/// occurrences get no code. Frequencies are flattened (halved, keeping every
/// used symbol at one at least) until the longest code fits; at least two
/// symbols always get a code, so the code is complete.
fn code_lengths(freqs: &[u32], limit: u8) -> Vec<u8> {
    let mut f: Vec<u64> = freqs.iter().map(|&x| u64::from(x)).collect();
    // A code needs two symbols: give the first unused ones a count of one.
    let mut used = f.iter().filter(|&&x| x > 0).count();
    for x in f.iter_mut() {
        if used >= 2 {
            break;
        }
        if *x == 0 {
            *x = 1;
            used += 1;
        }
    }
    loop {
        let lens = huffman_lengths(&f);
        if lens.iter().all(|&l| l <= limit) {
            return lens;
        }
        for x in f.iter_mut().filter(|x| **x > 0) {
            *x = (*x >> 1).max(1);
        }
    }
}

/// The depths of a Huffman tree over the symbols with a non-zero count. Ties
/// are broken by node number, so the same counts always give the same code.
fn huffman_lengths(f: &[u64]) -> Vec<u8> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut parent: Vec<usize> = vec![usize::MAX; f.len()];
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> =
        f.iter().enumerate().filter(|(_, &x)| x > 0).map(|(i, &x)| Reverse((x, i))).collect();
    while heap.len() > 1 {
        let Reverse((wa, a)) = heap.pop().expect("two nodes");
        let Reverse((wb, b)) = heap.pop().expect("two nodes");
        let node = parent.len();
        parent.push(usize::MAX);
        parent[a] = node;
        parent[b] = node;
        heap.push(Reverse((wa + wb, node)));
    }
    (0..f.len())
        .map(|s| {
            if f[s] == 0 {
                return 0;
            }
            let (mut depth, mut n) = (0u8, s);
            while parent[n] != usize::MAX {
                depth = depth.saturating_add(1);
                n = parent[n];
            }
            depth
        })
        .collect()
}

/// The canonical codes of RFC 1951 §3.2.2 for `lens`, bit-reversed for the
/// least-significant-first writer.
fn canonical_codes(lens: &[u8]) -> Vec<u32> {
    let mut count = [0u32; 16];
    for &l in lens.iter().filter(|&&l| l > 0) {
        count[usize::from(l)] += 1;
    }
    let mut next = [0u32; 16];
    let mut code = 0u32;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lens.iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let c = next[usize::from(l)];
            next[usize::from(l)] += 1;
            c.reverse_bits() >> (32 - u32::from(l))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::encode;
    use std::io::Read;

    fn inflate(z: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(z).read_to_end(&mut out).expect("a valid zlib stream");
        out
    }

    #[test]
    fn round_trips() {
        let mut skewed = vec![0u8; 100_000];
        skewed.extend((0..=255u8).cycle().take(3000));
        skewed.push(7);
        // Counts doubling from 1 to 2^18 would make codes 19 bits long: the limit must hold.
        let mut fib = Vec::new();
        for (i, n) in (0..20u32).map(|i| (i, 1usize << i)) {
            fib.extend(std::iter::repeat(i as u8).take(n.min(1 << 18)));
        }
        let cases: Vec<Vec<u8>> = vec![
            vec![],
            vec![42],
            vec![1, 1, 1, 1],
            (0..=255).collect(),
            skewed,
            fib,
            (0..200_000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect(),
        ];
        for data in cases {
            assert_eq!(inflate(&encode(&data)), data, "{} bytes", data.len());
        }
    }
}
