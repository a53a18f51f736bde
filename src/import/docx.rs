//! DOCX (Word, WPS, nianbao's own) → blocks: `word/document.xml` read with quick-xml,
//! paragraphs in order (runs joined, `<w:tab/>`/`<w:br/>` as spaces), tables as rows of
//! the grid (`<w:gridSpan>` widens a cell; `<w:vMerge/>` continuation cells are the
//! covered part of a vertical merge and are left out).

use super::Loc;
use super::scan::{Block, Cell};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::io::Read;

/// Reads the document part of a DOCX package; `Err` says why it cannot be read.
pub(super) fn read_docx(bytes: &[u8]) -> Result<Vec<Block>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut xml = String::new();
    // One byte past the cap tells a part that inflates too far from one that fits exactly.
    zip.by_name("word/document.xml")
        .map_err(|e| format!("word/document.xml: {e}"))?
        .take(super::INFLATE_LIMIT as u64 + 1)
        .read_to_string(&mut xml)
        .map_err(|e| e.to_string())?;
    if xml.len() > super::INFLATE_LIMIT {
        return Err(super::inflate_refused());
    }
    read_document_xml(&xml)
}

fn val(e: &BytesStart) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == b"val")
        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
}

#[derive(Default)]
struct State {
    out: Vec<Block>,
    para: String,
    paras: u32,
    tables: u32,
    depth: usize,
    row: u32,
    col: usize,
    cells: Vec<Cell>,
    cell: String,
    span: usize,
    covered: bool,
    in_text: bool,
}

impl State {
    fn push_text(&mut self, s: &str) {
        if self.depth > 0 {
            self.cell.push_str(s);
        } else {
            self.para.push_str(s);
        }
    }

    fn flush_para(&mut self) {
        let t = self.para.trim().to_string();
        self.para.clear();
        if !t.is_empty() {
            self.paras += 1;
            self.out.push(Block::Para(Cell { text: t, loc: Loc::Para(self.paras) }));
        }
    }

    fn start(&mut self, e: &BytesStart) {
        match e.local_name().as_ref() {
            b"tbl" => {
                self.flush_para();
                self.depth += 1;
                if self.depth == 1 {
                    self.tables += 1;
                    self.row = 0;
                }
            }
            b"tr" if self.depth == 1 => {
                self.row += 1;
                self.col = 0;
                self.cells.clear();
            }
            b"tc" if self.depth == 1 => {
                self.cell.clear();
                self.span = 1;
                self.covered = false;
            }
            b"gridSpan" if self.depth == 1 => {
                self.span = val(e).and_then(|v| v.parse().ok()).unwrap_or(1).clamp(1, 100);
            }
            b"gridBefore" if self.depth == 1 => {
                self.col += val(e).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0).min(100);
            }
            b"vMerge" if self.depth == 1 => {
                self.covered = val(e).is_none_or(|v| v == "continue");
            }
            b"t" => self.in_text = true,
            b"tab" | b"br" | b"cr" => self.push_text(" "),
            _ => {}
        }
    }

    fn end(&mut self, name: &[u8]) {
        match name {
            b"t" => self.in_text = false,
            b"p" if self.depth == 0 => self.flush_para(),
            b"p" => self.cell.push(' '),
            b"tc" if self.depth == 1 => {
                if !self.covered {
                    let text = self.cell.split_whitespace().collect::<Vec<_>>().join(" ");
                    let loc =
                        Loc::Cell { table: self.tables, row: self.row, col: self.col as u32 + 1 };
                    self.cells.push(Cell { text, loc });
                }
                self.col += self.span;
            }
            b"tr" if self.depth == 1 => {
                let cells = std::mem::take(&mut self.cells);
                if !cells.is_empty() {
                    self.out.push(Block::Row(cells));
                }
            }
            b"tbl" => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }
}

/// Reads `word/document.xml`.
fn read_document_xml(xml: &str) -> Result<Vec<Block>, String> {
    let mut reader = Reader::from_str(xml);
    let mut st = State::default();
    loop {
        match reader.read_event().map_err(|e| format!("document.xml: {e}"))? {
            Event::Start(e) => st.start(&e),
            Event::Empty(e) => {
                st.start(&e);
                if e.local_name().as_ref() == b"t" {
                    st.in_text = false;
                }
            }
            Event::End(e) => st.end(e.local_name().as_ref()),
            Event::Text(t) if st.in_text => {
                let s = t.decode().map_err(|e| e.to_string())?;
                st.push_text(&s);
            }
            Event::GeneralRef(r) if st.in_text => {
                let c = match r.resolve_char_ref().ok().flatten() {
                    Some(c) => c.to_string(),
                    None => match r.decode().map_err(|e| e.to_string())?.as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        _ => String::new(),
                    },
                };
                st.push_text(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    st.flush_para();
    Ok(st.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_merges_and_split_runs() {
        let xml = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:r><w:t>一、</w:t></w:r><w:proofErr/><w:r><w:t xml:space="preserve">总体</w:t></w:r><w:r><w:t>情况&amp;</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc>
              <w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>商业</w:t></w:r></w:p><w:p><w:r><w:t>企业</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>1</w:t></w:r><w:r><w:t>0</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#;
        let blocks = read_document_xml(xml).unwrap();
        assert_eq!(
            blocks[0],
            Block::Para(Cell { text: "一、总体情况&".into(), loc: Loc::Para(1) })
        );
        let Block::Row(r1) = &blocks[1] else { panic!() };
        assert_eq!(r1[1].text, "商业 企业");
        let Block::Row(r2) = &blocks[2] else { panic!() };
        assert_eq!(r2.len(), 2, "the vMerge continuation is covered");
        assert_eq!(r2[0], Cell { text: "10".into(), loc: Loc::Cell { table: 1, row: 2, col: 2 } });
        assert_eq!(r2[1].text, "");
    }
}
