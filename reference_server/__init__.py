"""Reference server of the Parallel Booking API contract (../shared/CONTRACT.md)."""

__version__ = "1.0.0"
