//! Canonical keys of names: `θₜ` and `theta_t` are one name.
//!
//! Invariant: [`key`] is a pure function of the spelling, ASCII only, and
//! two spellings get the same key exactly when grammar/README.md says they
//! denote the same name.

const GREEK: &[(char, &str)] = &[
    ('α', "alpha"),
    ('β', "beta"),
    ('γ', "gamma"),
    ('δ', "delta"),
    ('ε', "epsilon"),
    ('ϵ', "epsilon"),
    ('ζ', "zeta"),
    ('η', "eta"),
    ('θ', "theta"),
    ('ϑ', "theta"),
    ('ι', "iota"),
    ('κ', "kappa"),
    ('λ', "lambda"),
    ('μ', "mu"),
    ('ν', "nu"),
    ('ξ', "xi"),
    ('ο', "omicron"),
    ('π', "pi"),
    ('ρ', "rho"),
    ('σ', "sigma"),
    ('ς', "sigma"),
    ('τ', "tau"),
    ('υ', "upsilon"),
    ('φ', "phi"),
    ('ϕ', "phi"),
    ('χ', "chi"),
    ('ψ', "psi"),
    ('ω', "omega"),
    ('Γ', "Gamma"),
    ('Δ', "Delta"),
    ('Θ', "Theta"),
    ('Λ', "Lambda"),
    ('Ξ', "Xi"),
    ('Π', "Pi"),
    ('Σ', "Sigma"),
    ('Φ', "Phi"),
    ('Ψ', "Psi"),
    ('Ω', "Omega"),
    ('ℓ', "ell"),
];

const SUBSCRIPT: &[(char, char)] = &[
    ('₀', '0'),
    ('₁', '1'),
    ('₂', '2'),
    ('₃', '3'),
    ('₄', '4'),
    ('₅', '5'),
    ('₆', '6'),
    ('₇', '7'),
    ('₈', '8'),
    ('₉', '9'),
    ('ₐ', 'a'),
    ('ₑ', 'e'),
    ('ₒ', 'o'),
    ('ₓ', 'x'),
    ('ₕ', 'h'),
    ('ₖ', 'k'),
    ('ₗ', 'l'),
    ('ₘ', 'm'),
    ('ₙ', 'n'),
    ('ₚ', 'p'),
    ('ₛ', 's'),
    ('ₜ', 't'),
    ('ᵢ', 'i'),
    ('ⱼ', 'j'),
    ('ᵣ', 'r'),
    ('ᵤ', 'u'),
    ('ᵥ', 'v'),
];

/// The canonical ASCII key of a name as written.
pub fn key(text: &str) -> String {
    let mut out = String::new();
    let mut sub = String::new();
    for c in text.chars() {
        if let Some((_, word)) = GREEK.iter().find(|(g, _)| *g == c) {
            out.push_str(word);
        } else if let Some((_, a)) = SUBSCRIPT.iter().find(|(s, _)| *s == c) {
            sub.push(*a);
        } else {
            out.push(c);
        }
    }
    if !sub.is_empty() {
        out.push('_');
        out.push_str(&sub);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn unicode_and_ascii_spellings_meet() {
        assert_eq!(key("θₜ"), key("theta_t"));
        assert_eq!(key("θ_t"), "theta_t");
        assert_eq!(key("λ"), "lambda");
        assert_eq!(key("w₁"), "w_1");
        assert_eq!(key("w"), "w");
        assert_ne!(key("w₁"), key("w"));
    }
}
