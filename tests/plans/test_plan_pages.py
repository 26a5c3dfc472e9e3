from __future__ import annotations

from tracker.extensions import db


def test_plan_list_and_detail_for_supervisor(client, auth, world):
    world.a_fin.status = "completed"
    db.session.flush()
    auth.login(world.supervisor)
    page = client.get("/plans/").get_data(as_text=True)
    assert world.plan.title in page and world.other_plan.title not in page
    page = client.get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert "做好财政信息公开" in page
    assert "市财政局" in page  # the lead unit
    assert "2 个单位</a>：已办结 1，推进中 0，未开始 1" in page


def test_task_page_lists_every_unit(client, auth, world):
    auth.login(world.leader)
    page = client.get(f"/plans/{world.plan.id}/tasks/{world.task.id}").get_data(as_text=True)
    assert "测试市财政局" in page and "测试市审计局" in page and "牵头单位" in page


def test_plan_outside_the_subtree_is_404(client, auth, world):
    auth.login(world.other_supervisor)
    assert client.get(f"/plans/{world.plan.id}").status_code == 404
    assert client.get(f"/plans/{world.plan.id}/tasks/{world.task.id}").status_code == 404
    assert client.get(f"/plans/{world.other_plan.id}/tasks/{world.task.id}").status_code == 404


def test_search_tasks(client, auth, world):
    auth.login(world.supervisor)
    assert "做好财政信息公开" not in client.get(f"/plans/{world.plan.id}?q=不存在的词").get_data(as_text=True)


def test_search_finds_tasks_by_title_and_by_text(client, auth, world):
    from tests.factories import TaskFactory

    TaskFactory(plan=world.plan, ref="2", title="推进政务公开标准化", text="完善基层政务公开标准目录。")
    TaskFactory(plan=world.plan, ref="3", title="做好政策解读", text="政策解读率达到100%。")
    TaskFactory(plan=world.plan, ref="4", title="回应社会关切", text="回应率达到1000件。")
    auth.login(world.supervisor)

    def titles(q):
        page = client.get(f"/plans/{world.plan.id}", query_string={"q": q}).get_data(as_text=True)
        return [t for t in ("做好财政信息公开", "推进政务公开标准化", "做好政策解读", "回应社会关切") if t in page]

    assert titles("标准目录") == ["推进政务公开标准化"]  # a word of the text only
    assert titles("做好") == ["做好财政信息公开", "做好政策解读"]  # a word of two titles
    assert titles("100%") == ["做好政策解读"]  # % is a character, not a wildcard ("1000件" does not match)
    assert titles("  政策解读  ") == ["做好政策解读"]
    assert len(titles("")) == 4
