//! The front end: grammar, syntax tree, parser. Knows nothing of kinds,
//! judges or the engine.

pub mod ast;
pub mod names;
pub mod parse;
mod words;

pub use parse::{parse_alternatives, parse_file, parse_rel};
