"""The draft text of a circular (通报) on overdue work, built from the dashboard's figures. Pure."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..timeutil import cn_date


@dataclass(frozen=True)
class UnitFigures:
    name: str
    assignments: int
    completed: int
    overdue: int
    days_overdue: int


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"


def draft_circular(*, plan_title: str, doc_number: str | None, as_of: date, tasks: int, assignments: int,
                   completed: int, overdue: int, units: list[UnitFigures], limit: int = 10) -> str:
    """Return the text of a draft circular naming the units with overdue items, worst first."""
    source = f"《{plan_title}》（{doc_number}）" if doc_number else f"《{plan_title}》"
    lines = [
        f"关于{source}落实情况的通报（草稿）",
        "",
        "各有关单位：",
        "",
        f"    截至{cn_date(as_of)}，{source}共分解任务{tasks}项、承办事项{assignments}个，"
        f"已办结{completed}个，办结率{percent(completed, assignments)}；"
        f"逾期未办结{overdue}个，涉及{len(units)}个单位。",
    ]
    if units:
        shown = units[:limit]
        lines += ["", "    逾期未办结事项较多的单位如下："]
        for i, u in enumerate(shown, 1):
            lines.append(
                f"    {i}. {u.name}：承办{u.assignments}项，已办结{u.completed}项，"
                f"逾期{u.overdue}项，累计逾期{u.days_overdue}个工作日。"
            )
        if len(units) > limit:
            lines.append(f"    另有{len(units) - limit}个单位存在逾期事项，详见附表。")
        lines += [
            "",
            "    请上述单位高度重视，对照任务分解表逐项梳理，抓紧推进逾期事项，"
            "并于收到本通报后5个工作日内将整改情况及佐证材料报送政务公开工作主管部门。",
        ]
    else:
        lines += ["", "    目前各单位均无逾期未办结事项，请继续按时限要求推进落实。"]
    lines += ["", "（本稿由系统根据统计数据自动生成，仅供起草参考，须经审核后方可印发。）"]
    return "\n".join(lines)
