"""Service functions: each one call, one unit of work, committed once."""
