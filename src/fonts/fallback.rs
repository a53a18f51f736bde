//! Fallback for characters the Fandol faces lack (GB2312 is their whole repertoire):
//! a bundled subset of DejaVu Sans for Latin, IPA, modifier letters and common
//! symbols, so the default needs nothing installed, then installed fonts found
//! through fontdb for what is still missing.

use super::{Face, FontBook};
use skrifa::{FontRef, MetadataProvider};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

/// The bundled fallback face: (face name, family, bytes). It follows the Fandol
/// faces in the fallback order. See `fonts/README.md` for how it was cut.
pub(super) const SYMBOLS: (&str, &str, &[u8]) =
    ("DejaVuSans-Symbols", "DejaVu Sans", font_file!("DejaVuSans-Symbols.ttf"));

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
    ///
    /// The installed fonts are read once per process, and each character's answer is
    /// kept: a batch whose every unit has a character no font has scans the fonts once,
    /// not once a unit, and a font is copied and parsed only when its cmap (read in place)
    /// has something missing.
    pub fn add_system_fallback(&mut self, text: &str) -> Vec<char> {
        let missing: BTreeSet<char> = text
            .chars()
            .filter(|&c| !c.is_whitespace() && !c.is_control() && !self.has(c))
            .collect();
        if missing.is_empty() {
            return Vec::new();
        }
        let system = SYSTEM.get_or_init(Installed::load);
        let (found, still) = system.first_faces(&missing);
        // In the fonts' order, as one pass over them would add them.
        for face in found.into_values() {
            if !self.faces.iter().any(|f| matches!(f, Slot::Own(o) if Arc::ptr_eq(o, &face))) {
                self.faces.push(Slot::Own(face));
            }
        }
        still
    }
}

/// The installed fonts, read once per process (nothing is read before a character is
/// missing), with what was learnt of them.
static SYSTEM: OnceLock<Installed> = OnceLock::new();

struct Installed {
    db: fontdb::Database,
    /// Families in name order; within one, the plain face first (regular weight, upright,
    /// normal width: body text is what a missing character usually sits in).
    order: Vec<(String, fontdb::ID)>,
    known: Mutex<Known>,
}

#[derive(Default)]
struct Known {
    /// Each character asked for: the position in `order` of the first usable face that
    /// has it, or `None` when no installed font has it.
    first: HashMap<char, Option<usize>>,
    /// The faces parsed so far, by position; `None` for a font that cannot be used.
    faces: HashMap<usize, Option<Arc<Face>>>,
}

impl Installed {
    fn load() -> Installed {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();
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
        let order = ids.into_iter().map(|(family, _, id)| (family, id)).collect();
        Installed { db, order, known: Mutex::new(Known::default()) }
    }

    /// For `chars`: the faces that are the first to have one of them, by position, and
    /// the characters no installed font has.
    fn first_faces(&self, chars: &BTreeSet<char>) -> (BTreeMap<usize, Arc<Face>>, Vec<char>) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        let mut unknown: BTreeSet<char> =
            chars.iter().copied().filter(|c| !known.first.contains_key(c)).collect();
        for at in 0..self.order.len() {
            if unknown.is_empty() {
                break;
            }
            if matches!(known.faces.get(&at), Some(None)) {
                continue;
            }
            let (family, id) = &self.order[at];
            // The cmap read where fontdb keeps the file, without copying it.
            let has: Vec<char> = self
                .db
                .with_face_data(*id, |data, index| {
                    let font = FontRef::from_index(data, index).ok()?;
                    let map = font.charmap();
                    Some(
                        unknown
                            .iter()
                            .copied()
                            .filter(|&c| map.map(c).is_some_and(|g| g.to_u32() != 0))
                            .collect(),
                    )
                })
                .flatten()
                .unwrap_or_default();
            if has.is_empty() {
                continue;
            }
            let face = known
                .faces
                .entry(at)
                .or_insert_with(|| {
                    self.db
                        .with_face_data(*id, |data, index| {
                            Face::parse(family, family, krilla::Data::from(data.to_vec()), index)
                                .ok()
                        })
                        .flatten()
                        .map(Arc::new)
                })
                .clone();
            let Some(face) = face else { continue };
            for c in has.into_iter().filter(|&c| face.glyph(c).is_some()) {
                unknown.remove(&c);
                known.first.insert(c, Some(at));
            }
        }
        for c in unknown {
            known.first.insert(c, None);
        }
        let mut found = BTreeMap::new();
        let mut still = Vec::new();
        for &c in chars {
            match known.first.get(&c).copied().flatten() {
                Some(at) => {
                    if let Some(Some(face)) = known.faces.get(&at) {
                        found.insert(at, face.clone());
                    }
                }
                None => still.push(c),
            }
        }
        (found, still)
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
        let faces = book.faces.len();
        assert!(book.add_system_fallback("政\u{2bc}").is_empty());
        assert_eq!(book.faces.len(), faces);
        // Another book (the next unit of a batch) gets the same parsed face, not a copy.
        let mut next = FontBook::bundled(default_style()).unwrap();
        assert!(next.add_system_fallback("☃").is_empty());
        let own = |b: &FontBook| match b.faces.last() {
            Some(super::Slot::Own(face)) => face.clone(),
            _ => panic!("an installed face was added"),
        };
        assert!(std::sync::Arc::ptr_eq(&own(&book), &own(&next)));
    }

    /// A character no font has (the last private-use code point) is looked for once per
    /// process: the answer is kept, and asked again it comes back missing.
    #[test]
    fn a_character_no_installed_font_has_is_looked_for_once() {
        let c = '\u{10fffd}';
        let mut book = FontBook::bundled(default_style()).unwrap();
        assert_eq!(book.add_system_fallback("\u{10fffd}"), [c]);
        let known = super::SYSTEM.get().expect("the installed fonts were read");
        assert_eq!(known.known.lock().unwrap().first.get(&c), Some(&None));
        let faces = book.faces.len();
        assert_eq!(book.add_system_fallback("\u{10fffd}"), [c]);
        assert_eq!(book.faces.len(), faces);
    }
}
