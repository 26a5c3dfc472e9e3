"""Every GET route, as every role, with absurd query parameters: a 400 or a page, never a 500."""
from __future__ import annotations

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from tests.test_access_matrix import EXPECTED_ROLES, _login, _rules, _url_for_rule
from tracker.access import ROLES
from tracker.extensions import db

ABSURD = [
    "1" + "0" * 30,  # 10**30
    "-1",
    "9999-12-31",
    "0001-01-01",
    "2021-02-30",
    "1e999",
    "abc\x00def",
    "http://[::1",
    "%_",
    "x" * 2000,
]
#: refused for every parameter before any view runs (tracker.inputs), so tried once per page, all together
REFUSED_AT_THE_DOOR = {ABSURD[0], ABSURD[6], ABSURD[9]}
#: what a parameter is set to while probing which ones a page reads (some are read only beside others)
PLAUSIBLE = "1"
COMMON = ("page", "as_of", "year", "plan", "unit", "q", "status", "category", "section", "sort", "kind")


class RecordingArgs(ImmutableMultiDict):
    """Query arguments that note every name a view asks for."""

    asked: set[str] = set()

    def get(self, key, default=None, type=None):
        RecordingArgs.asked.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        RecordingArgs.asked.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        RecordingArgs.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        RecordingArgs.asked.add(key)
        return super().__contains__(key)


@pytest.fixture
def recording(app, monkeypatch):
    request_class = type("RecordingRequest", (app.request_class,), {"parameter_storage_class": RecordingArgs})
    monkeypatch.setattr(app, "request_class", request_class)
    RecordingArgs.asked = set()


def _asked(client, url) -> set[str]:
    RecordingArgs.asked = set()
    client.get(url)
    client.get(url, query_string={name: PLAUSIBLE for name in COMMON})
    return set(RecordingArgs.asked)


@pytest.mark.parametrize("who", ["anonymous", *ROLES])
def test_absurd_query_parameters_never_give_a_500(app, client, auth, world, recording, who):
    db.session.commit()  # a 500's rollback must not take the world with it and hide the next failure
    _login(auth, world, who)
    failures, fuzzed = [], 0
    for rule in (r for r in _rules(app) if "GET" in r.methods):
        allowed = EXPECTED_ROLES[rule.endpoint]
        if not ("public" in allowed or who in allowed):
            continue  # refused before the view reads anything (the route × role test checks how)
        url = _url_for_rule(rule, world)
        names = _asked(client, url) | {"page"}
        # All the parameters the page reads at once, then each alone.
        variants = [{name: value for name in names} for value in ABSURD]
        variants += [{name: value} for name in sorted(names) for value in ABSURD if value not in REFUSED_AT_THE_DOOR]
        for params in variants:
            resp = client.get(url, query_string=params)
            fuzzed += 1
            if resp.status_code >= 500:
                failures.append(f"{who} GET {url} {sorted(params)} = {next(iter(params.values()))[:30]!r}")
    assert failures == [], "\n".join(failures)
    assert fuzzed > 100


def test_the_recorder_sees_the_parameters_a_page_reads(app, client, auth, world, recording):
    _login(auth, world, "supervisor")
    assert {"plan", "as_of"} <= _asked(client, "/dashboard/")
    assert "q" in _asked(client, f"/plans/{world.plan.id}")
