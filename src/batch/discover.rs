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

/// Finds the inputs under the given files and folders.
pub fn discover(args: &[PathBuf], exclude: Option<&Path>) -> Result<Vec<Input>, String> {
    let exclude = exclude.and_then(|e| e.canonicalize().ok());
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for arg in args {
        let meta = std::fs::metadata(arg).map_err(|e| format!("{}: {e}", arg.display()))?;
        if meta.is_file() {
            let rel = PathBuf::from(arg.file_name().unwrap_or(arg.as_os_str()));
            if seen.insert(arg.canonicalize().unwrap_or_else(|_| arg.clone())) {
                out.push(Input { path: arg.clone(), rel });
            }
            continue;
        }
        let mut stack = vec![arg.clone()];
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for entry in entries {
                let entry = entry.map_err(|e| format!("{}: {e}", dir.display()))?;
                let path = entry.path();
                if hidden(&path) {
                    continue;
                }
                let ty = entry.file_type().map_err(|e| format!("{}: {e}", path.display()))?;
                if ty.is_dir() {
                    if exclude
                        .as_ref()
                        .is_some_and(|ex| path.canonicalize().ok().as_ref() == Some(ex))
                    {
                        continue;
                    }
                    stack.push(path);
                } else if ty.is_file() && is_report_file(&path) {
                    found.push(path);
                }
            }
        }
        found.sort();
        for path in found {
            let rel =
                path.strip_prefix(arg).map(Path::to_path_buf).unwrap_or_else(|_| path.clone());
            if seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone())) {
                out.push(Input { path, rel });
            }
        }
    }
    Ok(out)
}

fn sanitize(rel: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in rel.components() {
        if let Component::Normal(s) = c {
            let clean: String = s
                .to_string_lossy()
                .chars()
                .map(|c| if c.is_control() || "<>:\"|?*\\".contains(c) { '_' } else { c })
                .collect();
            out.push(clean);
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
