//! Property: the loader never panics, whatever the bytes, and every diagnostic it
//! gives points inside the file. Inputs are deterministic mutations of the example
//! (byte deletions and insertions, YAML-significant tokens, line swaps and
//! duplications, number edits), so a failure names a reproducible seed.

mod common;

use common::{example_text, summary};
use std::path::Path;

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b":",
    b": ",
    b"-",
    b"- ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"\"",
    b"'",
    b"|",
    b">",
    b"#",
    b"&a ",
    b"*a",
    b"!!str ",
    b"? ",
    b"---\n",
    b"...\n",
    b"\t",
    b"\n",
    b"  ",
    b"\r\n",
    b"-1",
    b"1.5",
    b"99999999999",
    b"~",
    b"null",
    b"true",
    b"0x1F",
    b"1e9",
    b"<<: ",
    b"%YAML 1.2\n",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xe4\xb8",
    b"\0",
    "中".as_bytes(),
    "，".as_bytes(),
    "【待填写】".as_bytes(),
    "2024年1月1日".as_bytes(),
    b"total: ",
    b"received: ",
    b"withheld:\n",
    b"image: x.png",
];

fn mutate(base: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(7) {
            0 => {
                let at = rng.below(bytes.len());
                let len = 1 + rng.below(16);
                bytes.drain(at..(at + len).min(bytes.len()));
            }
            1 => {
                let at = rng.below(bytes.len() + 1);
                bytes.insert(at, rng.next() as u8);
            }
            2 | 3 => {
                let at = rng.below(bytes.len() + 1);
                let token = TOKENS[rng.below(TOKENS.len())];
                bytes.splice(at..at, token.iter().copied());
            }
            4 | 5 => {
                let mut lines: Vec<Vec<u8>> =
                    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
                let (i, j) = (rng.below(lines.len()), rng.below(lines.len()));
                if rng.below(2) == 0 {
                    lines.swap(i, j);
                } else {
                    let copy = lines[i].clone();
                    lines.insert(j, copy);
                }
                bytes = lines.join(&b'\n');
            }
            _ => {
                let digits: Vec<usize> = bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| b.is_ascii_digit())
                    .map(|(i, _)| i)
                    .collect();
                if !digits.is_empty() {
                    let at = digits[rng.below(digits.len())];
                    bytes[at] = b'0' + rng.below(10) as u8;
                }
            }
        }
    }
    bytes
}

/// Every located diagnostic points at an existing line and at most one column past
/// its end.
fn spans_inside(loaded: &nianbao::Loaded) -> Result<(), String> {
    for d in &loaded.diags {
        if !d.span.is_located() {
            continue;
        }
        let Some(line) = loaded.file.line_text(d.span.line) else {
            return Err(format!(
                "{} points at line {} of {}",
                d.code.as_str(),
                d.span.line,
                loaded.file.line_count()
            ));
        };
        let width = line.chars().count() as u32;
        if d.span.col == 0 || d.span.col > width + 1 {
            return Err(format!(
                "{} points at {}:{} but the line has {width} characters",
                d.code.as_str(),
                d.span.line,
                d.span.col
            ));
        }
    }
    Ok(())
}

#[test]
fn loader_never_panics_on_mutations_of_the_example() {
    let base = example_text().into_bytes();
    let iterations: u64 =
        std::env::var("NIANBAO_FUZZ_ITERATIONS").ok().and_then(|s| s.parse().ok()).unwrap_or(3000);
    let mut failures = Vec::new();
    let (mut errors, mut clean) = (0, 0);
    for seed in 1..=iterations {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let input = mutate(&base, &mut rng);
        let result = std::panic::catch_unwind(|| {
            nianbao::check_bytes(Path::new("fuzz.yaml"), input.clone())
        });
        match result {
            Err(_) => {
                failures.push(format!("seed {seed}: panic on\n{}", String::from_utf8_lossy(&input)))
            }
            Ok(loaded) => {
                if let Err(why) = spans_inside(&loaded) {
                    failures
                        .push(format!("seed {seed}: {why}\n{}", String::from_utf8_lossy(&input)));
                }
                if loaded.is_ok() {
                    clean += 1;
                    assert!(loaded.report.is_some() && loaded.checked.is_some());
                } else {
                    errors += 1;
                    assert!(
                        loaded.diags.iter().any(|d| d.is_error()),
                        "seed {seed}: not ok but no error: [{}]",
                        summary(&loaded.diags)
                    );
                }
            }
        }
        if failures.len() >= 5 {
            break;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n----------\n\n"));
    // The mutations must actually exercise both paths.
    assert!(errors > iterations / 10 && clean > 0, "errors {errors}, clean {clean}");
}
