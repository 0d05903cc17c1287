"""Identifiers people read aloud: tracking codes without look-alike characters."""

from __future__ import annotations

import datetime as dt
import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read over the phone.
ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def random_part(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def tracking_code(day: dt.date, length: int = 6) -> str:
    """``FQ`` + yymmdd + a random part, e.g. ``FQ261126-7KM3QX``: sortable by day, not guessable."""
    return f"FQ{day:%y%m%d}-{random_part(length)}"
