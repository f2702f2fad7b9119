//! Unit tests over hand-built checked expressions (independent of the
//! parser and the resolver).

use std::sync::Arc;

use super::assume::{plan, realize};
use super::eval::Ctx;
use super::sample::{draw_scalar_plain as draw_scalar, draw_vector, rng_for};
use super::value::Val;
use super::{judge, Config};
use crate::diag::Span;
use crate::rat::Rat;
use crate::sema::hir::{
    BinOp, Domain, Ex, Fact, FuncDecl, Goal, Kind, Node, NormP, RelOp, Scope, Step, VarDecl,
};
use crate::verdict::Numeric;

use Kind::{Matrix as M, Scalar as S, Vector as V};

fn ex(node: Node, kind: Kind) -> Ex {
    Ex {
        node,
        kind,
        span: Span::default(),
    }
}
fn var(k: &str, kind: Kind) -> Ex {
    ex(Node::Var(k.into()), kind)
}
fn num(n: i128) -> Ex {
    ex(Node::Num(Rat::int(n)), S)
}
fn frac(n: i128, d: i128) -> Ex {
    ex(Node::Num(Rat::new(n, d).unwrap()), S)
}
fn bin(op: BinOp, a: Ex, b: Ex) -> Ex {
    let kind = match op {
        BinOp::Mul => match (a.kind, b.kind) {
            (S, k) | (k, S) => k,
            (Kind::Covector, V) => S,
            (V, Kind::Covector) => M,
            (M, V) => V,
            (Kind::Covector, M) => Kind::Covector,
            _ => M,
        },
        BinOp::Pow => S,
        _ => a.kind,
    };
    ex(Node::Bin(op, Box::new(a), Box::new(b)), kind)
}
fn add(a: Ex, b: Ex) -> Ex {
    bin(BinOp::Add, a, b)
}
fn sub(a: Ex, b: Ex) -> Ex {
    bin(BinOp::Sub, a, b)
}
fn mul(a: Ex, b: Ex) -> Ex {
    bin(BinOp::Mul, a, b)
}
fn div(a: Ex, b: Ex) -> Ex {
    bin(BinOp::Div, a, b)
}
fn pow(a: Ex, b: Ex) -> Ex {
    bin(BinOp::Pow, a, b)
}
fn norm(a: Ex) -> Ex {
    ex(Node::Norm(NormP::Two, Box::new(a)), S)
}
fn inner(a: Ex, b: Ex) -> Ex {
    ex(Node::Inner(Box::new(a), Box::new(b)), S)
}
fn grad(w: &str, wkind: Kind, order: u8, body: Ex) -> Ex {
    let kind = if order == 2 && wkind == V { M } else { wkind };
    ex(
        Node::Grad {
            wrt: w.into(),
            order,
            body: Box::new(body),
        },
        kind,
    )
}
fn fact(l: Ex, op: RelOp, r: Ex) -> Fact {
    Fact {
        lhs: l,
        op,
        rhs: r,
        text: "fact".into(),
        span: Span::default(),
    }
}
fn decl(k: &str, kind: Kind, domain: Domain) -> VarDecl {
    VarDecl {
        key: k.into(),
        text: k.into(),
        kind,
        domain,
    }
}
fn pos() -> Domain {
    Domain::Cmp(RelOp::Gt, Rat::int(0))
}
fn scope(vars: Vec<VarDecl>, funcs: Vec<FuncDecl>, assumptions: Vec<Fact>) -> Arc<Scope> {
    Arc::new(Scope {
        vars,
        funcs,
        assumptions,
    })
}
fn step(id: &str, scope: Arc<Scope>, goal: Goal) -> Step {
    Step {
        id: id.into(),
        part: None,
        span: Span::default(),
        text: id.into(),
        scope,
        goal,
    }
}
fn claim(id: &str, scope: &Arc<Scope>, l: Ex, op: RelOp, r: Ex) -> Numeric {
    judge(
        &step(id, scope.clone(), Goal::Relation(fact(l, op, r))),
        &Config::default(),
    )
}
fn vectors(keys: &[&str]) -> Vec<VarDecl> {
    keys.iter().map(|k| decl(k, V, Domain::Any)).collect()
}

#[test]
fn wrong_gradient_of_the_norm_is_refuted_in_small_dimension() {
    let sc = scope(vectors(&["w"]), vec![], vec![]);
    let out = claim(
        "g",
        &sc,
        grad("w", V, 1, norm(var("w", V))),
        RelOp::Eq,
        var("w", V),
    );
    match out {
        Numeric::Refuted { counterexample, .. } => {
            assert!(counterexample.n <= 2, "{counterexample:?}");
            assert_eq!(counterexample.values[0].name, "w");
        }
        other => panic!("{other:?}"),
    }
    let right = claim(
        "g",
        &sc,
        grad("w", V, 1, norm(var("w", V))),
        RelOp::Eq,
        div(var("w", V), norm(var("w", V))),
    );
    assert!(
        matches!(right, Numeric::Agrees { samples: 100, .. }),
        "{right:?}"
    );
}

#[test]
fn substitution_evaluates_the_gradient_at_the_new_point() {
    let mut vars = vectors(&["w"]);
    vars.push(decl("c", S, pos()));
    let sc = scope(vars, vec![], vec![]);
    let g = grad("w", V, 1, pow(norm(var("w", V)), num(2)));
    let at_cw = ex(
        Node::Subst(
            Box::new(g),
            vec![("w".into(), mul(var("c", S), var("w", V)))],
        ),
        V,
    );
    let two_c_w = mul(mul(num(2), var("c", S)), var("w", V));
    let out = claim("s", &sc, at_cw.clone(), RelOp::Eq, two_c_w);
    assert!(matches!(out, Numeric::Agrees { .. }), "{out:?}");
    // ∇_w of the substituted body picks up the chain rule: 2c²w, not 2cw.
    let body = ex(
        Node::Subst(
            Box::new(pow(norm(var("w", V)), num(2))),
            vec![("w".into(), mul(var("c", S), var("w", V)))],
        ),
        S,
    );
    let chain = grad("w", V, 1, body);
    let c2 = pow(var("c", S), num(2));
    let ok = claim(
        "t",
        &sc,
        chain.clone(),
        RelOp::Eq,
        mul(mul(num(2), c2), var("w", V)),
    );
    assert!(matches!(ok, Numeric::Agrees { .. }), "{ok:?}");
    let wrong = mul(mul(num(2), var("c", S)), var("w", V));
    assert!(matches!(
        claim("t", &sc, chain, RelOp::Eq, wrong),
        Numeric::Refuted { .. }
    ));
}

#[test]
fn nested_gradients_compose() {
    // ∇_w ⟨∇_w ‖w‖², w⟩ = ∇_w 2‖w‖² = 4w.
    let sc = scope(vectors(&["w"]), vec![], vec![]);
    let inner_g = grad("w", V, 1, pow(norm(var("w", V)), num(2)));
    let outer = grad("w", V, 1, inner(inner_g, var("w", V)));
    let out = claim("n", &sc, outer.clone(), RelOp::Eq, mul(num(4), var("w", V)));
    assert!(matches!(out, Numeric::Agrees { .. }), "{out:?}");
    let out = claim("n", &sc, outer, RelOp::Eq, mul(num(2), var("w", V)));
    assert!(matches!(out, Numeric::Refuted { .. }), "{out:?}");
    // ∇²_w ½‖w‖² = I.
    let h = grad("w", V, 2, mul(frac(1, 2), pow(norm(var("w", V)), num(2))));
    let out = claim("h", &sc, h, RelOp::Eq, ex(Node::Identity, M));
    assert!(matches!(out, Numeric::Agrees { .. }), "{out:?}");
}

#[test]
fn nesting_beyond_four_infinitesimals_is_unsupported_not_a_panic() {
    let sc = scope(vectors(&["w"]), vec![], vec![]);
    let mut e = pow(norm(var("w", V)), num(2));
    for _ in 0..3 {
        e = grad("w", V, 2, e);
        e = inner(mul(e, var("w", V)), var("w", V));
    }
    let out = claim("deep", &sc, e, RelOp::Eq, num(0));
    assert!(matches!(out, Numeric::Unsupported { .. }), "{out:?}");
}

#[test]
fn assumptions_are_constructed_and_hold() {
    // ‖w‖ = 1, ⟨g, w⟩ = 0, ‖g‖ = a.
    let mut vars = vectors(&["w", "g"]);
    vars.push(decl("a", S, Domain::Cmp(RelOp::Ge, Rat::int(0))));
    let facts = vec![
        fact(norm(var("w", V)), RelOp::Eq, num(1)),
        fact(norm(var("g", V)), RelOp::Eq, var("a", S)),
        fact(inner(var("g", V), var("w", V)), RelOp::Eq, num(0)),
    ];
    let sc = scope(vars, vec![], facts);
    let p = plan(&sc.assumptions, &sc);
    assert_eq!(p.ctors.len(), 3);
    for n in [1, 2, 3, 5] {
        let mut rng = rng_for(5, n);
        for _ in 0..50 {
            let env = vec![
                (
                    "w".to_string(),
                    Val::constant(V, draw_vector(n, &mut rng)).unwrap(),
                ),
                (
                    "g".to_string(),
                    Val::constant(V, draw_vector(n, &mut rng)).unwrap(),
                ),
                (
                    "a".to_string(),
                    Val::scalar(draw_scalar(&Domain::Any, &mut rng).unwrap()).unwrap(),
                ),
            ];
            let mut ctx = Ctx::new(n, &[], env);
            realize(&mut ctx, &p, &sc).unwrap();
            let w = ctx.lookup("w").unwrap().base().clone();
            let g = ctx.lookup("g").unwrap().base().clone();
            let a = ctx.lookup("a").unwrap().base_scalar();
            assert!((w.norm() - 1.0).abs() < 1e-12);
            assert!(g.dot(&w).abs() < 1e-12);
            assert!((g.norm() - a).abs() < 1e-12);
            if n >= 2 {
                assert!(a > 0.0);
            }
        }
    }
}

#[test]
fn scalar_equations_are_solved_by_newton() {
    // assume x² + y² = 1 ⇒ claim x² = 1 − y², and claim x = 1 is refuted.
    let vars = vec![decl("x", S, Domain::Any), decl("y", S, pos())];
    let sq = |k: &str| pow(var(k, S), num(2));
    let facts = vec![fact(add(sq("x"), sq("y")), RelOp::Eq, num(1))];
    let sc = scope(vars, vec![], facts);
    let out = claim("c", &sc, sq("x"), RelOp::Eq, sub(num(1), sq("y")));
    assert!(matches!(out, Numeric::Agrees { .. }), "{out:?}");
    let out = claim("c", &sc, var("x", S), RelOp::Le, num(1));
    assert!(matches!(out, Numeric::Agrees { .. }), "{out:?}");
    let out = claim("c", &sc, sq("x"), RelOp::Eq, num(1));
    assert!(matches!(out, Numeric::Refuted { .. }), "{out:?}");
}

#[test]
fn unsatisfiable_assumptions_fail_and_name_the_assumption() {
    let mut f = fact(norm(var("w", V)), RelOp::Eq, num(-1));
    f.text = "‖w‖ = −1".into();
    let sc = scope(vectors(&["w"]), vec![], vec![f]);
    match claim("u", &sc, norm(var("w", V)), RelOp::Eq, num(5)) {
        Numeric::Failed { why } => assert!(why.contains("‖w‖ = −1"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn matrices_and_products_dispatch_on_kinds() {
    let mut vars = vectors(&["u", "v"]);
    vars.push(decl("A", M, Domain::Any));
    let sc = scope(vars, vec![], vec![]);
    let t = |e: Ex| {
        let k = if e.kind == V { Kind::Covector } else { e.kind };
        ex(Node::Transpose(Box::new(e)), k)
    };
    // (A u)ᵀ v = uᵀ Aᵀ v, and (u vᵀ) v = ‖v‖² u.
    let l = mul(t(mul(var("A", M), var("u", V))), var("v", V));
    let r = mul(mul(t(var("u", V)), t(var("A", M))), var("v", V));
    assert!(matches!(
        claim("m", &sc, l.clone(), RelOp::Eq, r),
        Numeric::Agrees { .. }
    ));
    let wrong = mul(mul(t(var("u", V)), var("A", M)), var("v", V));
    assert!(matches!(
        claim("m", &sc, l, RelOp::Eq, wrong),
        Numeric::Refuted { .. }
    ));
    let outer = mul(mul(var("u", V), t(var("v", V))), var("v", V));
    let r = mul(pow(norm(var("v", V)), num(2)), var("u", V));
    assert!(matches!(
        claim("o", &sc, outer, RelOp::Eq, r),
        Numeric::Agrees { .. }
    ));
}

#[test]
fn unknown_names_fail_instead_of_panicking() {
    let sc = scope(vec![], vec![], vec![]);
    let out = claim("x", &sc, var("nope", S), RelOp::Eq, num(1));
    assert!(matches!(out, Numeric::Failed { .. }), "{out:?}");
    let call = ex(
        Node::Apply {
            func: "f".into(),
            derivs: 0,
            args: vec![num(1)],
        },
        S,
    );
    let out = claim("y", &sc, call, RelOp::Eq, num(1));
    assert!(matches!(out, Numeric::Failed { .. }), "{out:?}");
}

#[test]
fn a_kind_the_checker_got_wrong_is_unsupported_not_judged() {
    let sc = scope(vectors(&["w"]), vec![], vec![]);
    let lying = ex(Node::Var("w".into()), S);
    let out = claim("k", &sc, lying, RelOp::Eq, num(1));
    assert!(matches!(out, Numeric::Unsupported { .. }), "{out:?}");
}

#[test]
fn zero_has_the_node_kind() {
    let sc = scope(vectors(&["w"]), vec![], vec![]);
    let g = grad("w", V, 1, inner(var("w", V), var("w", V)));
    let z = ex(Node::Zero, V);
    let out = claim(
        "z",
        &sc,
        sub(g.clone(), mul(num(2), var("w", V))),
        RelOp::Eq,
        z.clone(),
    );
    assert!(matches!(out, Numeric::Agrees { .. }), "{out:?}");
    let out = claim("z", &sc, g, RelOp::Eq, z);
    assert!(matches!(out, Numeric::Refuted { .. }), "{out:?}");
}
