"""Absurd input gets a 400 or a Chinese form error, and changes nothing (issue 14, findings 11–13)."""
from __future__ import annotations

import re
from importlib import import_module
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.forms import Form
from tracker.reports.models import ExtensionRequest, ProgressReport
from tracker.timeutil import parse_iso_date

#: English words a Chinese message may still contain (formats and names of standards)
ALLOWED_WORDS = {"YYYY", "MM", "DD", "URL", "YAML", "http", "https", "CSRF", "PDF", "UTF"}


@pytest.mark.parametrize("url, who, detail", [
    ("/plans/?page=" + "1" + "0" * 30, "supervisor", "超出范围"),
    ("/supervise/calendar?year=-1", "admin", "年度应为2000至2100之间的整数"),
    ("/plans/?q=a%00b", "supervisor", "控制字符"),
    ("/plans/?q=" + "x" * 1001, "supervisor", "过长"),
])
def test_absurd_query_values_are_a_chinese_400(client, auth, world, url, who, detail):
    auth.login(getattr(world, who))
    resp = client.get(url)
    assert resp.status_code == 400
    assert detail in resp.get_data(as_text=True)


def test_a_date_far_outside_the_plan_years_is_ignored_not_a_500(client, auth, world):
    auth.login(world.reporter)
    assert client.get("/my/tasks?as_of=9999-12-31").status_code == 200


@pytest.mark.parametrize("raw, message", [
    ("9999-12-31", "超出范围"), ("0001-01-01", "超出范围"), ("1999-12-31", "超出范围"),
    ("2021-02-30", "格式不正确"), ("２０２１-01-01", "格式不正确"), ("2021-1-1", "格式不正确"),
])
def test_dates_keep_to_a_plausible_range(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_iso_date(raw)


def test_the_range_includes_its_ends():
    assert parse_iso_date("2000-01-01").year == 2000 and parse_iso_date("2100-12-31").year == 2100


def test_nul_in_a_form_value_is_refused_and_nothing_is_created(client, auth, world):
    auth.login(world.admin)
    resp = client.post("/admin/users/new", data={"username": "nulname", "display_name": "a\x00b", "role": "admin",
                                                  "unit_id": 0, "password": "longenough"})
    assert resp.status_code == 400 and "控制字符" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.username == "nulname")) is None


def test_a_link_with_a_broken_ipv6_host_is_a_form_error(client, auth, world):
    auth.login(world.reporter)
    resp = client.post(f"/assignments/{world.a_fin.id}/reports",
                       data={"text": "进展", "progress": "50", "links": "http://[::1", "submit": "提交审核"})
    assert resp.status_code == 400 and "不是有效的网址" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 0


def test_an_extension_to_9999_is_refused(client, auth, world):
    auth.login(world.reporter)
    resp = client.post(f"/assignments/{world.a_fin.id}/extensions",
                       data={"requested_due_on": "9999-12-31", "reason": "理由"}, follow_redirects=True)
    assert resp.status_code < 500 and "超出范围" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExtensionRequest)) == 0


def test_bonus_points_of_1e999_are_refused_in_chinese():
    from tracker.assessment.services import _points
    from tracker.errors import ServiceError

    for raw in ("1e999", "-1e999", "NaN", "Infinity"):
        with pytest.raises(ServiceError) as exc:
            _points(raw)
        assert re.search(r"[\u4e00-\u9fff]", exc.value.message)


def test_a_long_report_text_is_a_chinese_form_error(client, auth, world):
    auth.login(world.reporter)
    resp = client.post(f"/assignments/{world.a_fin.id}/reports",
                       data={"text": "字" * 500_000, "progress": "50", "submit": "提交审核"})
    assert resp.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressReport)) == 0


def _all_forms():
    root = Path(__file__).resolve().parents[2]
    for path in (root / "tracker").rglob("forms.py"):
        import_module(".".join(path.relative_to(root).with_suffix("").parts))
    from flask_wtf import FlaskForm

    seen, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in seen if c.__module__.startswith("tracker.")]


def test_every_form_derives_from_the_chinese_base():
    forms = _all_forms()
    assert len(forms) > 20
    assert [f"{c.__module__}.{c.__name__}" for c in forms if not issubclass(c, Form)] == []


@pytest.mark.parametrize("junk", ["zz", "x" * 25_000, "-1", "1e999"])
def test_every_forms_every_message_is_chinese(app, junk):
    """Post junk to every field of every form: whatever the validators say, they say it in Chinese."""
    english = []
    for cls in _all_forms():
        if cls is Form:
            continue
        with app.test_request_context(method="POST", data={name: junk for name in _field_names(cls)}):
            form = cls()
            for field in form:
                if hasattr(field, "choices") and field.choices is None:
                    field.choices = []
            form.validate()
            for name, messages in form.errors.items():
                for message in messages:
                    said = str(message).replace(junk[:20], "")  # the value echoed back is not the message
                    words = set(re.findall(r"[A-Za-z]{2,}", said)) - ALLOWED_WORDS
                    if words or not re.search(r"[\u4e00-\u9fff]", str(message)):
                        english.append(f"{cls.__name__}.{name}: {message}")
    assert english == []


def _field_names(cls) -> list[str]:
    from flask import Flask

    with Flask(__name__).test_request_context():
        return [f.name for f in cls(meta={"csrf": False})]


def test_a_unit_with_140_kb_of_aliases_is_refused_in_chinese(client, auth, world):
    from tracker.units.models import Unit

    auth.login(world.admin)
    resp = client.post("/admin/units/new", data={"name": "新建单位甲", "short_name": "", "aliases": "别名、" * 47_000,
                                            "kind": "city_dept", "parent_id": world.city.id, "category": ""})
    assert resp.status_code in (200, 400)
    html = resp.get_data(as_text=True)
    assert "最多1000个字符" in html and "Field must be" not in html
    assert db.session.scalar(sa.select(Unit).where(Unit.name == "新建单位甲")) is None


def test_an_invalid_choice_is_answered_in_chinese(client, auth, world):
    auth.login(world.admin)
    resp = client.post("/admin/users/new", data={"username": "someone", "display_name": "某人", "role": "boss",
                                                  "unit_id": 0, "password": "longenough"})
    html = resp.get_data(as_text=True)
    assert "不是有效的选择" in html and "Not a valid choice" not in html
    assert db.session.scalar(sa.select(User).where(User.username == "someone")) is None
