//! Object streams (PDF 1.5): the file krilla writes keeps every object on its own, with a
//! classic cross-reference table. A tagged report has some 400 small dictionaries (one per
//! structure element, page, font, bookmark), each with its `N 0 obj … endobj` frame and a
//! 20-byte xref row, uncompressed: about a sixth of the file. This pass moves every object
//! that is not a stream into one deflated object stream and writes a cross-reference
//! stream instead of the table. Streams (content, fonts, images, metadata) are copied byte
//! for byte. It reads only what pdf-writer writes (one xref subsection, objects one after
//! another, generation 0); anything else is returned unchanged, so the pass can never break
//! a file.

/// The file with its non-stream objects in an object stream, or the input when it is not
/// laid out as expected.
pub(super) fn pack(pdf: Vec<u8>) -> Vec<u8> {
    match try_pack(&pdf) {
        Some(packed) if packed.len() < pdf.len() => packed,
        _ => pdf,
    }
}

/// One object of the input: its number and where its body (after `N 0 obj\n`, before
/// `\nendobj`) lies.
struct Obj {
    num: u32,
    body: std::ops::Range<usize>,
    stream: bool,
}

fn try_pack(pdf: &[u8]) -> Option<Vec<u8>> {
    let startxref = find_last(pdf, b"startxref\n")?;
    let xref_at: usize = ascii_number(&pdf[startxref + 10..])?;
    let table = pdf.get(xref_at..)?.strip_prefix(b"xref\n")?;
    let line_end = table.iter().position(|&b| b == b'\n')?;
    let (first, count) = {
        let head = std::str::from_utf8(&table[..line_end]).ok()?;
        let (a, b) = head.split_once(' ')?;
        (a.parse::<u32>().ok()?, b.parse::<usize>().ok()?)
    };
    if first != 0 || count < 2 {
        return None;
    }
    let rows = table.get(line_end + 1..line_end + 1 + 20 * count)?;
    let after_rows = &table[line_end + 1 + 20 * count..];
    // One subsection only: the trailer follows the rows.
    let trailer = after_rows.strip_prefix(b"trailer\n")?;
    let trailer_end = find(trailer, b"\nstartxref")?;
    let trailer = std::str::from_utf8(&trailer[..trailer_end]).ok()?;
    let mut offsets = Vec::with_capacity(count - 1);
    for (i, row) in rows.chunks(20).enumerate().skip(1) {
        if row[17] != b'n' || &row[11..16] != b"00000" {
            return None;
        }
        let off: usize = std::str::from_utf8(&row[..10]).ok()?.parse().ok()?;
        offsets.push((i as u32, off));
    }
    // Objects in file order, each ending where the next begins (or at the table). krilla
    // numbers its objects in file order; sorting by offset keeps this right for a writer
    // that does not.
    offsets.sort_unstable_by_key(|&(_, off)| off);
    let mut objects = Vec::with_capacity(offsets.len());
    let mut numbers = itoa::Buffer::new();
    // Made once: a tagged report has some 900 objects to look through.
    let endobj = memchr::memmem::FinderRev::new(b"\nendobj");
    let stream_head = memchr::memmem::Finder::new(b">>\nstream\n");
    for (k, &(num, off)) in offsets.iter().enumerate() {
        let end = offsets.get(k + 1).map_or(xref_at, |&(_, o)| o);
        if end <= off {
            return None;
        }
        let raw = pdf.get(off..end)?;
        let raw = raw.strip_prefix(numbers.format(num).as_bytes())?.strip_prefix(b" 0 obj\n")?;
        let close = endobj.rfind(raw)?;
        let start = end - raw.len();
        let body = start..start + close;
        let text = &pdf[body.clone()];
        // `endstream` first: it is at the end, and most objects are not streams.
        let stream = text.ends_with(b"endstream") && stream_head.find(text).is_some();
        objects.push(Obj { num, body, stream });
    }
    // The trailer's entries but /Size, for the cross-reference stream's dictionary.
    let inner = trailer.trim().strip_prefix("<<")?.strip_suffix(">>")?;
    let size_at = inner.find("/Size")?;
    let rest = inner[size_at + 5..].trim_start();
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let entries = format!("{}{}", &inner[..size_at], &rest[digits..]);

    // The first line (%PDF-1.x) and the binary marker line, as written.
    let head_end = find(pdf, b"\n")? + 1;
    let marker_end = head_end + find(&pdf[head_end..], b"\n")? + 1;
    let version = std::str::from_utf8(pdf.get(5..8)?).ok()?;
    if version < "1.5" {
        return None;
    }

    // Past 32 KiB of dictionaries (a tagged report's structure elements) they go into two
    // object streams, split where half the bytes are, deflated on two cores outside a
    // batch's workers; the split depends on the bytes alone, so the file does not depend
    // on where it was made.
    let dict_bytes: usize = objects.iter().filter(|o| !o.stream).map(|o| o.body.len() + 1).sum();
    // Two only if some object starts past the half (one huge dictionary would leave the
    // second empty).
    let last_start =
        objects.iter().filter(|o| !o.stream).fold((0, 0), |(at, _), o| (at + o.body.len() + 1, at));
    let parts: u32 = if dict_bytes > 32 * 1024 && last_start.1 >= dict_bytes / 2 { 2 } else { 1 };
    let stm_num = count as u32;
    let xref_num = stm_num + parts;
    let mut out = Vec::with_capacity(pdf.len());
    out.extend_from_slice(&pdf[..marker_end]);
    // (type, field 2, field 3) per object number.
    let mut xref: Vec<(u8, u32, u16)> = vec![(0, 0, 65535); count + 1 + parts as usize];
    // Per object stream: the index of numbers and offsets, the bodies, how many.
    let mut streams: Vec<(Vec<u8>, Vec<u8>, u16)> =
        vec![(Vec::new(), Vec::new(), 0); parts as usize];
    let mut seen = 0;
    for o in &objects {
        let body = &pdf[o.body.clone()];
        if o.stream {
            xref[o.num as usize] = (1, u32::try_from(out.len()).ok()?, 0);
            out.extend_from_slice(numbers.format(o.num).as_bytes());
            out.extend_from_slice(b" 0 obj\n");
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        } else {
            let part = usize::from(parts == 2 && seen >= dict_bytes / 2);
            seen += body.len() + 1;
            let (index, packed, in_stream) = &mut streams[part];
            xref[o.num as usize] = (2, stm_num + part as u32, *in_stream);
            *in_stream = in_stream.checked_add(1)?;
            index.extend_from_slice(numbers.format(o.num).as_bytes());
            index.push(b' ');
            index.extend_from_slice(numbers.format(packed.len()).as_bytes());
            index.push(b' ');
            packed.extend_from_slice(body);
            packed.push(b'\n');
        }
    }
    if streams.iter().any(|(_, _, n)| *n == 0) {
        return None;
    }
    // Each stream's data: its index, then its bodies; with where the bodies start and how
    // many objects it holds.
    let contents: Vec<(usize, Vec<u8>, u16)> = streams
        .into_iter()
        .map(|(mut index, packed, n)| {
            let first = index.len();
            index.extend_from_slice(&packed);
            (first, index, n)
        })
        .collect();
    let deflated: Vec<Option<Vec<u8>>> = match &contents[..] {
        // This thread deflates the first while the pool deflates the second (`rayon::join`
        // from outside the pool would hand both to the pool and wait for both).
        [(_, a, _), (_, b, _)] if rayon::current_thread_index().is_none() => {
            let mut second = None;
            let first = rayon::in_place_scope(|scope| {
                scope.spawn(|_| second = deflate(b));
                deflate(a)
            });
            vec![first, second]
        }
        _ => contents.iter().map(|(_, data, _)| deflate(data)).collect(),
    };
    for (part, ((first_offset, _, in_stream), data)) in contents.iter().zip(deflated).enumerate() {
        let data = data?;
        let num = stm_num + part as u32;
        xref[num as usize] = (1, u32::try_from(out.len()).ok()?, 0);
        out.extend_from_slice(
            format!(
                "{num} 0 obj\n<</Type/ObjStm/N {in_stream}/First {first_offset}/Filter/FlateDecode/Length {}>>\nstream\n",
                data.len()
            )
            .as_bytes(),
        );
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\nendstream\nendobj\n");
    }

    let xref_offset = out.len();
    xref[xref_num as usize] = (1, u32::try_from(xref_offset).ok()?, 0);
    let mut rows = Vec::with_capacity(xref.len() * 7);
    for (kind, a, b) in &xref {
        rows.push(*kind);
        rows.extend_from_slice(&a.to_be_bytes());
        rows.extend_from_slice(&b.to_be_bytes());
    }
    let rows = deflate(&rows)?;
    out.extend_from_slice(
        format!(
            "{xref_num} 0 obj\n<</Type/XRef/Size {}/W[1 4 2]{}/Filter/FlateDecode/Length {}>>\nstream\n",
            xref.len(),
            entries.trim(),
            rows.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&rows);
    out.extend_from_slice(
        format!("\nendstream\nendobj\nstartxref\n{xref_offset}\n%%EOF\n").as_bytes(),
    );
    Some(out)
}

/// Deflate at level 2, as krilla deflates the other streams, with one compressor per
/// thread reset between calls: setting one up (allocating and clearing its tables) cost
/// more than compressing an untagged report's few kilobytes of dictionaries.
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<Compress> =
            std::cell::RefCell::new(Compress::new(Compression::new(1), true));
    }
    COMPRESSOR.with_borrow_mut(|compress| {
        compress.reset();
        let mut out = Vec::with_capacity(data.len() / 3 + 64);
        loop {
            let consumed = usize::try_from(compress.total_in()).ok()?;
            match compress.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish).ok()? {
                Status::StreamEnd => return Some(out),
                _ => out.reserve(out.capacity().max(4096)),
            }
        }
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::rfind(hay, needle)
}

fn ascii_number(bytes: &[u8]) -> Option<usize> {
    let end = bytes.iter().position(|b| !b.is_ascii_digit())?;
    std::str::from_utf8(&bytes[..end]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::pack;

    /// A minimal file as pdf-writer lays it out: a catalog, a page tree, a page with a
    /// content stream.
    fn classic() -> Vec<u8> {
        in_file_order(&[1, 2, 3, 4])
    }

    /// The same file with its objects in the file in the order `order` gives their numbers
    /// (a prepared tag tree's elements are numbered as made, not as written).
    fn in_file_order(order: &[usize]) -> Vec<u8> {
        let objs = [
            "<</Type/Catalog/Pages 2 0 R>>".to_string(),
            "<</Type/Pages/Kids[3 0 R]/Count 1>>".to_string(),
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]/Contents 4 0 R>>".to_string(),
            "<</Length 8>>\nstream\nBT ET q \nendstream".to_string(),
        ];
        let mut out = b"%PDF-1.7\n%\x80\x80\x80\x80\n\n".to_vec();
        let mut offsets = vec![0; objs.len()];
        for &n in order {
            offsets[n - 1] = out.len();
            out.extend_from_slice(format!("{n} 0 obj\n{}\nendobj\n\n", objs[n - 1]).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f\r\n", objs.len() + 1).as_bytes(),
        );
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
        }
        out.extend_from_slice(
            format!("trailer\n<</Size 5/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF").as_bytes(),
        );
        out
    }

    #[test]
    fn packs_dictionaries_and_keeps_streams() {
        let input = classic();
        // Too small to gain: returned as it is.
        assert_eq!(pack(input.clone()), input);
        let packed = super::try_pack(&input).expect("the layout is understood");
        let text = String::from_utf8_lossy(&packed);
        assert!(text.contains("/Type/ObjStm/N 3"), "{text}");
        assert!(text.contains("/Type/XRef/Size 7/W[1 4 2]/Root 1 0 R"), "{text}");
        assert!(text.contains("4 0 obj\n<</Length 8>>\nstream\nBT ET q \nendstream\nendobj"));
        let doc = lopdf::Document::load_mem(&packed).expect("lopdf reads the packed file");
        assert_eq!(doc.get_pages().len(), 1);
        let page = doc.get_dictionary((3, 0)).unwrap();
        assert!(page.has(b"MediaBox"));
    }

    #[test]
    fn objects_out_of_number_order_are_packed_too() {
        let packed = super::try_pack(&in_file_order(&[3, 1, 4, 2])).expect("understood");
        let text = String::from_utf8_lossy(&packed);
        assert!(text.contains("/Type/ObjStm/N 3"), "{text}");
        let doc = lopdf::Document::load_mem(&packed).expect("lopdf reads the packed file");
        assert_eq!(doc.get_pages().len(), 1);
        let page = doc.get_dictionary((3, 0)).unwrap();
        assert!(page.has(b"MediaBox"));
        let contents = doc.get_object((4, 0)).unwrap().as_stream().unwrap();
        assert_eq!(contents.content, b"BT ET q ");
    }

    #[test]
    fn anything_else_is_left_alone() {
        let mut two_sections = classic();
        let at = two_sections.windows(7).position(|w| w == b"xref\n0 ").unwrap();
        two_sections.splice(at..at + 8, b"xref\n0 2".iter().copied());
        assert!(super::try_pack(&two_sections).is_none());
        assert!(super::try_pack(b"%PDF-1.4\n").is_none());
        assert_eq!(pack(b"not a pdf".to_vec()), b"not a pdf");
    }
}
