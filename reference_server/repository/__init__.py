"""Queries and locks: the only package that knows SQL dialects."""
