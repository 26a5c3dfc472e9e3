from tests.supervise.conftest import fresh_app, world_app  # noqa: F401  (the same databases of their own)
