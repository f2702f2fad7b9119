//! No input makes derive panic or hang: random token soups built from the
//! language's own pieces (and random bytes) all end in a report or a
//! diagnostic, never an internal error.

use derive::check::{check_source, Options};
use derive::diag::Source;

const PIECES: &[&str] = &[
    "let ",
    "def ",
    "claim ",
    "calc ",
    "solve ",
    "for ",
    "minimize ",
    "maximize ",
    "over ",
    "subject to ",
    "elementwise ",
    "assume ",
    "part a \"t\" {",
    "}",
    "show ",
    "figure \"f\" {",
    "w",
    "x",
    "θ",
    "θₜ",
    "λ",
    "α",
    "g",
    "I",
    "L",
    "J",
    ": vector",
    ": scalar > 0",
    ": function scalar -> scalar",
    ": function vector -> scalar",
    ", ",
    "(",
    ")",
    "[",
    "]",
    "‖",
    "|",
    "⟨",
    "⟩",
    "∇_w ",
    "∇²_w ",
    "∇",
    "ᵀ",
    "²",
    "³",
    "⁻¹",
    "+",
    "−",
    "-",
    "*",
    "/",
    "^",
    "=",
    "<",
    "≤",
    ">=",
    "⇒",
    ":=",
    "½",
    "0",
    "1",
    "2.5",
    "sign(",
    "sqrt(",
    "exp(",
    "L'(",
    "∞",
    "₁",
    "#c\n",
    "\n",
    " ",
    ";",
    "arrow ",
    "at ",
];

/// A tiny deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn no_internal_error(text: &str) {
    let rep = check_source(
        &Source::new("soup.drv", text),
        &Options {
            samples: 4,
            ..Options::default()
        },
    );
    for d in &rep.diagnostics {
        assert!(!d.contains("internal error"), "input {text:?} gave {d}");
    }
    for s in &rep.steps {
        assert!(
            !s.reason.contains("internal error"),
            "input {text:?}: {}",
            s.reason
        );
    }
}

#[test]
fn token_soups_never_crash() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..400 {
        let n = 1 + (rng.next() % 40) as usize;
        let text: String = (0..n)
            .map(|_| PIECES[(rng.next() % PIECES.len() as u64) as usize])
            .collect();
        no_internal_error(&text);
    }
}

#[test]
fn plausible_files_with_one_mutation_never_crash() {
    let base = "let w, x: vector\nlet λ: scalar > 0\ndef y = wᵀx / ‖w‖\nclaim ∇_w (λ/2 ‖w‖²) = λ w\nclaim ⟨∇_w y, w⟩ = 0\n";
    let mut rng = Rng(42);
    let chars: Vec<char> = base.chars().collect();
    for _ in 0..300 {
        let mut c = chars.clone();
        let at = (rng.next() % c.len() as u64) as usize;
        match rng.next() % 3 {
            0 => {
                c.remove(at);
            }
            1 => {
                let p = PIECES[(rng.next() % PIECES.len() as u64) as usize];
                for (k, ch) in p.chars().enumerate() {
                    c.insert(at + k, ch);
                }
            }
            _ => {
                let other = (rng.next() % c.len() as u64) as usize;
                c.swap(at, other);
            }
        }
        no_internal_error(&c.into_iter().collect::<String>());
    }
}

#[test]
fn random_bytes_never_crash() {
    let mut rng = Rng(7);
    for _ in 0..200 {
        let n = (rng.next() % 200) as usize;
        let bytes: Vec<u8> = (0..n).map(|_| (rng.next() % 256) as u8).collect();
        no_internal_error(&String::from_utf8_lossy(&bytes));
    }
}
