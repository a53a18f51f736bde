//! Reads the input PDF's trailer, xref style, catalog and page, and appends the incremental
//! update (seal XObjects, signature field/widget, page, catalog, `/Sig` dictionary, xref
//! section), then fills `/ByteRange` and `/Contents`.

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat, Writer};
use sha2::{Digest, Sha256};

use super::SignError;
use super::appearance::SealImage;

/// Characters reserved for the four `/ByteRange` numbers (three 10-digit numbers fit).
const BYTE_RANGE_WIDTH: usize = 40;

/// What to add to the document.
pub(super) struct FieldSpec<'a> {
    pub page_index: usize,
    pub rect: [f32; 4],
    pub seal: Option<&'a SealImage>,
    pub m_date: &'a str,
    pub reason: Option<&'a str>,
    pub location: Option<&'a str>,
    pub signer_name: &'a str,
    pub contents_len: usize,
}

/// The complete new file with the `/ByteRange` and `/Contents` placeholders still blank.
pub(super) struct Prepared {
    pub pdf: Vec<u8>,
    byte_range_at: usize,
    contents_lt: usize,
    contents_gt_end: usize,
}

/// Appends `item` to the array under `key` of `dict`: rewritten in the update when the
/// array is an indirect object, edited in place when it is inline, created when absent.
fn append_reference(
    doc: &Document,
    ap: &mut Appender,
    dict: &mut Dictionary,
    key: &[u8],
    item: ObjectId,
    what: &str,
) -> Result<(), SignError> {
    match dict.get(key) {
        Ok(Object::Reference(arr_id)) => {
            let arr_id = *arr_id;
            let mut arr = doc
                .get_object(arr_id)
                .and_then(Object::as_array)
                .map_err(|e| invalid_pdf(format!("{what}: {e}")))?
                .clone();
            arr.push(Object::Reference(item));
            ap.plain(arr_id, &Object::Array(arr))?;
        }
        Ok(Object::Array(a)) => {
            let mut a = a.clone();
            a.push(Object::Reference(item));
            dict.set(key, a);
        }
        Ok(_) => return Err(invalid_pdf(format!("{what} is not an array"))),
        Err(_) => dict.set(key, vec![Object::Reference(item)]),
    }
    Ok(())
}

/// A copy of the dictionary under `key` of `dict`, with its object id when it is an indirect
/// object; an empty dictionary when the entry is absent (or not a dictionary at all).
pub(super) fn dictionary_entry(
    doc: &Document,
    dict: &Dictionary,
    key: &[u8],
    what: &str,
) -> Result<(Dictionary, Option<ObjectId>), SignError> {
    Ok(match dict.get(key) {
        Ok(Object::Reference(id)) => (
            doc.get_dictionary(*id).map_err(|e| invalid_pdf(format!("{what}: {e}")))?.clone(),
            Some(*id),
        ),
        Ok(Object::Dictionary(d)) => (d.clone(), None),
        _ => (Dictionary::new(), None),
    })
}

/// Puts a [`dictionary_entry`] back: a new revision of the indirect object, or inline in
/// `parent` (which the caller writes).
pub(super) fn store_dictionary(
    ap: &mut Appender,
    parent: &mut Dictionary,
    key: &str,
    value: Dictionary,
    id: Option<ObjectId>,
) -> Result<(), SignError> {
    match id {
        Some(id) => ap.plain(id, &Object::Dictionary(value)),
        None => {
            parent.set(key, value);
            Ok(())
        }
    }
}

pub(super) fn invalid_pdf<E: std::fmt::Display>(e: E) -> SignError {
    SignError::InvalidPdf(e.to_string())
}

pub(super) fn name(n: &str) -> Object {
    Object::Name(n.as_bytes().to_vec())
}

/// An 8-bit image XObject dictionary of the seal's size (the seal itself, or its soft mask).
fn image_dict(seal: &SealImage, color_space: &str, filter: &str) -> Dictionary {
    let mut d = Dictionary::new();
    d.set("Type", name("XObject"));
    d.set("Subtype", name("Image"));
    d.set("Width", i64::from(seal.width));
    d.set("Height", i64::from(seal.height));
    d.set("ColorSpace", name(color_space));
    d.set("BitsPerComponent", 8);
    d.set("Filter", name(filter));
    d
}

/// PDF text string: literal for printable ASCII, else UTF-16BE with BOM (hex).
pub(super) fn text_string(text: &str) -> Object {
    if text.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        return Object::String(text.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn serialize(obj: &Object) -> Result<Vec<u8>, SignError> {
    let mut v = Vec::new();
    Writer::write_object(&mut v, obj).map_err(invalid_pdf)?;
    Ok(v)
}

/// Appends objects and records their offsets for the xref section.
pub(super) struct Appender {
    out: Vec<u8>,
    xref: Vec<(u32, u16, usize)>,
}

impl Appender {
    pub(super) fn plain(&mut self, id: ObjectId, obj: &Object) -> Result<(), SignError> {
        self.xref.push((id.0, id.1, self.out.len()));
        let body = serialize(obj)?;
        self.header(id);
        self.out.extend_from_slice(&body);
        self.out.extend_from_slice(b"\nendobj\n");
        Ok(())
    }

    fn stream(&mut self, id: ObjectId, mut dict: Dictionary, data: &[u8]) -> Result<(), SignError> {
        self.xref.push((id.0, id.1, self.out.len()));
        dict.set("Length", Object::Integer(data.len() as i64));
        let body = serialize(&Object::Dictionary(dict))?;
        self.header(id);
        self.out.extend_from_slice(&body);
        self.out.extend_from_slice(b"\nstream\n");
        self.out.extend_from_slice(data);
        self.out.extend_from_slice(b"\nendstream\nendobj\n");
        Ok(())
    }

    fn header(&mut self, id: ObjectId) {
        self.out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    }
}

fn validate_rect(rect: [f32; 4], visible: bool) -> Result<[f32; 4], SignError> {
    if rect.iter().any(|v| !v.is_finite()) {
        return Err(SignError::InvalidRect(rect));
    }
    let [x0, y0, x1, y1] = rect;
    let norm = [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)];
    if visible && (norm[2] - norm[0] < 1.0 || norm[3] - norm[1] < 1.0) {
        return Err(SignError::InvalidRect(rect));
    }
    Ok(norm)
}

/// Number formatting for content streams: at most 4 decimals, no exponent.
fn num(v: f32) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_owned() } else { s.to_owned() }
}

/// Names (`/T`) of the top-level AcroForm fields, to choose an unused field name.
fn existing_field_names(doc: &Document, acro_form: &Dictionary) -> Vec<Vec<u8>> {
    let Ok(fields) = acro_form.get(b"Fields") else {
        return Vec::new();
    };
    let fields = match fields {
        Object::Reference(id) => doc.get_object(*id).and_then(Object::as_array).ok(),
        other => other.as_array().ok(),
    };
    fields
        .into_iter()
        .flatten()
        .filter_map(|f| match f {
            Object::Reference(id) => doc.get_dictionary(*id).ok(),
            Object::Dictionary(d) => Some(d),
            _ => None,
        })
        .filter_map(|d| d.get(b"T").and_then(Object::as_str).ok())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Builds the new file: the input unchanged, followed by the incremental update.
pub(super) fn prepare(orig: &[u8], spec: &FieldSpec<'_>) -> Result<Prepared, SignError> {
    let doc = Document::load_mem(orig).map_err(invalid_pdf)?;
    if doc.xref_recovery.is_some() {
        return Err(SignError::UnsupportedPdf(
            "the cross-reference data is damaged and had to be rebuilt".to_owned(),
        ));
    }
    if doc.encryption_state.is_some() || doc.trailer.get(b"Encrypt").is_ok() {
        return Err(SignError::UnsupportedPdf("encrypted PDFs are not supported".to_owned()));
    }
    let prev_startxref = doc.xref_start;
    let prev_section = orig
        .get(prev_startxref..)
        .ok_or_else(|| invalid_pdf("startxref points beyond the end of the file"))?;
    let prev_section = prev_section.trim_ascii_start();
    let prev_is_xref_stream = !prev_section.starts_with(b"xref");
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|e| invalid_pdf(format!("trailer /Root: {e}")))?;
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .map_err(|e| invalid_pdf(format!("trailer /Size: {e}")))?;
    let size = u32::try_from(size).map_err(|_| invalid_pdf("trailer /Size out of range"))?;
    let mut next = size.max(doc.max_id.saturating_add(1));
    let mut alloc = || {
        let id = (next, 0u16);
        next += 1;
        id
    };

    let pages = doc.get_pages();
    let page_id = *pages
        .get(&(u32::try_from(spec.page_index).unwrap_or(u32::MAX).saturating_add(1)))
        .ok_or(SignError::PageOutOfRange { index: spec.page_index, count: pages.len() })?;
    let rect = validate_rect(spec.rect, spec.seal.is_some())?;
    let mut catalog =
        doc.get_dictionary(root_id).map_err(|e| invalid_pdf(format!("catalog: {e}")))?.clone();
    if catalog.get(b"Perms").is_ok() {
        return Err(SignError::UnsupportedPdf(
            "the document carries /Perms (a certification signature or usage rights)".to_owned(),
        ));
    }
    let (mut acro_form, acro_form_id) = dictionary_entry(&doc, &catalog, b"AcroForm", "/AcroForm")?;
    let taken = existing_field_names(&doc, &acro_form);
    let field_name = (1..)
        .map(|n| format!("Signature{n}"))
        .find(|n| !taken.iter().any(|t| t == n.as_bytes()))
        .unwrap_or_else(|| "Signature".to_owned());

    let sig_id = alloc();
    let widget_id = alloc();
    let mut ap = Appender {
        out: Vec::with_capacity(orig.len() + spec.contents_len * 2 + 64 * 1024),
        xref: Vec::new(),
    };
    ap.out.extend_from_slice(orig);
    if !ap.out.ends_with(b"\n") && !ap.out.ends_with(b"\r") {
        ap.out.push(b'\n');
    }

    // 1. appearance: image XObject (+ SMask) painted by a form XObject
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);
    let mut form = Dictionary::new();
    form.set("Type", name("XObject"));
    form.set("Subtype", name("Form"));
    form.set("BBox", vec![0.into(), 0.into(), Object::Real(w), Object::Real(h)]);
    let mut form_content = Vec::new();
    if let Some(seal) = spec.seal {
        let img_id = alloc();
        let mut img = image_dict(seal, seal.color_space, seal.filter);
        if seal.invert_cmyk {
            img.set(
                "Decode",
                [1, 0, 1, 0, 1, 0, 1, 0].iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>(),
            );
        }
        if let Some(alpha) = &seal.alpha {
            let smask_id = alloc();
            let sm = image_dict(seal, "DeviceGray", "FlateDecode");
            ap.stream(smask_id, sm, alpha)?;
            img.set("SMask", Object::Reference(smask_id));
        }
        ap.stream(img_id, img, &seal.data)?;
        let mut xobjects = Dictionary::new();
        xobjects.set("Seal", Object::Reference(img_id));
        let mut resources = Dictionary::new();
        resources.set("XObject", xobjects);
        // A seal multiplies with the page (red ink over black text), as the
        // unsigned rendering draws it.
        let mut gs = Dictionary::new();
        gs.set("BM", name("Multiply"));
        let mut ext = Dictionary::new();
        ext.set("Ink", gs);
        resources.set("ExtGState", ext);
        form.set("Resources", resources);
        // fit the image into the rectangle, keeping its aspect ratio, centred
        let scale = (w / seal.width as f32).min(h / seal.height as f32);
        let (iw, ih) = (seal.width as f32 * scale, seal.height as f32 * scale);
        let (dx, dy) = ((w - iw) / 2.0, (h - ih) / 2.0);
        form_content = format!(
            "q /Ink gs {} 0 0 {} {} {} cm /Seal Do Q\n",
            num(iw),
            num(ih),
            num(dx),
            num(dy)
        )
        .into_bytes();
    }
    let form_id = alloc();
    ap.stream(form_id, form, &form_content)?;

    // 2. the signature field merged with its widget annotation
    let mut widget = Dictionary::new();
    widget.set("Type", name("Annot"));
    widget.set("Subtype", name("Widget"));
    widget.set("FT", name("Sig"));
    widget.set("T", text_string(&field_name));
    widget.set("V", Object::Reference(sig_id));
    widget.set("F", 132); // Print | Locked
    widget.set("Rect", rect.iter().map(|v| Object::Real(*v)).collect::<Vec<_>>());
    widget.set("P", Object::Reference(page_id));
    let mut ap_dict = Dictionary::new();
    ap_dict.set("N", Object::Reference(form_id));
    widget.set("AP", ap_dict);

    // 3. the widget in the structure tree, and a new revision of the page with the
    // widget in /Annots
    let mut page =
        doc.get_dictionary(page_id).map_err(|e| invalid_pdf(format!("page: {e}")))?.clone();
    super::structure::tag_widget(
        &doc,
        &mut ap,
        &mut alloc,
        &catalog,
        &mut widget,
        widget_id,
        &mut page,
        page_id,
        spec.signer_name,
    )?;
    ap.plain(widget_id, &Object::Dictionary(widget))?;
    append_reference(&doc, &mut ap, &mut page, b"Annots", widget_id, "page /Annots")?;
    ap.plain(page_id, &Object::Dictionary(page))?;

    // 4. new revision of the catalog (and /AcroForm) with the field and /SigFlags 3
    append_reference(&doc, &mut ap, &mut acro_form, b"Fields", widget_id, "/AcroForm /Fields")?;
    let flags = acro_form.get(b"SigFlags").and_then(Object::as_i64).unwrap_or(0);
    acro_form.set("SigFlags", flags | 3); // SignaturesExist | AppendOnly
    store_dictionary(&mut ap, &mut catalog, "AcroForm", acro_form, acro_form_id)?;
    declare_esic(&doc, &mut ap, &mut catalog)?;
    ap.plain(root_id, &Object::Dictionary(catalog))?;

    // 5. the /Sig dictionary, written by hand so the placeholder offsets are known
    ap.xref.push((sig_id.0, sig_id.1, ap.out.len()));
    ap.header(sig_id);
    ap.out.extend_from_slice(
        format!(
            "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/M({})",
            spec.m_date
        )
        .as_bytes(),
    );
    let mut extra = vec![("Name", spec.signer_name)];
    extra.extend(spec.reason.map(|r| ("Reason", r)));
    extra.extend(spec.location.map(|l| ("Location", l)));
    for (key, value) in extra {
        ap.out.extend(serialize(&name(key))?);
        ap.out.extend(serialize(&text_string(value))?);
    }
    ap.out.extend_from_slice(b"/ByteRange[");
    let byte_range_at = ap.out.len();
    ap.out.extend(std::iter::repeat_n(b' ', BYTE_RANGE_WIDTH));
    ap.out.extend_from_slice(b"]/Contents");
    let contents_lt = ap.out.len();
    ap.out.push(b'<');
    ap.out.extend(std::iter::repeat_n(b'0', spec.contents_len * 2));
    ap.out.push(b'>');
    let contents_gt_end = ap.out.len();
    ap.out.extend_from_slice(b">>\nendobj\n");

    // 6. cross-reference section in the style of the previous one, chained with /Prev
    let mut trailer = doc.trailer.clone();
    for key in [
        &b"Prev"[..],
        b"XRefStm",
        b"Type",
        b"W",
        b"Index",
        b"Filter",
        b"DecodeParms",
        b"Length",
        b"DL",
        b"F",
        b"FFilter",
        b"FDecodeParms",
    ] {
        trailer.remove(key);
    }
    trailer.set("Prev", prev_startxref as i64);
    renew_second_id(&mut trailer, spec, &field_name);
    if prev_is_xref_stream {
        let xs_id = alloc();
        let xref_offset = ap.out.len();
        let mut xref = std::mem::take(&mut ap.xref);
        xref.push((xs_id.0, 0, xref_offset));
        xref.sort_unstable();
        let mut index = Vec::new();
        let mut rows = Vec::with_capacity(xref.len() * 7);
        for run in runs(&xref) {
            index.push(Object::Integer(i64::from(run[0].0)));
            index.push(Object::Integer(run.len() as i64));
            for &(_, generation, off) in run {
                let off = u32::try_from(off)
                    .map_err(|_| SignError::UnsupportedPdf("file larger than 4 GiB".to_owned()))?;
                rows.push(1u8);
                rows.extend_from_slice(&off.to_be_bytes());
                rows.extend_from_slice(&generation.to_be_bytes());
            }
        }
        trailer.set("Type", name("XRef"));
        trailer.set("Size", i64::from(next));
        trailer.set("Index", index);
        trailer.set("W", vec![1.into(), 4.into(), 2.into()]);
        ap.stream(xs_id, trailer, &rows)?;
        ap.out.extend_from_slice(format!("startxref\n{xref_offset}\n%%EOF\n").as_bytes());
    } else {
        let xref_offset = ap.out.len();
        let mut xref = std::mem::take(&mut ap.xref);
        xref.sort_unstable();
        ap.out.extend_from_slice(b"xref\n");
        for run in runs(&xref) {
            ap.out.extend_from_slice(format!("{} {}\n", run[0].0, run.len()).as_bytes());
            for &(_, generation, off) in run {
                if off > 9_999_999_999 {
                    return Err(SignError::UnsupportedPdf("file too large".to_owned()));
                }
                // exactly 20 bytes per entry
                ap.out.extend_from_slice(format!("{off:010} {generation:05} n\r\n").as_bytes());
            }
        }
        trailer.set("Size", i64::from(next));
        ap.out.extend_from_slice(b"trailer\n");
        ap.out.extend(serialize(&Object::Dictionary(trailer))?);
        ap.out.extend_from_slice(format!("\nstartxref\n{xref_offset}\n%%EOF\n").as_bytes());
    }
    Ok(Prepared { pdf: ap.out, byte_range_at, contents_lt, contents_gt_end })
}

/// Declares the ETSI extension that `/SubFilter /ETSI.CAdES.detached` belongs to
/// (`/Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 1 >> >>` in the catalog,
/// ETSI EN 319 142-1), unless the file is PDF 2.0, which has the subfilter itself, or
/// already declares it.
fn declare_esic(
    doc: &Document,
    ap: &mut Appender,
    catalog: &mut Dictionary,
) -> Result<(), SignError> {
    let version = match catalog.get(b"Version").and_then(Object::as_name) {
        Ok(v) => String::from_utf8_lossy(v).into_owned(),
        Err(_) => doc.version.clone(),
    };
    let major = version.split('.').next().and_then(|m| m.trim().parse::<u32>().ok());
    if major.is_some_and(|m| m >= 2) {
        return Ok(());
    }
    let (mut extensions, id) = dictionary_entry(doc, catalog, b"Extensions", "/Extensions")?;
    if extensions.has(b"ESIC") {
        return Ok(());
    }
    let mut esic = Dictionary::new();
    esic.set("BaseVersion", name("1.7"));
    esic.set("ExtensionLevel", 1);
    extensions.set("ESIC", esic);
    store_dictionary(ap, catalog, "Extensions", extensions, id)
}

/// Gives the trailer's `/ID` a new second element, as ISO 32000 asks of an updated file;
/// derived from the old one and this signature, so the output stays deterministic.
fn renew_second_id(trailer: &mut Dictionary, spec: &FieldSpec<'_>, field_name: &str) {
    let Ok(Object::Array(ids)) = trailer.get(b"ID") else {
        return;
    };
    let [first @ Object::String(..), Object::String(second, _)] = ids.as_slice() else {
        return;
    };
    let mut h = Sha256::new();
    h.update(second);
    h.update(spec.m_date.as_bytes());
    h.update(field_name.as_bytes());
    let renewed = h.finalize()[..16].to_vec();
    let ids = vec![first.clone(), Object::String(renewed, StringFormat::Hexadecimal)];
    trailer.set("ID", ids);
}

/// Contiguous runs of object numbers, one per xref subsection. Input must be sorted.
fn runs(sorted: &[(u32, u16, usize)]) -> Vec<&[(u32, u16, usize)]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=sorted.len() {
        if i == sorted.len() || sorted[i].0 != sorted[i - 1].0 + 1 {
            out.push(&sorted[start..i]);
            start = i;
        }
    }
    out
}

/// Fills `/ByteRange`, hashes the covered bytes, lets `sign` build the CMS and embeds it.
pub(super) fn finish(
    prepared: &mut Prepared,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, SignError>,
) -> Result<(), SignError> {
    let (a, b, len) = (prepared.contents_lt, prepared.contents_gt_end, prepared.pdf.len());
    // 1. the byte range lies inside the signed bytes, so it is written first
    let byte_range = format!("0 {a} {b} {}", len - b);
    if byte_range.len() > BYTE_RANGE_WIDTH {
        return Err(SignError::UnsupportedPdf("file too large".to_owned()));
    }
    let padded = format!("{byte_range:<BYTE_RANGE_WIDTH$}");
    prepared.pdf[prepared.byte_range_at..prepared.byte_range_at + BYTE_RANGE_WIDTH]
        .copy_from_slice(padded.as_bytes());
    // 2. digest of everything except the <...> of /Contents
    let mut hasher = Sha256::new();
    hasher.update(&prepared.pdf[..a]);
    hasher.update(&prepared.pdf[b..]);
    let cms = sign(&hasher.finalize())?;
    // 3. hex into the placeholder; the remaining zeros pad after the DER
    let room = (b - a - 2) / 2;
    if cms.len() > room {
        return Err(SignError::SignatureTooLarge { needed: cms.len(), reserved: room });
    }
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for (i, byte) in cms.iter().enumerate() {
        prepared.pdf[a + 1 + 2 * i] = HEX[usize::from(byte >> 4)];
        prepared.pdf[a + 2 + 2 * i] = HEX[usize::from(byte & 15)];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_runs_split_on_gaps() {
        let v = [(4, 0, 1), (6, 0, 2), (11, 0, 3), (12, 0, 4), (13, 0, 5)];
        let r = runs(&v);
        assert_eq!(r.len(), 3);
        assert_eq!(r[2].len(), 3);
    }

    #[test]
    fn numbers_are_plain() {
        assert_eq!(num(120.0), "120");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(-0.00001), "0");
    }

    #[test]
    fn rect_checks() {
        assert!(validate_rect([0.0, 0.0, 0.0, 0.0], false).is_ok());
        assert!(validate_rect([0.0, 0.0, 0.0, 0.0], true).is_err());
        assert!(validate_rect([f32::NAN, 0.0, 10.0, 10.0], true).is_err());
        assert_eq!(
            validate_rect([100.0, 200.0, 10.0, 20.0], true).ok(),
            Some([10.0, 20.0, 100.0, 200.0])
        );
    }
}
