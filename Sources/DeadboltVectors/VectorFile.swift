// The vector runner: filled in by the foundation work.
