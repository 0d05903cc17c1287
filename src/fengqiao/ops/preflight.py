"""What ``serve`` and ``worker`` check before they start: Django's system checks (the deployment ones too
when DEBUG is off) and that the database has every migration this code expects."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from fengqiao.ops.health import unapplied_migrations

DEV_SECRET_PREFIX = "dev-only-insecure-key"
STYLESHEET = "css/fengqiao.css"  # one file every page links: collected, the rest were too


def preflight() -> None:
    """Raise :class:`CommandError` with what to do when the process must not start."""
    if not settings.DEBUG and settings.SECRET_KEY.startswith(DEV_SECRET_PREFIX):
        raise CommandError("FENGQIAO_DEBUG=0 but FENGQIAO_SECRET_KEY is not set: set a secret key "
                           "(docs/operations.md) — refusing to start.")
    call_command("check", deploy=not settings.DEBUG, fail_level="ERROR")
    try:
        missing = unapplied_migrations()
    except Exception as exc:
        raise CommandError(f"The database cannot be reached ({type(exc).__name__}: {exc}); "
                           "check FENGQIAO_DATABASE_URL — refusing to start.") from exc
    finally:
        connections.close_all()  # no connection may cross the fork into the workers
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise CommandError(f"{len(missing)} migration(s) not applied to the database: {shown}. "
                           "Run `fengqiao migrate` first (docs/operations.md, Upgrades) — refusing to start.")


def uncollected_static() -> str | None:
    """What to do when production would serve pages without their styles and scripts: with DEBUG off
    WhiteNoise serves only ``collectstatic``'s copies in STATIC_ROOT (settings.py), and a data directory that
    never had them answers 404 for every stylesheet, so every page shows bare HTML.  None when all is well."""
    if settings.DEBUG or (Path(settings.STATIC_ROOT) / STYLESHEET).is_file():
        return None
    return (f"Static files are not collected in {settings.STATIC_ROOT}: pages would be served without their "
            "styles and scripts. Run `fengqiao collectstatic --noinput` (docs/operations.md, Upgrades).")
