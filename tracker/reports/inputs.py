"""Parse what a unit types into a report: percent, measured target values, links, reasons.

Pure: no Flask, no database. Each parser returns the clean value or raises InputError with a
Chinese message that names the offending input.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

MAX_TEXT = 10_000
MAX_LINKS = 20
MAX_LINK_LENGTH = 1000
MAX_REASON = 1000
_PERCENT_SIGNS = "%％"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－＋", "0123456789.-+")


class InputError(ValueError):
    """A value typed by the user cannot be accepted; str(exc) is the Chinese message."""


def parse_percent(raw: int | str | None) -> int:
    """Return a whole percent 0–100."""
    if isinstance(raw, bool):
        raise InputError("完成进度应为0到100之间的整数。")
    if isinstance(raw, int):
        value = raw
    else:
        text = (raw or "").strip().translate(_FULL_WIDTH).rstrip(_PERCENT_SIGNS).strip()
        if not text:
            raise InputError("请填写完成进度（0到100之间的整数）。")
        if not re.fullmatch(r"[+-]?\d{1,6}", text):
            raise InputError(f"完成进度“{raw}”不是整数，应为0到100之间的整数。")
        value = int(text)
    if not 0 <= value <= 100:
        raise InputError(f"完成进度应在0到100之间，您填写的是{value}。")
    return value


def parse_number(raw: str | int | float) -> float:
    """Return a finite number from text such as '92', '92.5', '92%' or '１，２００'."""
    if isinstance(raw, bool):
        raise InputError("不是数字")
    if isinstance(raw, (int, float)):
        value = float(raw)
    else:
        text = raw.strip().translate(_FULL_WIDTH).replace(",", "").replace("，", "").rstrip(_PERCENT_SIGNS).strip()
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise InputError("不是数字")
        value = float(text)
    if not math.isfinite(value):
        raise InputError("不是数字")
    return value


def target_metrics(targets: Iterable[Mapping]) -> list[str]:
    """Return the task's distinct metric names in document order."""
    seen: list[str] = []
    for t in targets or ():
        metric = str(t.get("metric") or "").strip()
        if metric and metric not in seen:
            seen.append(metric)
    return seen


def parse_target_values(raw: Mapping[str, str | int | float | None], metrics: list[str]) -> dict[str, float]:
    """Return the measured value per metric; blanks are left out, unknown metrics and non-numbers refused."""
    unknown = [k for k in raw if k not in metrics]
    if unknown:
        raise InputError(f"任务没有指标“{unknown[0]}”，请刷新页面后重新填写。")
    values: dict[str, float] = {}
    for metric in metrics:
        value = raw.get(metric)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            number = parse_number(value)
        except InputError:
            raise InputError(f"指标“{metric}”的实际值“{value}”不是数字，请填写数字，例如 92 或 92.5。") from None
        if number < 0:
            raise InputError(f"指标“{metric}”的实际值不能为负数。")
        values[metric] = int(number) if number.is_integer() else number
    return values


def parse_links(raw: str | Iterable[str] | None) -> list[str]:
    """Return the http(s) URLs, one per line (or per item), blanks dropped and duplicates merged."""
    if raw is None:
        items: Iterable[str] = ()
    elif isinstance(raw, str):
        items = raw.splitlines()
    else:
        items = raw
    links: list[str] = []
    for item in items:
        url = (item or "").strip()
        if not url:
            continue
        if len(url) > MAX_LINK_LENGTH:
            raise InputError(f"链接过长（最多{MAX_LINK_LENGTH}个字符）：{url[:60]}…")
        try:
            parts = urlsplit(url)
            hostname = parts.hostname  # reading it checks an [IPv6] host too
        except ValueError:  # e.g. "http://[::1": an unclosed bracket
            parts, hostname = None, None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not hostname or re.search(r"[\s<>\"']", url):
            raise InputError(f"链接“{url}”不是有效的网址，应以 http:// 或 https:// 开头，每行一个。")
        if url not in links:
            links.append(url)
    if len(links) > MAX_LINKS:
        raise InputError(f"链接最多{MAX_LINKS}个，您填写了{len(links)}个。")
    return links


def clean_text(raw: str | None, *, limit: int = MAX_TEXT, what: str = "报告内容") -> str:
    """Return stripped text with Windows line ends normalised; refuse over-long text."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > limit:
        raise InputError(f"{what}过长（最多{limit}字，当前{len(text)}字）。")
    return text


def require_reason(raw: str | None, *, what: str) -> str:
    """Return a non-empty reason of at most MAX_REASON characters."""
    text = clean_text(raw, limit=MAX_REASON, what=what)
    if not text:
        raise InputError(f"请填写{what}。")
    return text
