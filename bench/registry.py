"""Registries of dataset generators and timed scenarios, filled by decorators.

A new module under `bench/generators/` or `bench/scenarios/` is found by the package scan in
`load_plugins`; a module living elsewhere is added to `EXTRA_MODULES`.
"""
from __future__ import annotations

import pkgutil
from dataclasses import dataclass
from importlib import import_module
from typing import Any, Callable

#: Packages whose every module is imported so its decorators run.
PLUGIN_PACKAGES: tuple[str, ...] = ("bench.generators", "bench.scenarios")
#: Further modules to import, for registrations kept outside those packages.
EXTRA_MODULES: tuple[str, ...] = ()


@dataclass(frozen=True)
class Generator:
    name: str
    #: generators run in ascending order; core tables use 10-40, later issues 50 and up
    order: int
    func: Callable[[Any, Any], None]
    #: tables that must exist in the schema, else the generator is skipped
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    name: str
    func: Callable[[Any], int | None]
    module: str


_GENERATORS: dict[str, Generator] = {}
_SCENARIOS: dict[str, Scenario] = {}


def generator(order: int, *, requires: tuple[str, ...] = (), name: str | None = None) -> Callable:
    """Register `func(conn, ds)` to add rows to the dataset; it runs inside one transaction."""

    def decorate(func: Callable) -> Callable:
        key = name or f"{func.__module__.rsplit('.', 1)[-1]}.{func.__name__}"
        existing = _GENERATORS.get(key)
        if existing is not None and existing.func is not func:
            raise ValueError(f"generator {key!r} is registered twice")
        _GENERATORS[key] = Generator(key, order, func, tuple(requires))
        return func

    return decorate


def scenario(name: str) -> Callable:
    """Register `func(ctx)` as a timed scenario; it returns the number of rows it saw."""

    def decorate(func: Callable) -> Callable:
        existing = _SCENARIOS.get(name)
        if existing is not None and existing.func is not func:
            raise ValueError(f"scenario {name!r} is registered twice")
        _SCENARIOS[name] = Scenario(name, func, func.__module__)
        return func

    return decorate


def load_plugins() -> None:
    """Import every module of the plugin packages and EXTRA_MODULES (idempotent)."""
    for package_name in PLUGIN_PACKAGES:
        package = import_module(package_name)
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if not info.name.startswith("_"):
                import_module(f"{package_name}.{info.name}")
    for module in EXTRA_MODULES:
        import_module(module)


def generators() -> list[Generator]:
    """Return the registered generators in the order they run."""
    return sorted(_GENERATORS.values(), key=lambda g: (g.order, g.name))


def scenarios(only: str | None = None) -> list[Scenario]:
    """Return the registered scenarios in registration order, optionally those whose name contains `only`."""
    found = list(_SCENARIOS.values())
    if only:
        needle = only.casefold()
        found = [s for s in found if needle in s.name.casefold()]
    return found
