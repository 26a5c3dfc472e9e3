"""Print views (打印版): A4 pages without navigation, titled with the 制表单位 and the date.

Every print view renders through ``templates/print/_layout.html`` with :func:`context`; the page's
own figures come from the same queries as its screen version, at the same ``as_of``.
"""
from __future__ import annotations

from datetime import date

from flask_login import current_user

from .timeutil import app_today

#: at most this many rows on one printout; more are cut and the page says how many were left out
MAX_PRINT_ROWS = 2000
#: the 制表单位 when the user has no unit and nothing else names one (an administrator's printout)
FALLBACK_MAKER = "政务公开工作督办"


def maker_of(plan=None) -> str:
    """Return the 制表单位: the user's unit, else the unit that issued the plan shown."""
    unit = getattr(current_user, "unit", None)
    if unit is not None:
        return unit.name
    issuer = getattr(plan, "unit", None)
    return issuer.name if issuer is not None else FALLBACK_MAKER


def context(title: str, *, as_of: date | None = None, plan=None, back: str | None = None,
            subtitle: str = "") -> dict:
    """Return the layout's variables: title, 制表单位, 制表日期 (the app's today, Asia/Shanghai), as_of."""
    return {"print_title": title, "print_subtitle": subtitle, "maker": maker_of(plan), "made_on": app_today(),
            "as_of": as_of, "back": back}
