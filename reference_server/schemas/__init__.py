"""Pydantic request and response models, separate Create/Update/Public per resource."""
