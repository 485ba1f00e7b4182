"""`make sweep`: remove what earlier, interrupted suite runs left on a target (fixtures/marks.py)."""
