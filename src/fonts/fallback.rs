//! Fallback for characters the Fandol faces lack (GB2312 is their whole repertoire):
//! a bundled subset of DejaVu Sans for Latin, IPA, modifier letters and common
//! symbols, so the default needs nothing installed, then installed fonts found
//! through fontdb for what is still missing.

use super::{Face, FontBook};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The bundled fallback face: (face name, family, bytes). It follows the Fandol
/// faces in the fallback order. See `fonts/README.md` for how it was cut.
pub(super) const SYMBOLS: (&str, &str, &[u8]) =
    ("DejaVuSans-Symbols", "DejaVu Sans", include_bytes!("../../fonts/DejaVuSans-Symbols.ttf"));

use super::Slot;

impl FontBook {
    /// Whether any face of the book has `c`.
    pub fn has(&self, c: char) -> bool {
        self.faces.iter().any(|f| f.get().glyph(c).is_some())
    }

    /// A copy of the book with installed fonts added for the characters of `text` that no
    /// face has (see [`FontBook::add_system_fallback`]); `None` when none is missing or no
    /// installed font has any of them, so nothing is laid out again for nothing.
    pub fn with_system_fallback(&self, text: &str) -> Option<FontBook> {
        let mut book = self.clone();
        book.add_system_fallback(text);
        (book.faces.len() > self.faces.len()).then_some(book)
    }

    /// For each character of `text` no face of the book has, adds the first
    /// installed font (fontdb, families in name order so the choice is stable) that
    /// has it, at the end of the fallback order. Returns the characters still
    /// missing. Tests never call this: they see the bundled faces only.
    pub fn add_system_fallback(&mut self, text: &str) -> Vec<char> {
        let mut missing: BTreeSet<char> = text
            .chars()
            .filter(|&c| !c.is_whitespace() && !c.is_control() && !self.has(c))
            .collect();
        if missing.is_empty() {
            return Vec::new();
        }
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
        // Families in name order; within one, the plain face first (regular weight, upright,
        // normal width: body text is what a missing character usually sits in).
        let mut ids: Vec<(String, (bool, bool, bool), fontdb::ID)> = db
            .faces()
            .map(|f| {
                let family = f.families.first().map(|(n, _)| n.clone()).unwrap_or_default();
                let plain = (
                    f.weight != fontdb::Weight::NORMAL,
                    f.style != fontdb::Style::Normal,
                    f.stretch != fontdb::Stretch::Normal,
                );
                (family, plain, f.id)
            })
            .collect();
        ids.sort();
        for (family, _, id) in ids {
            if missing.is_empty() {
                break;
            }
            let Some(face) = db
                .with_face_data(id, |data, index| {
                    Face::parse(&family, &family, krilla::Data::from(data.to_vec()), index).ok()
                })
                .flatten()
            else {
                continue;
            };
            let covers: Vec<char> =
                missing.iter().copied().filter(|&c| face.glyph(c).is_some()).collect();
            if !covers.is_empty() {
                for c in covers {
                    missing.remove(&c);
                }
                self.faces.push(Slot::Own(Arc::new(face)));
            }
        }
        missing.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::fonts::FontBook;
    use crate::template::{Role, default_style};

    #[test]
    fn bundled_fallback_draws_modifier_letters() {
        let book = FontBook::bundled(default_style()).unwrap();
        // U+02BC is in no Fandol face; the bundled DejaVu subset has it.
        let g = book.glyph(Role::Body, '\u{2bc}');
        assert!(g.found, "ʼ falls back to the bundled symbols face");
        assert_eq!(book.face(g.face).name, "DejaVuSans-Symbols");
        // Chinese text still comes from the role's face.
        assert_eq!(book.face(book.glyph(Role::Body, '政').face).name, "FandolFang-Regular");
        assert!(book.glyph(Role::Body, '①').found);
        // CJK Extension B is in neither.
        assert!(!book.has('\u{20000}'));
    }

    /// The one test that looks at installed fonts: skipped, with a notice, on a
    /// machine without a font that has ☃ (U+2603, not in the bundled subset).
    #[test]
    fn system_fallback_adds_an_installed_face() {
        let mut book = FontBook::bundled(default_style()).unwrap();
        assert!(!book.has('☃'));
        let still = book.add_system_fallback("政☃\u{2bc}");
        if still == ['☃'] {
            eprintln!("NOTE: no installed font has U+2603; system fallback not exercised");
            return;
        }
        assert!(still.is_empty(), "{still:?}");
        assert!(book.glyph(Role::Body, '☃').found);
        // Characters the book had already do not pull in fonts.
        assert!(book.add_system_fallback("政\u{2bc}").is_empty());
    }
}
