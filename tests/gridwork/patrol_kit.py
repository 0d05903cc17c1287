"""What the patrol tests share: places on the test city's grids, a visit's input, real PNG bytes."""

from __future__ import annotations

import datetime as dt
import struct
import uuid
import zlib
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from fengqiao.gridwork.models import Place, PlaceKind
from fengqiao.gridwork.services import ReportInput, VisitInput
from fengqiao.kit import clock
from tests.factories import City


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    """A real PNG (any browser decodes it): one colour, ``width`` × ``height``."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height))
            + chunk(b"IEND", b""))


def photo(name: str = "photo.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png() if content is None else content, content_type="image/png")


def place(city: City, grid: int = 0, *, name: str = "东风路 18 号出租房", kind: str = PlaceKind.RENTAL,
          every_days: int = 7, offset: tuple[float, float] = (0.0, 0.0), created_days_ago: int = 60) -> Place:
    lng, lat = city.point_in(grid)
    return Place.objects.create(
        grid=city.grids[grid], kind=kind, name=name, address=f"海陵区{name}", lng=lng + offset[0],
        lat=lat + offset[1], every_days=every_days,
        created_at=clock.now() - dt.timedelta(days=created_days_ago),
    )


def visit_input(at: Place | None, **extra: Any) -> VisitInput:
    fields: dict[str, Any] = {
        "client_id": str(uuid.uuid4()), "observed_at": clock.now() - dt.timedelta(minutes=5),
        "lng": at.lng if at else 0.0, "lat": at.lat if at else 0.0, "place_id": at.pk if at else None,
        "accuracy_m": 12.0,
    }
    fields.update(extra)
    return VisitInput(**fields)


def report(**extra: Any) -> ReportInput:
    return ReportInput(**({"title": "楼道堆放杂物", "description": "3 号楼一单元楼道堆放纸箱，堵塞消防通道"} | extra))
