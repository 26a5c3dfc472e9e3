"""Timed scenarios; every module here is imported by `bench.registry.load_plugins`."""
