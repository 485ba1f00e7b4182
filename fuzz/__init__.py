"""Fuzzing any target with Schemathesis against schemas/openapi.json (issue 12): `make fuzz`."""
