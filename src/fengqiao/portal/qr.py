"""The dispute code's QR code (segno: pure Python, no image library; SVG, so it is sharp on any screen
and prints well).  It encodes the public tracking URL, never personal data."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe

DARK = "#0f2c55"


def svg(url: str, *, scale: int = 6) -> SafeString:
    """The QR code of ``url`` as inline SVG (medium error correction: still reads when printed small)."""
    code = segno.make(url, error="m")
    return mark_safe(code.svg_inline(scale=scale, dark=DARK, light="#ffffff", omitsize=True, border=2))


def svg_document(url: str, *, scale: int = 8) -> bytes:
    """The same as a standalone SVG file (for /portal/track/<code>/qr.svg)."""
    import io

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=scale, dark=DARK, light="#ffffff", border=2,
                                    title="解纷码")
    return out.getvalue()
