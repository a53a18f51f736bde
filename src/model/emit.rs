//! Report → YAML: the contract's form (`spec/report-yaml.md`), every section headed and
//! every table record commented with its official label, as `nianbao init` writes it.
//! `load_report(emit_yaml(r)) == r` up to locations (spans and the list/map form of
//! records, see [`strip_locations`]); the importer and any form editor write through it.

use super::skeleton::yaml_string;
use super::{Figure, Num, ProseItem, Record, Report, Section, Signature, Subsection, TableData};
use crate::source::Span;
use crate::template::{Format, TableDef};
use std::fmt::Write;
use std::path::{Component, Path, PathBuf};

/// Writes `report` as YAML in the contract's form. The report's figure and seal names are
/// relative to `from_dir` (the folder of the file it was read from); they are written relative
/// to `out_dir` (the folder the YAML file will be written to) when they can be, otherwise as
/// absolute paths.
pub fn emit_yaml(report: &Report, format: &Format, from_dir: &Path, out_dir: &Path) -> String {
    let mut ex = Emitter { s: String::new(), from_dir, out_dir };
    ex.report(report, format);
    ex.s
}

/// A copy of `report` with every location removed: spans detached and records marked
/// as written in map form. Two reports with equal content compare equal after this,
/// whatever file (or imported document) they came from.
pub fn strip_locations(report: &Report) -> Report {
    fn text(t: &mut super::Text) {
        t.span = Span::detached();
    }
    fn prose(items: &mut [ProseItem]) {
        for item in items {
            match item {
                ProseItem::Paragraph(t) => text(t),
                ProseItem::Subsection(s) => {
                    text(&mut s.heading);
                    s.text.iter_mut().for_each(text);
                    prose(&mut s.items);
                }
                ProseItem::Figure(f) => {
                    f.span = Span::detached();
                    resource(&mut f.image);
                    if let Some(c) = &mut f.caption {
                        text(c);
                    }
                    if let Some(a) = &mut f.alt {
                        text(a);
                    }
                }
            }
        }
    }
    fn num(n: &mut Num) {
        n.span = Span::detached();
    }
    // The key path is a location too (a list index can move when prose is re-emitted).
    fn resource(r: &mut super::ResourceRef) {
        r.span = Span::detached();
        r.key.clear();
    }
    let mut r = report.clone();
    text(&mut r.unit);
    r.year.1 = Span::detached();
    if let Some(d) = &mut r.date {
        d.1 = Span::detached();
    }
    if let Some(t) = &mut r.title {
        text(t);
    }
    prose(&mut r.preamble);
    r.dismissed.iter_mut().for_each(|d| d.span = Span::detached());
    for s in &mut r.sections {
        s.span = Span::detached();
        prose(&mut s.prose);
        prose(&mut s.notes);
        if let Some(t) = &mut s.table {
            for rec in &mut t.records {
                rec.span = Span::detached();
                rec.from_list = false;
                rec.values.iter_mut().for_each(num);
                if let Some(n) = &mut rec.given_total {
                    num(n);
                }
            }
        }
    }
    let sig = &mut r.signature;
    if let Some(u) = &mut sig.unit {
        text(u);
    }
    sig.joint.iter_mut().for_each(text);
    if let Some(d) = &mut sig.date {
        d.1 = Span::detached();
    }
    if let Some(seal) = &mut sig.seal {
        resource(seal);
    }
    if let Some(alt) = &mut sig.seal_alt {
        text(alt);
    }
    r
}

struct Emitter<'a> {
    s: String,
    from_dir: &'a Path,
    out_dir: &'a Path,
}

impl Emitter<'_> {
    /// A resource name as seen from the output folder.
    fn name(&self, name: &str) -> String {
        if self.from_dir == self.out_dir {
            return name.to_string();
        }
        path_text(&relative_to(&self.from_dir.join(name), self.out_dir))
    }

    fn line(&mut self, indent: usize, text: &str) {
        let _ = writeln!(self.s, "{:indent$}{text}", "");
    }

    fn report(&mut self, r: &Report, format: &Format) {
        let title = r.title_text(&format.title);
        self.line(0, &format!("# {title}"));
        self.line(0, &format!("format: {}", r.format));
        self.line(0, &format!("unit: {}", yaml_string(&r.unit.text)));
        self.line(0, &format!("year: {}", r.year.0));
        if let Some((d, _)) = r.date {
            self.line(0, &format!("date: {}        # 成文日期 (date of issue)", date(d)));
        }
        if let Some(t) = &r.title {
            self.line(0, &format!("title: {}", yaml_string(&t.text)));
        }
        if !r.preamble.is_empty() {
            self.line(0, "");
            self.prose_key(0, "preamble", &r.preamble);
        }
        for def in &format.sections {
            let Some(section) = r.section(&def.key) else {
                continue;
            };
            self.line(0, "");
            self.line(0, &format!("# {}", def.heading()));
            match (&def.table, &section.table) {
                (Some(tkey), Some(data)) => {
                    let tdef = format.table(tkey).expect("format checked");
                    self.table_section(section, tdef, data);
                }
                _ => self.prose_key(0, &def.key, &section.prose),
            }
        }
        self.signature(&r.signature);
        self.dismissed(&r.dismissed);
    }

    fn dismissed(&mut self, list: &[super::Dismissal]) {
        if list.is_empty() {
            return;
        }
        self.line(0, "");
        self.line(0, "# 已复核的审核提示 (findings a reviewer settled)");
        self.line(0, "dismissed:");
        for d in list {
            self.line(2, &format!("- code: {}", yaml_string(&d.code)));
            if let Some(at) = &d.at {
                self.line(4, &format!("at: {}", yaml_string(at)));
            }
            if let Some(text) = &d.text {
                self.line(4, &format!("text: {}", yaml_string(text)));
            }
            self.line(4, &format!("reason: {}", yaml_string(&d.reason)));
        }
    }

    /// `key:` followed by the prose items, or `key: []` for none.
    fn prose_key(&mut self, indent: usize, key: &str, items: &[ProseItem]) {
        if items.is_empty() {
            self.line(indent, &format!("{key}: []"));
            return;
        }
        self.line(indent, &format!("{key}:"));
        self.prose(indent + 2, items);
    }

    fn prose(&mut self, indent: usize, items: &[ProseItem]) {
        for item in items {
            match item {
                ProseItem::Paragraph(t) => {
                    self.line(indent, &format!("- {}", yaml_string(&t.text)))
                }
                ProseItem::Subsection(sub) => self.subsection(indent, sub),
                ProseItem::Figure(f) => self.figure(indent, f),
            }
        }
    }

    fn subsection(&mut self, indent: usize, sub: &Subsection) {
        self.line(indent, &format!("- heading: {}", yaml_string(&sub.heading.text)));
        let inner = indent + 2;
        if sub.run_in {
            self.line(inner, "run_in: true");
        }
        match sub.text.as_slice() {
            [] => {}
            [one] => self.line(inner, &format!("text: {}", yaml_string(&one.text))),
            many => {
                self.line(inner, "text:");
                for t in many {
                    self.line(inner + 2, &format!("- {}", yaml_string(&t.text)));
                }
            }
        }
        if !sub.items.is_empty() {
            self.line(inner, "items:");
            self.prose(inner + 2, &sub.items);
        }
    }

    fn figure(&mut self, indent: usize, f: &Figure) {
        let path = self.name(&f.image.name);
        self.line(indent, &format!("- image: {}", yaml_string(&path)));
        if let Some(c) = &f.caption {
            self.line(indent + 2, &format!("caption: {}", yaml_string(&c.text)));
        }
        if let Some(w) = f.width_mm {
            self.line(indent + 2, &format!("width_mm: {w}"));
        }
        if let Some(a) = &f.alt {
            self.line(indent + 2, &format!("alt: {}", yaml_string(&a.text)));
        }
    }

    fn table_section(&mut self, section: &Section, def: &TableDef, data: &TableData) {
        self.line(0, &format!("{}:", def.key));
        if !section.prose.is_empty() {
            self.prose_key(2, "intro", &section.prose);
        }
        if def.list_form {
            let names: Vec<&str> = def.fields.iter().map(|(_, l)| l.as_str()).collect();
            let total = def.total_label.as_deref().map(|t| format!("，[{t}]")).unwrap_or_default();
            self.line(2, &format!("# [{}]{total}", names.join(", ")));
        }
        let mut group: Option<&str> = None;
        for (rdef, rec) in def.records.iter().zip(&data.records) {
            if rdef.computed && !written(rec) {
                continue;
            }
            // A cell left blank stays blank: it is left out, never written as 0. A record
            // with some cells blank is written as a mapping of the cells that were written.
            let blanks = rec.values.iter().filter(|n| n.blank).count();
            if blanks == rec.values.len() && rec.given_total.is_none() {
                continue;
            }
            let (indent, key) = match rdef.key.split_once('.') {
                Some((g, k)) => {
                    if group != Some(g) {
                        self.line(2, &format!("{g}:"));
                        group = Some(g);
                    }
                    (4, k)
                }
                None => {
                    group = None;
                    (2, rdef.key.as_str())
                }
            };
            let value = if rdef.scalar.is_some() {
                rec.values.first().map_or_else(|| "0".to_string(), |n| n.value.display())
            } else {
                let mut nums: Vec<String> = rec.values.iter().map(|n| n.value.display()).collect();
                if def.list_form && blanks == 0 {
                    if let Some(t) = rec.given_total {
                        nums.push(t.value.display());
                    }
                    format!("[{}]", nums.join(", "))
                } else {
                    let mut pairs: Vec<String> = rdef
                        .fields
                        .iter()
                        .zip(&nums)
                        .zip(&rec.values)
                        .filter(|(_, n)| !n.blank)
                        .map(|((&f, v), _)| format!("{}: {v}", def.fields[f].0))
                        .collect();
                    if let Some(t) = rec.given_total {
                        pairs.push(format!("total: {}", t.value.display()));
                    }
                    format!("{{{}}}", pairs.join(", "))
                }
            };
            self.line(indent, &format!("{key}: {value}   # {}", rdef.label));
        }
        if !section.notes.is_empty() {
            self.prose_key(2, "notes", &section.notes);
        }
    }

    fn signature(&mut self, sig: &Signature) {
        if sig == &Signature::default() {
            return;
        }
        self.line(0, "");
        self.line(0, "# 落款 (signature)");
        self.line(0, "signature:");
        if let Some(u) = &sig.unit {
            if sig.joint.is_empty() {
                self.line(2, &format!("unit: {}", yaml_string(&u.text)));
            } else {
                self.line(2, "unit:   # 联合署名 (units signing together)");
                for t in std::iter::once(u).chain(&sig.joint) {
                    self.line(4, &format!("- {}", yaml_string(&t.text)));
                }
            }
        }
        if let Some((d, _)) = sig.date {
            self.line(2, &format!("date: {}", date(d)));
        }
        if let Some(seal) = &sig.seal {
            let path = self.name(&seal.name);
            match &sig.seal_alt {
                None => self.line(2, &format!("seal: {}   # 印章图片", yaml_string(&path))),
                Some(alt) => {
                    self.line(2, "seal:   # 印章图片");
                    self.line(4, &format!("image: {}", yaml_string(&path)));
                    self.line(4, &format!("alt: {}", yaml_string(&alt.text)));
                }
            }
        }
    }
}

/// Whether a computed record carries anything from its source (it is then written
/// out so that it is checked again).
fn written(rec: &Record) -> bool {
    rec.span.is_located()
        || rec.given_total.is_some()
        || rec.values.iter().any(|n| n.span.is_located() || n.value.display() != "0")
}

fn date(d: super::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

fn path_text(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// `path` relative to `dir` when both can be made absolute, else `path` itself.
fn relative_to(path: &Path, dir: &Path) -> PathBuf {
    let (Ok(path_abs), Ok(dir_abs)) = (std::path::absolute(path), std::path::absolute(dir)) else {
        return path.to_path_buf();
    };
    fn clean(p: &Path) -> Vec<Component<'_>> {
        let mut out: Vec<Component> = Vec::new();
        for c in p.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                    out.pop();
                }
                c => out.push(c),
            }
        }
        out
    }
    let (p, d) = (clean(&path_abs), clean(&dir_abs));
    if p.first() != d.first() {
        return path.to_path_buf();
    }
    let common = p.iter().zip(&d).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..d.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_made_relative_to_the_output_folder() {
        let p = relative_to(Path::new("/a/b/img/x.png"), Path::new("/a/b"));
        assert_eq!(p, PathBuf::from("img/x.png"));
        let p = relative_to(Path::new("/a/c/x.png"), Path::new("/a/b/d"));
        assert_eq!(p, PathBuf::from("../../c/x.png"));
        let p = relative_to(Path::new("/a/b/./x.png"), Path::new("/a/b/e/.."));
        assert_eq!(p, PathBuf::from("x.png"));
    }
}
