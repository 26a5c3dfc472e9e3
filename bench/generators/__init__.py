"""Dataset generators; every module here is imported by `bench.registry.load_plugins`."""
