//! Part 6, class 4: no number or environment variable from outside reaches a panic.
