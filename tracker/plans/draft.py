"""Plain data produced by the plan parser: no database, no Flask."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

#: Every value ``Deadline.kind`` may take.
DEADLINE_KINDS = ("date", "year_end", "recurring", "relative", "window", "continuous", "default")
#: Every value a target's ``op`` may take.
TARGET_OPS = (">=", ">", "<=", "<", "=")


class ParseError(Exception):
    """Raised when a document cannot be read; the message is Chinese and fit for a user."""


@dataclass
class Deadline:
    #: one of DEADLINE_KINDS
    kind: str
    #: the due date it means (for window: the last day of the window; None for relative/continuous)
    date: date | None = None
    #: the words exactly as written in the document ("" for a default deadline)
    text: str = ""
    #: first day of a window (8月 → 08-01) or of a start rule (从2022年起 → 2022-01-01)
    start: date | None = None
    #: "yearly" for 每年1月底前 / 年内至少一次, else None
    recurrence: str | None = None
    #: the rule for relative deadlines, e.g. "文件印发后24小时内"
    rule: str | None = None


@dataclass
class Target:
    metric: str
    op: str
    value: float
    unit: str = "%"
    year: int | None = None


@dataclass
class UnitDeadline:
    """A deadline that applies only to some units or groups named in the task."""

    units: list[str]
    deadline: Deadline


@dataclass
class TaskDraft:
    #: clause reference built from the outline numbers, e.g. "一.（三）.2" or the table 序号 path
    ref: str
    #: section titles from the top level down to the parent, e.g. ["一、扩大公开范围，打造阳光政府"]
    path: list[str]
    title: str
    text: str
    lead_units: list[str] = field(default_factory=list)
    responsible_units: list[str] = field(default_factory=list)
    cooperating_units: list[str] = field(default_factory=list)
    #: unit phrases as written in the document (before splitting), for display
    unit_phrases: list[str] = field(default_factory=list)
    deadline: Deadline = field(default_factory=lambda: Deadline(kind="default"))
    deadlines_by_unit: list[UnitDeadline] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    #: outline depth of the clause (1 = 一、, 2 = （一）, 3 = 1., 4 = （1）)
    level: int = 1
    #: the table columns when the task came from a decomposition table (公开任务, 公开内容, 具体要求, 时限要求 ...)
    columns: dict[str, str] = field(default_factory=dict)
    #: refs of tasks that are sections (headings without own content) are still tasks; this says which are leaves
    is_leaf: bool = True


@dataclass
class PlanDraft:
    title: str = ""
    doc_number: str = ""
    issuer: str = ""
    issued_on: date | None = None
    year: int | None = None
    tasks: list[TaskDraft] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: groups the document defines itself: phrase → member unit names (003's attachment 1, 以下统称…)
    defined_groups: dict[str, list[str]] = field(default_factory=dict)
    #: sha256 of the normalised source text, to detect re-imports
    content_hash: str = ""
    source_text: str = ""

    def to_json(self) -> dict:
        """Return the draft in the shape `flask plans parse` prints."""
        def dl(d: Deadline) -> dict:
            return {
                "kind": d.kind,
                "date": d.date.isoformat() if d.date else None,
                "text": d.text,
                "start": d.start.isoformat() if d.start else None,
                "recurrence": d.recurrence,
                "rule": d.rule,
            }

        return {
            "plan": {
                "title": self.title,
                "doc_number": self.doc_number,
                "issuer": self.issuer,
                "issued_on": self.issued_on.isoformat() if self.issued_on else None,
                "year": self.year,
            },
            "tasks": [
                {
                    "ref": t.ref,
                    "path": t.path,
                    "title": t.title,
                    "text": t.text,
                    "level": t.level,
                    "is_leaf": t.is_leaf,
                    "lead_units": t.lead_units,
                    "responsible_units": t.responsible_units,
                    "cooperating_units": t.cooperating_units,
                    "unit_phrases": t.unit_phrases,
                    "deadline": t.deadline.date.isoformat() if t.deadline.date else None,
                    "deadline_kind": t.deadline.kind,
                    "deadline_text": t.deadline.text,
                    "deadline_detail": dl(t.deadline),
                    "deadlines_by_unit": [
                        {"units": u.units, **dl(u.deadline)} for u in t.deadlines_by_unit
                    ],
                    "targets": [asdict(x) for x in t.targets],
                    "columns": t.columns,
                }
                for t in self.tasks
            ],
            "defined_groups": self.defined_groups,
            "warnings": self.warnings,
        }
