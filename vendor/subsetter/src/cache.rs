//! Work per glyph that depends only on the font, kept across subsets (nianbao
//! patch: a program that embeds the same few thousand CJK glyphs in many PDFs
//! desubroutinises each of them once instead of once per PDF).

use std::sync::OnceLock;

/// A cache for one font (one `data` + `index`): each glyph's desubroutinised
/// CFF charstring, filled on first use. Thread-safe; reading a filled slot
/// takes no lock. Using it never changes a subset's bytes, only how often
/// the same glyph is decompiled.
#[derive(Debug, Default)]
pub struct GlyphCache {
    charstrings: OnceLock<Vec<OnceLock<Box<[u8]>>>>,
}

impl GlyphCache {
    /// A new, empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether every glyph of `glyphs` is in the cache already (false before the
    /// first subset or warm-up of the font): a caller can skip a warm-up then.
    pub fn contains_all(&self, mut glyphs: impl Iterator<Item = u16>) -> bool {
        self.charstrings.get().is_some_and(|slots| {
            glyphs.all(|g| slots.get(usize::from(g)).is_some_and(|s| s.get().is_some()))
        })
    }

    /// One slot per glyph of a font with `num_glyphs` charstrings.
    pub(crate) fn charstrings(&self, num_glyphs: usize) -> &[OnceLock<Box<[u8]>>] {
        self.charstrings
            .get_or_init(|| (0..num_glyphs).map(|_| OnceLock::new()).collect())
    }
}
