"""WCAG 2.x contrast ratio, written from the definition (relative luminance of sRGB colours)."""
from __future__ import annotations

import re


def parse_colour(text: str, background: tuple[float, float, float] | None = None) -> tuple[float, float, float]:
    """Read #rgb, #rrggbb or rgb()/rgba() into 0..255 channels; an alpha is composited on `background`."""
    text = text.strip().lower()
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return tuple(int(digits[i:i + 2], 16) for i in (0, 2, 4))
    m = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if not m:
        raise ValueError(f"not a colour: {text!r}")
    parts = [float(p) for p in re.split(r"[,\s/]+", m.group(1).strip()) if p]
    rgb, alpha = parts[:3], (parts[3] if len(parts) > 3 else 1.0)
    if alpha < 1:
        if background is None:
            raise ValueError(f"translucent colour {text!r} needs a background")
        rgb = [alpha * c + (1 - alpha) * b for c, b in zip(rgb, background)]
    return tuple(rgb)


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
