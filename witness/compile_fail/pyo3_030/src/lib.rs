//! Empty: the checks are the examples.
