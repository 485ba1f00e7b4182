"""Use cases: each owns its transaction and raises domain errors, never HTTPException."""
