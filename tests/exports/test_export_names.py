"""Issue 21: a filtered 工作台账 is named after its filters; 考核结果 of a plan without scores says so in Chinese."""
from __future__ import annotations

from urllib.parse import quote, unquote

from tests.factories import PlanFactory
from tracker.extensions import db

AS_OF = "2021-11-15"


def disposition(resp) -> tuple[str, str]:
    """The (ASCII filename=, decoded UTF-8 filename*=) pair of an attachment."""
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    header = resp.headers["Content-Disposition"]
    assert header.startswith("attachment; ")
    params = dict(p.strip().split("=", 1) for p in header.split(";")[1:])
    plain = params["filename"]
    assert plain.isascii() and " " not in plain and "/" not in plain
    star = params["filename*"]
    assert star.startswith("UTF-8''")
    return plain, unquote(star[len("UTF-8''"):])


def test_the_full_ledger_keeps_its_plain_name(client, auth, world):
    auth.login(world.supervisor)
    plain, name = disposition(client.get(f"/exports/ledger?plan={world.plan.id}&as_of={AS_OF}"))
    assert name == f"工作台账-{world.plan.title}-2021-11-15.xlsx"
    assert plain == f"ledger-plan{world.plan.id}-2021-11-15.xlsx"


def test_a_filtered_ledger_names_its_filters(client, auth, world):
    auth.login(world.supervisor)
    base = f"/exports/ledger?plan={world.plan.id}&as_of={AS_OF}"
    cases = [
        ("&status=overdue", "逾期", "overdue"),
        ("&status=due_soon", "临期", "due-soon"),
        (f"&status=overdue&unit={world.finance.id}", "逾期-测试市财政局", f"overdue-unit{world.finance.id}"),
        ("&category=A", "A类", "categoryA"),
        ("&section=一、扩大公开范围", "一、扩大公开范围", "section"),
        ("&section=-", "未分组", "section"),
    ]
    seen = set()
    for query, words, ascii_words in cases:
        plain, name = disposition(client.get(base + query))
        assert name == f"工作台账-{world.plan.title}-{words}-2021-11-15.xlsx", query
        assert plain == f"ledger-plan{world.plan.id}-{ascii_words}-2021-11-15.xlsx", query
        seen.add(name)
    assert len(seen) == len(cases)


def test_a_slash_in_a_filter_does_not_make_a_path(client, auth, world):
    auth.login(world.supervisor)
    plain, name = disposition(client.get(f"/exports/ledger?plan={world.plan.id}&as_of={AS_OF}&section=" + quote("甲/乙")))
    assert "/" not in name and "甲-乙" in name


def test_bad_filters_still_refused(client, auth, world):
    auth.login(world.supervisor)
    assert client.get(f"/exports/ledger?plan={world.plan.id}&status=late").status_code == 400
    assert client.get(f"/exports/ledger?plan={world.plan.id}&category=C").status_code == 400
    assert client.get(f"/exports/ledger?plan={world.plan.id}&unit=abc").status_code == 400


def test_assessment_of_a_plan_without_scores_says_so(client, auth, world):
    plan = PlanFactory(unit=world.city, title="测试市2022年政务公开工作要点", year=2022)
    db.session.flush()
    auth.login(world.leader)
    resp = client.get(f"/exports/assessment?plan={plan.id}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/exports/")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "《测试市2022年政务公开工作要点》尚未计算考核结果" in html
    assert "页面或记录不存在" not in html
    # another jurisdiction's plan is still not there at all
    assert client.get(f"/exports/assessment?plan={world.other_plan.id}").status_code == 404
    assert client.get("/exports/assessment?plan=x").status_code == 400
