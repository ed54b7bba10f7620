"""Turning dashboard files into dashboards: YAML specs, loading, checking, scaffolding."""
