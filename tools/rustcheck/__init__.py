"""Compile-checks the Rust snippets of the site against the PyO3 releases they name."""
