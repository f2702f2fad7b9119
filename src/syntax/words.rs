//! Grammar rules in words users understand.
//!
//! Invariant: every rule of grammar/derive.pest that can appear in an error
//! message has an entry here; no message ever shows a rule name.

use super::parse::Rule;

/// What a rule stands for, in words, or `None` for rules that are folded
/// into a neighbouring word (operators are all "an operator").
pub fn word(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        expr | paren | norm | abs | root | inner | grad_call | grad_fn | call | number | fraction
        | neg | grad_op | fname | grad_sym | hess_sym | grad_word | hess_word => "an expression",
        ident => "a name",
        add | sub | mul | div | pow | implicit | sup_pow | transpose | subst | norm_p => {
            "an operator"
        }
        rel_op | cmp_domain => "a comparison (=, <, ≤, >, ≥, ≠)",
        rel => "an equation or inequality",
        answer | answers => "`⇒` and the claimed answer",
        alternatives | no_solution => "the solutions, separated by `or`, or `no solution`",
        kw_or => "`or`",
        calc_link => "a relation `= …` continuing the chain",
        kw_for => "`for`",
        kw_over => "`over`",
        kw_subject | constraints => "`subject to`",
        kw_to => "`to`",
        kw_in | interval => "`in` and an interval",
        elementwise => "`elementwise`",
        function_kind | scalar_kind | vector_kind | matrix_kind => {
            "a kind (scalar, vector, matrix, function … -> …)"
        }
        domain => "a domain such as `> 0` or `in (0, 1)`",
        signed => "a number",
        params => "parameters in parentheses",
        binding => "a substitution `name := expression`",
        title | title_text => "a title in double quotes",
        stmt | let_stmt | def_stmt | assume_stmt | claim_stmt | calc_stmt | solve_stmt
        | opt_stmt | show_stmt | part_head | kw_let | kw_def | kw_assume | kw_claim | kw_calc
        | kw_solve | kw_show | kw_part | minimize | maximize | figure_stmt | kw_figure => {
            "a statement (let, def, assume, claim, calc, solve, minimize, maximize, show, figure, part)"
        }
        fig_item | fig_arrow | fig_step | fig_point | fig_set | fig_assume | fig_kw_arrow
        | fig_kw_step | fig_kw_point | fig_kw_set => {
            "a figure item (arrow, point, step, set, assume)"
        }
        kw_at => "`at`",
        fig_space | fig_dim => "`in ℝ²` or `in ℝ³`",
        fig_label => "a label in double quotes",
        args => "arguments in parentheses",
        open => "`(` or `[`",
        close => "`)` or `]`",
        primes | constraint => return None,
        _ => return None,
    })
}
