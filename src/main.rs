//! The `derive` binary: everything lives in the library; see `derive::cli`.

fn main() {
    std::process::exit(derive::cli::main_on_big_stack());
}
