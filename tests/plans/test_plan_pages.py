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
