"""Units (单位) in one tree, and the group phrases (统称) that stand for many of them."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import UTCDateTime, local_start, utcnow

UNIT_KINDS = {
    "city_gov": "市政府/办公室",
    "county_gov": "县级政府",
    "city_dept": "政府部门",
    "town": "乡镇/街道",
    "zone": "开发区/管委会",
    "office": "科室",
    "other": "其他",
}
CATEGORIES = {"A": "A类（县级政府、开发区）", "B": "B类（政府部门）"}

unit_group_members = sa.Table(
    "unit_group_members",
    db.metadata,
    sa.Column("group_id", sa.ForeignKey("unit_groups.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: full official name, unique across the instance (several jurisdictions live side by side)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    short_name: Mapped[str | None] = mapped_column(sa.String(60))
    #: other names documents use for it (市发改委 for 市发展和改革委员会)
    aliases: Mapped[list] = mapped_column(sa.JSON, default=list)
    kind: Mapped[str] = mapped_column(sa.String(20), default="other")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: materialised path of ids, "/1/5/23/", so a subtree is one indexed prefix match
    path: Mapped[str] = mapped_column(sa.String(255), default="/", index=True)
    #: assessment category: A (county-level governments, zones) or B (departments)
    category: Mapped[str | None] = mapped_column(sa.String(1))
    is_active: Mapped[bool] = mapped_column(default=True)
    #: the unit's place in the official order (the 名录: counties as the city lists them, then departments)
    sort_order: Mapped[int] = mapped_column(default=0, server_default="0")
    #: the unit this one was merged into (机构改革); no foreign key so the column adds without a rebuild
    merged_into_id: Mapped[int | None] = mapped_column(sa.Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.name")

    __table_args__ = (
        sa.CheckConstraint("category IN ('A', 'B') OR category IS NULL", name="category"),
    )

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind)

    def is_within(self, other: "Unit") -> bool:
        """Return True if this unit is `other` or below it in the tree."""
        return self.path.startswith(other.path)

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name}>"


class UnitName(db.Model):
    """A name a unit had before a rename: documents issued before ``until`` show it."""

    __tablename__ = "unit_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: the instant the name stopped being the unit's name (UTC)
    until: Mapped[datetime] = mapped_column(UTCDateTime)


def name_on(unit: "Unit", when: datetime | None) -> str:
    """Return the unit's name at an instant (a document's issue time): the name it had then.

    None (a draft, not issued yet) is now: the current name.
    """
    if when is None:
        return unit.name
    earlier = db.session.scalar(sa.select(UnitName.name).where(UnitName.unit_id == unit.id, UnitName.until > when)
                                .order_by(UnitName.until).limit(1))
    return earlier or unit.name


def name_on_day(unit: "Unit", day: date | None) -> str:
    """Return the unit's name on a document dated ``day`` that has no issue instant: the name at the
    end of that local day (a unit renamed that morning signs that day's documents with its new name)."""
    return name_on(unit, None if day is None else local_start(day + timedelta(days=1)))


def official_order() -> tuple:
    """ORDER BY terms listing units officially: the directory's order, then the name. Never the id."""
    return (Unit.sort_order, Unit.name)


def official_key(sort_order: int | None, name: str) -> tuple:
    """The same order in Python, for rows already read."""
    return (sort_order or 0, name)


class UnitGroup(db.Model):
    __tablename__ = "unit_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the phrase as documents write it, e.g. 各县（市、区）人民政府
    phrase: Mapped[str] = mapped_column(sa.String(120))
    aliases: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: the jurisdiction the phrase belongs to: 市直各有关单位 means different units in each city
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    #: membership by rule: every active unit of this kind directly under rule_parent
    rule_kind: Mapped[str | None] = mapped_column(sa.String(20))
    rule_parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[Unit] = relationship(foreign_keys=[owner_id])
    rule_parent: Mapped[Unit | None] = relationship(foreign_keys=[rule_parent_id])
    #: membership by list (used when rule_kind is empty)
    listed_members: Mapped[list[Unit]] = relationship(secondary=unit_group_members, order_by=Unit.name)

    __table_args__ = (sa.UniqueConstraint("owner_id", "phrase"),)

    @property
    def is_rule(self) -> bool:
        return bool(self.rule_kind)

    def __repr__(self) -> str:
        return f"<UnitGroup {self.id} {self.phrase}>"
