"""Stage 2: the supervisor starts the child interpreter and keeps the time limit; in the child, the
cells run as ``__main__`` with seeds, captured outputs and per-cell times."""
