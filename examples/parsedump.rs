fn main() {
    for f in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&f).unwrap();
        let src = derive::diag::Source::new(f.clone(), text);
        match derive::sema::check_file(&src) {
            Ok(p) => {
                let out = derive::engine::run(|s| {
                    p.steps.iter().map(|st| (st.text.clone(), derive::symbolic::judge(st, s))).collect::<Vec<_>>()
                }).unwrap();
                for (t, v) in out {
                    println!("{t}\n   {v:?}");
                }
            }
            Err(ds) => {
                for d in &ds {
                    eprint!("{}", d.render(&src));
                }
            }
        }
    }
}
