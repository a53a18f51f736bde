//! Helpers shared by the integration tests: fixture paths, inline `# expect:`
//! annotations, diagnostics as comparable tuples, and golden files under `tests/ref/`.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use nianbao::Loaded;
use nianbao::diag::Diagnostic;
use std::path::{Path, PathBuf};

/// A path inside the repository.
pub fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// The text of the shipped example, the source of every "broken copy".
pub fn example_text() -> String {
    std::fs::read_to_string(repo("examples/shengsi-2024.yaml")).expect("example readable")
}

/// The example report, resolved with the bundled format and style (the document every backend
/// draws: the PDF's tables, the DOCX, the HTML page).
pub fn example_document() -> nianbao::resolve::Document {
    let loaded = nianbao::load_and_check(&repo("examples/shengsi-2024.yaml"));
    assert!(loaded.is_ok(), "{:?}", loaded.diags);
    let report = loaded.report.as_ref().unwrap();
    let format = nianbao::template::bundled_format(report.format).unwrap();
    let (doc, diags) = nianbao::resolve::resolve_document(
        report,
        loaded.checked.as_ref().unwrap(),
        format,
        nianbao::template::default_style(),
        &loaded.images,
    );
    assert!(diags.is_empty(), "{diags:?}");
    doc
}

/// axe-core's browser build: `NIANBAO_AXE`, else the global npm install.
pub fn axe_path() -> PathBuf {
    if let Some(p) = std::env::var_os("NIANBAO_AXE") {
        return PathBuf::from(p);
    }
    let npm_root = std::process::Command::new("npm")
        .args(["root", "-g"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    Path::new(&npm_root).join("axe-core/axe.min.js")
}

/// A fontconfig file in `dir` naming only the bundled `fonts/` (set it as `FONTCONFIG_FILE`
/// for Chromium), so pages and screenshots look the same on every machine.
pub fn bundled_fontconfig(dir: &Path) -> PathBuf {
    let conf = dir.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\
             <dir>{}</dir><cachedir>{}</cachedir></fontconfig>\n",
            repo("fonts").display(),
            dir.join("fc-cache").display()
        ),
    )
    .unwrap();
    conf
}

/// Checks a report given as text, as if it were the file at `path`.
pub fn check_str(path: &Path, text: &str) -> Loaded {
    nianbao::check_bytes(path, text.as_bytes().to_vec())
}

/// `loaded` without the W-P7 warnings of cells left blank: the fixtures are short reports that
/// leave most rows out, and what each tests is something else.
pub fn without_blanks(mut loaded: Loaded) -> Loaded {
    loaded.diags.retain(|d| d.code.as_str() != "W-P7");
    loaded
}

/// One expected diagnostic: `# expect: E-N1 12:24 ~ substring`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expect {
    /// Stable code (`E-N1`).
    pub code: String,
    /// Line and column, `None` for diagnostics without a location.
    pub loc: Option<(u32, u32)>,
    /// Text that must occur in the message, key path, label or a hint.
    pub needle: Option<String>,
}

/// Reads the `# expect:` lines of a fixture (from anywhere in the file).
pub fn parse_expectations(text: &str) -> Result<Vec<Expect>, String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim_start().strip_prefix("# expect:") else {
            continue;
        };
        let (head, needle) = match rest.split_once(" ~ ") {
            Some((h, n)) => (h, Some(n.trim().to_string())),
            None => (rest, None),
        };
        let mut words = head.split_whitespace();
        let code = words.next().ok_or_else(|| format!("empty expectation: {line}"))?;
        let loc = match words.next() {
            None => None,
            Some(lc) => {
                let (l, c) = lc.split_once(':').ok_or_else(|| format!("bad line:col in {line}"))?;
                Some((
                    l.parse().map_err(|_| format!("bad line in {line}"))?,
                    c.parse().map_err(|_| format!("bad column in {line}"))?,
                ))
            }
        };
        if words.next().is_some() {
            return Err(format!("trailing words (use ` ~ ` before a needle): {line}"));
        }
        out.push(Expect { code: code.to_string(), loc, needle });
    }
    Ok(out)
}

/// A diagnostic as `(code, Some((line, col)))`.
pub fn key(d: &Diagnostic) -> (String, Option<(u32, u32)>) {
    let loc = d.span.is_located().then_some((d.span.line, d.span.col));
    (d.code.as_str().to_string(), loc)
}

/// Everything a user reads about a diagnostic, for substring checks.
pub fn diag_text(d: &Diagnostic) -> String {
    let mut s = format!("{}\n{}\n", d.message_zh, d.message_en);
    s.push_str(d.path.as_deref().unwrap_or(""));
    s.push('\n');
    s.push_str(d.label.as_deref().unwrap_or(""));
    s.push('\n');
    s.push_str(&d.hints.join("\n"));
    s
}

/// `E-R3 62:21, W-P1 4:8` — for assertion messages.
pub fn summary(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| match key(d) {
            (c, Some((l, col))) => format!("{c} {l}:{col}"),
            (c, None) => c,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Compares `actual` with the golden file `tests/ref/<rel>`. With `UPDATE_REFS=1`
/// the file is (re)written; a missing file is written and the test fails, so a
/// new ref is always looked at before it is committed.
pub fn compare_ref(rel: &str, actual: &str) {
    let path = repo("tests/ref").join(rel);
    let update = std::env::var_os("UPDATE_REFS").is_some_and(|v| v == "1");
    match std::fs::read_to_string(&path) {
        Ok(expected) if expected == actual => {}
        Ok(_) if update => write_ref(&path, actual),
        Ok(expected) => panic!(
            "{} differs (run with UPDATE_REFS=1 to accept)\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        ),
        Err(_) => {
            write_ref(&path, actual);
            if !update {
                panic!("{} was missing; wrote it, check it and commit it", path.display());
            }
        }
    }
}

fn write_ref(path: &Path, actual: &str) {
    std::fs::create_dir_all(path.parent().expect("ref has a folder")).expect("create ref folder");
    std::fs::write(path, actual).expect("write ref");
}
