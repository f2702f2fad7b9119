//! Unit tests over hand-built checked expressions.
