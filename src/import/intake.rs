//! Intake: a published report (text, HTML, DOCX, PDF) read into the report YAML the engine
//! checks, with the map from key paths to places in the published file, so any front end
//! (`nianbao audit`, `import --check`, a server) can check and audit a published report and
//! name each finding's place in it.

use super::{FormatChoice, Imported, SourceKind, import_bytes};
use crate::diag::Diagnostic;
use crate::io::{ReadError, limits, read_capped};
use crate::model::emit_yaml;
use crate::source::Span;
use crate::template::Format;
use std::path::{Path, PathBuf};

/// Whether `path` names a published report the importer reads (by its extension).
pub fn is_published(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().as_str(),
            "html" | "htm" | "shtml" | "txt" | "docx" | "pdf" | "xlsx" | "xlsm" | "xls" | "ods"
        )
    })
}

/// The published reports in a folder (not its subfolders), sorted by name.
pub fn published_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_published(p))
        .collect();
    files.sort();
    Ok(files)
}

/// A published report taken in: the import (with its places) and the YAML it gives.
#[derive(Debug, Clone)]
pub struct Published {
    /// The published file's name (`units/page.txt`).
    pub name: PathBuf,
    /// What the importer found, with the places of every key path.
    pub imported: Imported,
    /// The report as YAML, its image paths relative to `dir` of [`Published::from_bytes`].
    pub yaml: String,
}

impl Published {
    /// Imports `bytes` of the published file `name` (its kind sniffed from the name and the
    /// bytes) in `format`; image paths are written relative to `dir`.
    pub fn from_bytes(
        name: impl Into<PathBuf>,
        bytes: &[u8],
        choice: FormatChoice,
        format: &Format,
        dir: &Path,
    ) -> Published {
        let name = name.into();
        let kind = SourceKind::sniff(&name.to_string_lossy(), bytes);
        let imported = import_bytes(bytes, kind, choice, format);
        let yaml = emit_yaml(&imported.report, format, dir, dir);
        Published { name, imported, yaml }
    }

    /// Reads and imports the published file `path` (at most [`limits::PUBLISHED`] bytes),
    /// image paths relative to its folder.
    pub fn read(
        path: &Path,
        choice: FormatChoice,
        format: &Format,
    ) -> Result<Published, ReadError> {
        let bytes = read_capped(path, limits::PUBLISHED)?;
        Ok(Published::from_bytes(path, &bytes, choice, format, crate::io::folder_of(path)))
    }

    /// The name the YAML is checked under (the published file's, as `.yaml`).
    pub fn yaml_name(&self) -> PathBuf {
        self.name.with_extension("yaml")
    }

    /// Adds to each diagnostic of the YAML where it is in the published file (`（page.txt：第 3
    /// 行）`) and drops its span: the YAML exists only in memory, its lines mean nothing to
    /// the reader of the published file.
    pub fn name_places(&self, diags: &mut [Diagnostic]) {
        let name = self
            .name
            .file_name()
            .map_or_else(|| self.name.display().to_string(), |n| n.to_string_lossy().into_owned());
        for d in diags {
            if let Some(loc) = self.imported.locate_in(d, &self.yaml) {
                d.message_zh.push_str(&format!("（{name}：{}）", loc.zh()));
                d.message_en.push_str(&format!(" ({name}: {})", loc.en()));
            }
            d.span = Span::detached();
        }
    }
}
