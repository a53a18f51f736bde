//! Fonts: the bundled Fandol faces (embedded in the binary), fonts the user names
//! on the command line (found through fontdb), glyph metrics read once with skrifa,
//! and the fallback chain for characters a role's font lacks.

/// A bundled font file as the binary embeds it: whole, or (feature `compressed-fonts`, which
/// `release.sh` turns on for the downloads) deflated by build.rs, a quarter smaller, and
/// inflated when its face is first used (see [`bundled_face`]).
#[cfg(not(feature = "compressed-fonts"))]
macro_rules! font_file {
    ($name:literal) => {
        include_bytes!(concat!("../../fonts/", $name))
    };
}
#[cfg(feature = "compressed-fonts")]
macro_rules! font_file {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/fonts/", $name, ".deflate"))
    };
}

mod fallback;

use crate::template::{Role, Style};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// The bundled faces: (face name, family, bytes). The last is the small Latin/symbol
/// fallback face, after the Fandol faces in every role's fallback order. A `static`, not a
/// `const`: a `const` is copied into every place that uses it, and the fonts (31 MB) were in
/// the binary twice.
static BUNDLED: [(&str, &str, &[u8]); 6] = [
    ("FandolSong-Regular", "FandolSong", font_file!("FandolSong-Regular.otf")),
    ("FandolSong-Bold", "FandolSong", font_file!("FandolSong-Bold.otf")),
    ("FandolHei-Regular", "FandolHei", font_file!("FandolHei-Regular.otf")),
    ("FandolFang-Regular", "FandolFang", font_file!("FandolFang-Regular.otf")),
    ("FandolKai-Regular", "FandolKai", font_file!("FandolKai-Regular.otf")),
    fallback::SYMBOLS,
];

/// Identifies the bundled font set (for `batch --changed` hashes).
pub const BUNDLED_FONTS_ID: &str = "fandol-0.3+dejavu-symbols-2.37";

/// One font face, parsed once: its bytes (for any backend that embeds or subsets it), a glyph
/// table (glyph id and advance in em) for our own line breaking, and the PDF backend's krilla
/// handle made from the same bytes.
pub struct Face {
    /// Face name (`FandolFang-Regular`).
    pub name: String,
    /// Family name (`FandolFang`).
    pub family: String,
    /// The font file's bytes.
    pub data: krilla::Data,
    /// Index of the face in a collection (0 for a single font).
    pub index: u32,
    /// The handle krilla embeds and subsets (made once per process, not per document).
    pub krilla: krilla::text::Font,
    /// The OFD writer's subsets of this face keep each glyph's decompiled outline here,
    /// once per process (krilla keeps its own for the PDF's).
    pub(crate) subset_cache: subsetter::GlyphCache,
    upem: f32,
    glyphs: GlyphTable,
}

/// Glyph id and advance of each character a face was asked for, looked up in its cmap the
/// first time and kept for the process. A table of the whole cmap, built at start-up, was a
/// third of a cold `render` (~30 000 mappings per face, most never used); a report asks for
/// about a thousand characters. Shared between threads without a lock: an entry is written
/// once with the value any thread would find.
struct GlyphTable {
    /// Blocks of 256 characters of the BMP, made when a character of the block is asked for.
    blocks: Vec<OnceLock<Box<[AtomicU64]>>>,
}

/// An entry: looked up (bit 49), found (bit 48), glyph id (bits 32–47), advance (f32 bits).
const LOOKED_UP: u64 = 1 << 49;
const FOUND: u64 = 1 << 48;

impl GlyphTable {
    fn new() -> GlyphTable {
        GlyphTable { blocks: (0..256).map(|_| OnceLock::new()).collect() }
    }

    /// The entry of `c` (in the BMP), from the table or from `lookup`.
    fn get(&self, c: char, lookup: impl FnOnce() -> Option<(u16, f32)>) -> Option<(u16, f32)> {
        let Ok(code) = u16::try_from(u32::from(c)) else { return lookup() };
        let block = self.blocks[usize::from(code >> 8)]
            .get_or_init(|| (0..256).map(|_| AtomicU64::new(0)).collect());
        let slot = &block[usize::from(code & 0xff)];
        let entry = slot.load(Ordering::Relaxed);
        if entry & LOOKED_UP != 0 {
            return (entry & FOUND != 0)
                .then(|| ((entry >> 32) as u16, f32::from_bits(entry as u32)));
        }
        let found = lookup();
        let entry = match found {
            Some((gid, advance)) => {
                LOOKED_UP | FOUND | (u64::from(gid) << 32) | u64::from(advance.to_bits())
            }
            None => LOOKED_UP,
        };
        slot.store(entry, Ordering::Relaxed);
        found
    }
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Face {
    /// Parses a face from font bytes (`index` selects a face of a .ttc).
    pub fn parse(name: &str, family: &str, data: krilla::Data, index: u32) -> Result<Face, String> {
        let bytes: &[u8] = data.as_ref();
        let font = FontRef::from_index(bytes, index)
            .map_err(|e| format!("cannot read font {name}: {e}"))?;
        // A cut-off file still parses: its table directory points past the end.
        for record in font.table_directory.table_records() {
            let end = u64::from(record.offset()) + u64::from(record.length());
            if end > bytes.len() as u64 {
                return Err(format!(
                    "font {name} is truncated: table {} ends at byte {end}, the file has {}",
                    record.tag(),
                    bytes.len()
                ));
            }
        }
        let metrics = font.metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(metrics.units_per_em.max(1));
        let krilla = krilla::text::Font::new(data.clone(), index)
            .ok_or_else(|| format!("krilla cannot use font {name}"))?;
        Ok(Face {
            name: name.to_string(),
            family: family.to_string(),
            data,
            index,
            krilla,
            subset_cache: subsetter::GlyphCache::new(),
            upem,
            glyphs: GlyphTable::new(),
        })
    }

    /// Whether the face can set Chinese text (its cmap maps common hanzi).
    pub fn has_cjk(&self) -> bool {
        "的一是年报".chars().all(|c| self.glyph(c).is_some())
    }

    /// Glyph id and advance (em) of a character, if the face has it.
    pub fn glyph(&self, c: char) -> Option<(u16, f32)> {
        self.glyphs.get(c, || self.lookup(c))
    }

    /// `c` in the face's cmap (a character mapped to glyph 0, .notdef, is not there).
    fn lookup(&self, c: char) -> Option<(u16, f32)> {
        // The bytes parsed when the face was made: they parse again.
        let font = FontRef::from_index(self.data.as_ref(), self.index).ok()?;
        let gid = font.charmap().map(c).filter(|g| g.to_u32() != 0)?;
        let gid16 = u16::try_from(gid.to_u32()).ok()?;
        let advances = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        Some((gid16, advances.advance_width(gid).unwrap_or(self.upem) / self.upem))
    }
}

/// Index of a face in a [`FontBook`].
pub type FaceId = usize;

/// The fonts of one rendering setup: faces, the face of each role, and the
/// fallback order. Built once per process (or per set of `--font` overrides) and
/// shared across threads.
#[derive(Debug, Clone)]
pub struct FontBook {
    faces: Vec<Slot>,
    roles: BTreeMap<Role, FaceId>,
}

/// A face of a book: a bundled one, parsed the first time anything asks for it (a
/// process that sets only 仿宋 and 黑体 never parses the other three), or one the user
/// named, parsed when the book was made (to report a bad file at once).
#[derive(Debug, Clone)]
enum Slot {
    Bundled(usize),
    Own(Arc<Face>),
    /// An installed font added for characters no other face has (`fallback.rs`), with the
    /// look its family name tells.
    Installed(Arc<Face>, Look),
}

/// How a face's strokes look, for choosing an installed face that matches the role whose
/// text it fills in: 仿宋, 宋 and 楷 text wants a serif face, 黑体 a sans one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Look {
    /// 宋/仿宋/楷/明 (serif, brush) faces.
    Serif,
    /// 黑体/gothic (sans-serif) faces.
    Sans,
    /// A name that tells neither.
    Unknown,
}

impl Look {
    /// The look a family name tells (`Noto Serif CJK SC` → serif, `FandolHei` → sans).
    pub fn of_family(family: &str) -> Look {
        let name = family.to_lowercase();
        let any = |words: &[&str]| words.iter().any(|w| name.contains(w));
        if any(&["sans", "hei", "gothic", "黑", "yahei", "dengxian", "等线"]) {
            Look::Sans
        } else if any(&["serif", "song", "sung", "ming", "mincho", "fang", "kai", "宋", "明", "楷"])
        {
            Look::Serif
        } else {
            Look::Unknown
        }
    }
}

impl Slot {
    fn get(&self) -> &Face {
        match self {
            Slot::Bundled(i) => bundled_face(*i),
            Slot::Own(face) | Slot::Installed(face, _) => face,
        }
    }

    /// Name and family, without parsing a bundled face.
    fn names(&self) -> (&str, &str) {
        match self {
            Slot::Bundled(i) => (BUNDLED[*i].0, BUNDLED[*i].1),
            Slot::Own(face) | Slot::Installed(face, _) => (&face.name, &face.family),
        }
    }
}

/// A glyph chosen for a character.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlyphChoice {
    /// The face that has it.
    pub face: FaceId,
    /// Glyph id in that face (0 = .notdef when no font has it).
    pub gid: u16,
    /// Advance in em.
    pub advance: f32,
    /// False when no face has the character.
    pub found: bool,
}

/// Bundled face `i`, parsed on first use, once per process (every book shares it).
fn bundled_face(i: usize) -> &'static Face {
    static FACES: [OnceLock<Face>; BUNDLED.len()] = [const { OnceLock::new() }; BUNDLED.len()];
    FACES[i].get_or_init(|| {
        let (name, family, bytes) = BUNDLED[i];
        Face::parse(name, family, bundled_data(bytes), 0).expect("bundled fonts parse")
    })
}

/// A bundled font's bytes as embedded.
#[cfg(not(feature = "compressed-fonts"))]
fn bundled_data(bytes: &'static [u8]) -> krilla::Data {
    krilla::Data::from(bytes)
}

/// A bundled font's bytes, inflated (about 15 ms for a 6 MB face, once per process).
#[cfg(feature = "compressed-fonts")]
fn bundled_data(bytes: &'static [u8]) -> krilla::Data {
    use std::io::Read;
    let mut out = Vec::with_capacity(bytes.len() * 4 / 3);
    flate2::read::DeflateDecoder::new(bytes).read_to_end(&mut out).expect("bundled fonts inflate");
    krilla::Data::from(out)
}

/// A font override as written on the command line: `ROLE=FILE` or `ROLE=FAMILY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FontSpec {
    /// The role to change.
    pub role: Role,
    /// A font file path or a family name.
    pub source: String,
}

impl std::str::FromStr for FontSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (role, source) =
            s.split_once('=').ok_or_else(|| format!("expected ROLE=FILE|FAMILY, got `{s}`"))?;
        let role = Role::from_name(role.trim()).ok_or_else(|| {
            let names: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
            format!("unknown role `{role}` (roles: {})", names.join(", "))
        })?;
        Ok(FontSpec { role, source: source.trim().to_string() })
    }
}

/// A font that replaces a role's face: its bytes, already read.
#[derive(Clone)]
pub struct FontOverride {
    /// The role to change.
    pub role: Role,
    /// Shown in messages (the file name or family).
    pub name: String,
    /// The font file's bytes.
    pub data: krilla::Data,
    /// Face index in a collection.
    pub index: u32,
}

impl std::fmt::Debug for FontOverride {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontOverride")
            .field("role", &self.role)
            .field("name", &self.name)
            .field("bytes", &self.data.as_ref().len())
            .finish()
    }
}

impl FontOverride {
    /// Loads what a [`FontSpec`] names: a file (at most [`crate::io::limits::FONT`] bytes) or
    /// an installed family found through fontdb.
    pub fn load(spec: &FontSpec) -> Result<FontOverride, String> {
        let (name, bytes, index) = load_source(&spec.source)?;
        Ok(FontOverride { role: spec.role, name, data: krilla::Data::from(bytes), index })
    }
}

impl FontBook {
    /// The book for a style using only the bundled fonts.
    pub fn bundled(style: &Style) -> Result<FontBook, String> {
        FontBook::new(style, &[])
    }

    /// The book for a style with `--font` overrides (files or fontdb families).
    pub fn new(style: &Style, overrides: &[FontOverride]) -> Result<FontBook, String> {
        let mut faces: Vec<Slot> = (0..BUNDLED.len()).map(Slot::Bundled).collect();
        let mut roles = BTreeMap::new();
        for role in Role::ALL {
            let wanted = style.role(role).font.as_str();
            let id = faces
                .iter()
                .position(|f| f.names().0 == wanted || f.names().1 == wanted)
                .ok_or_else(|| {
                    format!(
                        "style names font `{wanted}` for role {}, which is not bundled",
                        role.name()
                    )
                })?;
            roles.insert(role, id);
        }
        for o in overrides {
            let face = Face::parse(&o.name, &o.name, o.data.clone(), o.index)
                .map_err(|e| format!("{} 字体 (font for {}): {e}", o.role.name(), o.role.name()))?;
            if !face.has_cjk() {
                return Err(format!(
                    "{} 字体 {} 没有常用汉字，无法排印中文 (the font for {} has no Chinese characters)",
                    o.role.name(),
                    o.name,
                    o.role.name()
                ));
            }
            // A user face goes first in the fallback order of its role only.
            faces.push(Slot::Own(Arc::new(face)));
            roles.insert(o.role, faces.len() - 1);
        }
        Ok(FontBook { faces, roles })
    }

    /// The face whose krilla handle is `font` (to name it in an error).
    pub fn face_of_krilla(&self, font: &krilla::text::Font) -> Option<&Face> {
        self.faces.iter().map(Slot::get).find(|f| f.krilla == *font)
    }

    /// A face by id.
    pub fn face(&self, id: FaceId) -> &Face {
        self.faces[id].get()
    }

    /// The face of a role.
    pub fn role_face(&self, role: Role) -> FaceId {
        self.roles[&role]
    }

    /// The glyph for `c` in `role`: the role's face first, then every other bundled or
    /// user face of the book in order, then the installed faces, those that look like the
    /// role's face first (a rare character in 仿宋 text from a serif face, not a sans one).
    /// Not found: .notdef of the role's face, half an em.
    pub fn glyph(&self, role: Role, c: char) -> GlyphChoice {
        let first = self.role_face(role);
        if let Some((gid, advance)) = self.face(first).glyph(c) {
            return GlyphChoice { face: first, gid, advance, found: true };
        }
        let found = |id: FaceId| {
            let (gid, advance) = self.faces[id].get().glyph(c)?;
            Some(GlyphChoice { face: id, gid, advance, found: true })
        };
        let installed = |id: &FaceId| matches!(self.faces[*id], Slot::Installed(..));
        let ids = || (0..self.faces.len()).filter(|&id| id != first);
        if let Some(g) = ids().filter(|id| !installed(id)).find_map(found) {
            return g;
        }
        let want = self.role_look(role);
        let look = |id: &FaceId| match &self.faces[*id] {
            Slot::Installed(_, look) => *look == want,
            _ => false,
        };
        ids()
            .filter(look)
            .chain(ids().filter(|id| installed(id) && !look(id)))
            .find_map(found)
            .unwrap_or(GlyphChoice { face: first, gid: 0, advance: 0.5, found: false })
    }

    /// The look of a role's face (serif unless its family says sans: the bundled 黑体 face).
    pub fn role_look(&self, role: Role) -> Look {
        match Look::of_family(self.faces[self.role_face(role)].names().1) {
            Look::Sans => Look::Sans,
            Look::Serif | Look::Unknown => Look::Serif,
        }
    }

    /// The installed font that drew a face's glyphs, when `id` is one (named in W-G2).
    pub fn installed_name(&self, id: FaceId) -> Option<&str> {
        match &self.faces[id] {
            Slot::Installed(face, _) => Some(&face.family),
            _ => None,
        }
    }
}

/// The bytes of a font file or an installed family: (name, bytes, face index).
fn load_source(source: &str) -> Result<(String, Vec<u8>, u32), String> {
    let path = Path::new(source);
    if path.exists() {
        let bytes = crate::io::read_capped(path, crate::io::limits::FONT)
            .map_err(|e| format!("cannot read font file {source}: {}", e.message().1))?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        return Ok((name, bytes, 0));
    }
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    let query = fontdb::Query { families: &[fontdb::Family::Name(source)], ..Default::default() };
    let id = db
        .query(&query)
        .ok_or_else(|| format!("no installed font family `{source}` (and no such file)"))?;
    let (src, index) = db.face_source(id).ok_or_else(|| format!("font `{source}` vanished"))?;
    let bytes = match src {
        fontdb::Source::File(p) => crate::io::read_capped(&p, crate::io::limits::FONT)
            .map_err(|e| format!("cannot read {}: {}", p.display(), e.message().1))?,
        fontdb::Source::Binary(b) | fontdb::Source::SharedFile(_, b) => {
            b.as_ref().as_ref().to_vec()
        }
    };
    Ok((source.to_string(), bytes, index))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::default_style;

    #[test]
    fn bundled_fonts_cover_report_text_and_fall_back() {
        let book = FontBook::bundled(default_style()).unwrap();
        let body = book.role_face(Role::Body);
        assert_eq!(book.face(body).name, "FandolFang-Regular");
        let g = book.glyph(Role::Body, '政');
        assert!(g.found && g.face == body && (g.advance - 1.0).abs() < 0.01);
        // U+02BC (modifier letter apostrophe) is in no Fandol face, but in the bundled
        // fallback (fallback.rs).
        assert!(book.glyph(Role::Body, '\u{2bc}').found);
        assert!("—“”《》（）、。，".chars().all(|c| book.glyph(Role::Body, c).found));
    }

    #[test]
    fn overrides_parse() {
        let o: FontSpec = "body=/tmp/x.ttf".parse().unwrap();
        assert_eq!(o.role, Role::Body);
        assert!("nosuch=x".parse::<FontSpec>().is_err());
    }
}
