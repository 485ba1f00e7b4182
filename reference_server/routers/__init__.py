"""Thin HTTP layer: parse, call one service function, return its body."""
