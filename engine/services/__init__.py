"""Service functions: each one call, one unit of work, committed once."""
from . import incidents  # noqa: F401 - registers the journal listener that records failed cases as incidents
