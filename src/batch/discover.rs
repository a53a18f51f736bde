//! Which files a batch takes, what their outputs are called, and which shard
//! each belongs to.
//!
//! The rule: a file named on the command line is always taken; a folder is
//! walked recursively (in sorted order) for files ending in `.yaml` or `.yml`,
//! skipping hidden files and folders (names starting with `.`) and the output
//! folder itself.

use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// One input of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// Its path relative to the folder it was found in (or its file name).
    pub rel: PathBuf,
}

fn is_report_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

fn hidden(p: &Path) -> bool {
    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'))
}

/// What a batch found: the inputs, and the places it could not look into or chose to skip,
/// each with the reason (they are listed in the summary, never dropped without a word).
#[derive(Debug, Default)]
pub struct Discovery {
    /// The report files, in a stable order.
    pub inputs: Vec<Input>,
    /// Folders that could not be read (failed entries of the summary).
    pub unreadable: Vec<(PathBuf, String)>,
    /// Links that were not followed (loops), with the reason.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Finds the inputs under the given files and folders. Symbolic links to files and folders
/// are followed; a link that leads back into a folder already walked is skipped as a loop.
/// An argument that does not exist is an error (a typo on the command line); a folder inside
/// that cannot be read is reported in [`Discovery::unreadable`] and the walk goes on.
pub fn discover(args: &[PathBuf], exclude: Option<&Path>) -> Result<Discovery, String> {
    let exclude = exclude.and_then(|e| e.canonicalize().ok());
    let mut out = Discovery::default();
    let mut seen = HashSet::new();
    for arg in args {
        let meta = std::fs::metadata(arg).map_err(|e| format!("{}: {e}", arg.display()))?;
        if !meta.is_dir() {
            let rel = PathBuf::from(arg.file_name().unwrap_or(arg.as_os_str()));
            if seen.insert(arg.canonicalize().unwrap_or_else(|_| arg.clone())) {
                out.inputs.push(Input { path: arg.clone(), rel });
            }
            continue;
        }
        let mut walked: HashSet<PathBuf> = HashSet::new();
        walked.extend(arg.canonicalize().ok());
        let mut stack = vec![arg.clone()];
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) => {
                    out.unreadable.push((dir.clone(), e.to_string()));
                    continue;
                }
            };
            for entry in entries {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        out.unreadable.push((dir.clone(), e.to_string()));
                        continue;
                    }
                };
                let path = entry.path();
                if hidden(&path) {
                    continue;
                }
                let is_link = entry.file_type().is_ok_and(|t| t.is_symlink());
                // Follows links: what the entry is, seen through them.
                let meta = match std::fs::metadata(&path) {
                    Ok(m) => m,
                    Err(e) => {
                        // A folder that cannot even be looked at (a path over PATH_MAX, an
                        // I/O error) is a folder that could not be read, not silence.
                        if !is_link && entry.file_type().is_ok_and(|t| t.is_dir()) {
                            out.unreadable.push((path, e.to_string()));
                        } else if is_link || is_report_file(&path) {
                            out.skipped.push((path, format!("broken link or unreadable: {e}")));
                        }
                        continue;
                    }
                };
                if meta.is_dir() {
                    let real = path.canonicalize().ok();
                    if exclude.is_some() && real == exclude {
                        continue;
                    }
                    if let Some(real) = real
                        && !walked.insert(real)
                    {
                        out.skipped.push((path, "link loop (folder already searched)".into()));
                        continue;
                    }
                    stack.push(path);
                } else if is_report_file(&path) {
                    found.push(path);
                }
            }
        }
        found.sort();
        for path in found {
            let rel =
                path.strip_prefix(arg).map(Path::to_path_buf).unwrap_or_else(|_| path.clone());
            if seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone())) {
                out.inputs.push(Input { path, rel });
            }
        }
    }
    out.unreadable.sort();
    out.skipped.sort();
    Ok(out)
}

/// `stem` with `.ext` appended: every dot of the stem is kept (`report.v1` → `report.v1.pdf`,
/// where `Path::with_extension` would give `report.pdf`).
pub fn with_ext(stem: &Path, ext: &str) -> PathBuf {
    let mut name = stem.as_os_str().to_owned();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

fn sanitize(rel: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in rel.components() {
        if let Component::Normal(s) = c {
            match s.to_str() {
                Some(name) => {
                    let clean: String = name
                        .chars()
                        .map(|c| if c.is_control() || "<>:\"|?*\\".contains(c) { '_' } else { c })
                        .collect();
                    out.push(clean);
                }
                // A name that is not UTF-8 keeps its bytes (no U+FFFD in the output name).
                None => out.push(s),
            }
        }
    }
    if out.as_os_str().is_empty() {
        out.push("report");
    }
    out.with_extension("")
}

/// Output stems (relative to OUTDIR, no extension) for the inputs, in order.
/// Two inputs never share a stem: later ones get `-2`, `-3` (compared without
/// regard to case, for case-insensitive file systems).
pub fn output_stems(inputs: &[Input]) -> Vec<PathBuf> {
    let mut used = HashSet::new();
    inputs
        .iter()
        .map(|input| {
            let base = sanitize(&input.rel);
            let mut stem = base.clone();
            let mut n = 2;
            while !used.insert(stem.to_string_lossy().to_lowercase()) {
                let name = format!(
                    "{}-{n}",
                    base.file_name().map(|s| s.to_string_lossy()).unwrap_or_default()
                );
                stem = base.with_file_name(name);
                n += 1;
            }
            stem
        })
        .collect()
}

/// The 1-based shard of an input among `count` shards: a hash of its relative
/// path, so the split does not depend on which other files exist.
pub fn shard_of(input: &Input, count: u32) -> u32 {
    let key = input.rel.to_string_lossy().replace('\\', "/");
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % u64::from(count.max(1))) as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(rel: &str) -> Input {
        Input { path: PathBuf::from(rel), rel: PathBuf::from(rel) }
    }

    #[test]
    fn stems_never_collide() {
        let stems = output_stems(&[
            input("a/x.yaml"),
            input("b/x.yaml"),
            input("x.yaml"),
            input("X.yml"),
            input("x.yml"),
        ]);
        let names: Vec<String> = stems.iter().map(|s| s.display().to_string()).collect();
        assert_eq!(names, ["a/x", "b/x", "x", "X-2", "x-3"]);
        // Dots in the stem are kept, so versions never collide (#13).
        let stems = output_stems(&[input("report.v1.yaml"), input("report.v2.yaml")]);
        let pdfs: Vec<PathBuf> = stems.iter().map(|s| with_ext(s, "pdf")).collect();
        assert_eq!(pdfs, [PathBuf::from("report.v1.pdf"), PathBuf::from("report.v2.pdf")]);
    }

    #[test]
    fn shards_split_every_input_once() {
        let inputs: Vec<Input> = (0..200).map(|i| input(&format!("u{i}.yaml"))).collect();
        let mut counts = [0; 3];
        for i in &inputs {
            let s = shard_of(i, 3);
            assert!((1..=3).contains(&s));
            counts[s as usize - 1] += 1;
        }
        assert_eq!(counts.iter().sum::<i32>(), 200);
        assert!(counts.iter().all(|&c| c > 40), "{counts:?}");
    }
}
