"""Pure numerics: numpy, scipy and the standard library only (no I/O, pandas or matplotlib)."""
