"""Reading an uploaded photo: its type from its content (never from its name), its size, and the time and
place the camera wrote into its EXIF (Pillow). HEIC is recognised by its ISO-BMFF brand; its EXIF is not
read (Pillow needs a plugin for HEIC), so a HEIC photo has no time or place."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

JPEG, PNG, HEIC = "image/jpeg", "image/png", "image/heic"
EXTENSIONS = {JPEG: "jpg", PNG: "png", HEIC: "heic"}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME, DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x0132, 0x9003, 0x9011


@dataclass(frozen=True)
class Photo:
    content_type: str
    extension: str
    taken_at: dt.datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


class NotAPhoto(ValueError):
    """The content is not a JPEG, PNG or HEIC photo (or not a readable one)."""


def sniff(head: bytes) -> str | None:
    """The photo type its first bytes say, or None."""
    if head[:3] == b"\xff\xd8\xff":
        return JPEG
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return PNG
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return HEIC
    return None


def read_photo(data: bytes) -> Photo:
    content_type = sniff(data[:16])
    if content_type is None:
        raise NotAPhoto("unknown type")
    if content_type == HEIC:
        return Photo(HEIC, EXTENSIONS[HEIC], None, None, None)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # a truncated or forged file fails here
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise NotAPhoto("unreadable") from exc
    taken_at = _taken_at(exif)
    latitude, longitude = _position(exif)
    return Photo(content_type, EXTENSIONS[content_type], taken_at, latitude, longitude)


def _taken_at(exif: Any) -> dt.datetime | None:
    ifd = exif.get_ifd(EXIF_IFD)
    text = ifd.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(text, str):
        return None
    try:
        naive = dt.datetime.strptime(text.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = ifd.get(OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and len(offset.strip()) == 6:
        try:
            return dt.datetime.strptime(f"{text.strip()} {offset.strip()}", "%Y:%m:%d %H:%M:%S %z")
        except ValueError:
            pass
    # Cameras write local time without a zone: the bank's time zone (Asia/Shanghai).
    return timezone.make_aware(naive, timezone.get_default_timezone())


def _rational(value: Any) -> Decimal:
    numerator = getattr(value, "numerator", None)
    denominator = getattr(value, "denominator", None)
    if numerator is not None and denominator:
        return Decimal(int(numerator)) / Decimal(int(denominator))
    if isinstance(value, tuple) and len(value) == 2 and value[1]:
        return Decimal(int(value[0])) / Decimal(int(value[1]))
    return Decimal(str(value))


def _degrees(dms: Any, ref: Any) -> Decimal | None:
    if not dms or len(dms) != 3:
        return None
    try:
        degrees, minutes, seconds = (_rational(part) for part in dms)
    except (ArithmeticError, TypeError, ValueError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode(errors="ignore")
    if isinstance(ref, str) and ref.strip().upper() in ("S", "W"):
        value = -value
    return value.quantize(Decimal("0.000001"))


def _position(exif: Any) -> tuple[Decimal | None, Decimal | None]:
    gps = exif.get_ifd(GPS_IFD)
    if not gps:
        return None, None
    latitude = _degrees(gps.get(2), gps.get(1))
    longitude = _degrees(gps.get(4), gps.get(3))
    if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
        return None, None
    return latitude, longitude
