//! The OFD's embedded fonts: a subset of each face the pages draw, as an OpenType file
//! (CFF outlines for the bundled Fandol faces, as the faces have them) with a `cmap` of the
//! characters drawn.
//!
//! An OFD names no glyph ids: a reader maps each character of a `TextCode` through the
//! embedded font's `cmap` (GB/T 33190 §11.4; `CGTransform` is the exception). The subsetter
//! drops the `cmap` (a PDF carries its own), so one is made here for the glyphs kept, numbered
//! in the order of their characters.

use crate::fonts::Face;
use subsetter::GlyphRemapper;

/// The glyphs of one face the pages draw: (character, glyph id in the face).
pub(super) struct Used {
    pairs: Vec<(char, u16)>,
}

impl Used {
    pub(super) fn new() -> Used {
        Used { pairs: Vec::new() }
    }

    pub(super) fn add(&mut self, c: char, gid: u16) {
        self.pairs.push((c, gid));
    }
}

/// A subset font file of `face` with the glyphs of `used`, and a `cmap` mapping each of their
/// characters to its glyph. A character drawn with glyph 0 (none of the fonts has it) is left
/// out of the `cmap`: a reader draws its `.notdef`, as the PDF does.
pub(super) fn subset(face: &Face, mut used: Used) -> Result<Vec<u8>, String> {
    used.pairs.sort_unstable();
    used.pairs.dedup();
    used.pairs.retain(|&(_, gid)| gid != 0);
    let mut mapper = GlyphRemapper::new();
    let mut cmap: Vec<(u32, u16)> = Vec::with_capacity(used.pairs.len());
    for &(c, gid) in &used.pairs {
        cmap.push((u32::from(c), mapper.remap(gid)));
    }
    let data: &[u8] = face.data.as_ref();
    let font = subsetter::subset_with_variations_cached(
        data,
        face.index,
        &[],
        &mapper,
        &face.subset_cache,
    )
    .map_err(|e| e.to_string())?;
    with_table(&font, *b"cmap", &cmap_table(&cmap))
}

/// A `cmap` table for (code point, glyph) pairs sorted by code point: format 4 for the BMP
/// (platform 3, encoding 1) and, when a character lies beyond it, format 12 as well (3, 10).
fn cmap_table(pairs: &[(u32, u16)]) -> Vec<u8> {
    let bmp: Vec<(u32, u16)> = pairs.iter().copied().filter(|&(c, _)| c < 0xFFFF).collect();
    let wide = bmp.len() < pairs.len();
    let format4 = format4(&bmp);
    let mut out = Vec::new();
    let count: u16 = if wide { 2 } else { 1 };
    put16(&mut out, 0);
    put16(&mut out, count);
    let first = 4 + 8 * u32::from(count);
    put16(&mut out, 3);
    put16(&mut out, 1);
    put32(&mut out, first);
    if wide {
        put16(&mut out, 3);
        put16(&mut out, 10);
        put32(&mut out, first + format4.len() as u32);
    }
    out.extend_from_slice(&format4);
    if wide {
        out.extend_from_slice(&format12(pairs));
    }
    out
}

/// Runs of consecutive code points with consecutive glyphs: (first code, last code, first glyph).
fn runs(pairs: &[(u32, u16)]) -> Vec<(u32, u32, u16)> {
    let mut runs: Vec<(u32, u32, u16)> = Vec::new();
    for &(c, g) in pairs {
        match runs.last_mut() {
            Some((start, end, start_gid))
                if *end + 1 == c && u32::from(*start_gid) + (c - *start) == u32::from(g) =>
            {
                *end = c;
            }
            _ => runs.push((c, c, g)),
        }
    }
    runs
}

/// A format 4 subtable: one segment per run (idDelta, no glyph array), and the final
/// 0xFFFF segment.
fn format4(pairs: &[(u32, u16)]) -> Vec<u8> {
    let mut segments = runs(pairs);
    segments.push((0xFFFF, 0xFFFF, 0));
    let n = segments.len() as u16;
    let length = 16 + 8 * n;
    let mut t = Vec::with_capacity(usize::from(length));
    put16(&mut t, 4);
    put16(&mut t, length);
    put16(&mut t, 0); // language
    put16(&mut t, n * 2);
    let floor = 1u16 << (15 - n.leading_zeros() as u16);
    put16(&mut t, 2 * floor); // searchRange
    put16(&mut t, floor.trailing_zeros() as u16); // entrySelector
    put16(&mut t, 2 * n - 2 * floor); // rangeShift
    for &(_, end, _) in &segments {
        put16(&mut t, end as u16);
    }
    put16(&mut t, 0); // reservedPad
    for &(start, _, _) in &segments {
        put16(&mut t, start as u16);
    }
    for &(start, _, gid) in &segments {
        // 0xFFFF maps to glyph 0: (0xFFFF + 1) mod 65536 = 0.
        let delta = if start == 0xFFFF { 1 } else { gid.wrapping_sub(start as u16) };
        put16(&mut t, delta);
    }
    for _ in &segments {
        put16(&mut t, 0); // idRangeOffset
    }
    t
}

/// A format 12 subtable: one group per run.
fn format12(pairs: &[(u32, u16)]) -> Vec<u8> {
    let groups = runs(pairs);
    let mut t = Vec::with_capacity(16 + 12 * groups.len());
    put16(&mut t, 12);
    put16(&mut t, 0);
    put32(&mut t, 16 + 12 * groups.len() as u32);
    put32(&mut t, 0); // language
    put32(&mut t, groups.len() as u32);
    for &(start, end, gid) in &groups {
        put32(&mut t, start);
        put32(&mut t, end);
        put32(&mut t, u32::from(gid));
    }
    t
}

/// `font` (an sfnt) with table `tag` added: the directory sorted by tag, every table at a
/// 4-byte boundary, checksums and `head.checkSumAdjustment` made again.
fn with_table(font: &[u8], tag: [u8; 4], table: &[u8]) -> Result<Vec<u8>, String> {
    let bad = || "the font subset has a broken table directory".to_string();
    let count = usize::from(read16(font, 4).ok_or_else(bad)?);
    let mut tables: Vec<([u8; 4], &[u8])> = Vec::with_capacity(count + 1);
    for i in 0..count {
        let at = 12 + 16 * i;
        let record = font.get(at..at + 16).ok_or_else(bad)?;
        let t: [u8; 4] = record[..4].try_into().map_err(|_| bad())?;
        let offset = read32(record, 8).ok_or_else(bad)? as usize;
        let length = read32(record, 12).ok_or_else(bad)? as usize;
        let data = font.get(offset..offset + length).ok_or_else(bad)?;
        if t != tag {
            tables.push((t, data));
        }
    }
    tables.push((tag, table));
    tables.sort_by_key(|&(t, _)| t);
    let n = tables.len() as u16;
    let floor = 1u16 << (15 - n.leading_zeros() as u16);
    let mut out = Vec::with_capacity(font.len() + table.len() + 64);
    out.extend_from_slice(&font[..4]); // sfntVersion ('OTTO' or 1.0)
    put16(&mut out, n);
    put16(&mut out, floor * 16);
    put16(&mut out, floor.trailing_zeros() as u16);
    put16(&mut out, n * 16 - floor * 16);
    let mut offset = 12 + 16 * tables.len();
    let mut head_at = None;
    for &(t, data) in &tables {
        out.extend_from_slice(&t);
        let mut sum_data = data.to_vec();
        if &t == b"head" && sum_data.len() >= 12 {
            sum_data[8..12].fill(0);
            head_at = Some(offset);
        }
        put32(&mut out, checksum(&sum_data));
        put32(&mut out, offset as u32);
        put32(&mut out, data.len() as u32);
        offset += data.len().next_multiple_of(4);
    }
    for &(t, data) in &tables {
        out.extend_from_slice(data);
        if &t == b"head" && data.len() >= 12 {
            let at = out.len() - data.len();
            out[at + 8..at + 12].fill(0);
        }
        out.resize(out.len().next_multiple_of(4), 0);
    }
    if let Some(at) = head_at {
        let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
        out[at + 8..at + 12].copy_from_slice(&adjustment.to_be_bytes());
    }
    Ok(out)
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

fn read16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn read32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}
