"""Which format a file is, told by its content (never its name), and archives opened with their size capped."""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass
from typing import Literal
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeTree
from defusedxml.common import DefusedXmlException

from service.imports.recording import RefusedFile

Format = Literal["fit", "gpx", "tcx", "csv"]
_CSV_COLUMNS = {"date", "km"}


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    archive_bytes: int
    files: int


def sniff(data: bytes) -> Format:
    """The file's format; RefusedFile when it is empty or none of FIT, GPX, TCX and our CSV."""
    if not data.strip():
        raise RefusedFile("the file is empty")
    # FIT: a 12- or 14-byte header with the ASCII ".FIT" at bytes 8-11 (FIT protocol, file header).
    if len(data) >= 12 and data[0] in (12, 14) and data[8:12] == b".FIT":
        return "fit"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        root = xml_root(data)
        name = root.tag.rsplit("}", 1)[-1]
        if name == "gpx":
            return "gpx"
        if name == "TrainingCenterDatabase":
            return "tcx"
        raise RefusedFile(f"an XML file whose root is <{name}>, neither GPX nor TCX", status=415)
    if _csv_header(head):
        return "csv"
    raise RefusedFile("not a FIT, GPX, TCX or CSV file (with date and km columns)", status=415)


def xml_root(data: bytes) -> Element:
    """The parsed XML; a DTD or entity (the billion-laughs and external-entity attacks) refuses the file."""
    try:
        return SafeTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as error:
        raise RefusedFile(f"XML with a DTD or entities is not accepted ({type(error).__name__})") from None
    except SafeTree.ParseError as error:
        raise RefusedFile(f"malformed or truncated XML: {error}") from None


def _csv_header(head: bytes) -> bool:
    try:
        first = head.decode("utf-8", errors="strict").splitlines()[0] if head else ""
    except UnicodeDecodeError:
        # A cut at byte 4096 may split a character; only a bad header line refuses.
        first = head.decode("utf-8", errors="ignore").splitlines()[0]
    columns = next(csv.reader([first], delimiter=";" if first.count(";") > first.count(",") else ","), [])
    return {c.strip().lower() for c in columns} >= _CSV_COLUMNS


def unpack(name: str, data: bytes, limits: Limits) -> list[tuple[str, bytes]]:
    """The files inside: a .gz's content, a .zip's members, or the file itself; each capped at ``file_bytes``.

    Sizes are checked on the bytes actually inflated, never on the sizes an archive declares, so a zip bomb stops
    at the cap instead of filling memory.
    """
    if len(data) > limits.file_bytes:
        raise RefusedFile(f"larger than the {_mb(limits.file_bytes)} limit", status=413)
    if data[:2] == b"\x1f\x8b":
        return [(name.removesuffix(".gz"), _gunzip(data, limits.file_bytes))]
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _unzip(name, data, limits)
    return [(name, data)]


def _gunzip(data: bytes, cap: int) -> bytes:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, cap + 1)
    except zlib.error as error:
        raise RefusedFile(f"a corrupt .gz: {error}") from None
    if len(out) > cap:
        raise RefusedFile(f"decompresses to more than the {_mb(cap)} limit", status=413)
    if not inflater.eof:
        raise RefusedFile("a truncated .gz")
    if out[:2] == b"\x1f\x8b" or out[:4] == b"PK\x03\x04":
        raise RefusedFile("an archive inside an archive is not opened")
    return out


def _unzip(name: str, data: bytes, limits: Limits) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, ValueError) as error:
        raise RefusedFile(f"a corrupt .zip: {error}") from None
    if len(members) > limits.files:
        raise RefusedFile(f"a .zip of {len(members)} files; at most {limits.files} are read at once", status=413)
    files, total = [], 0
    for member in members:
        try:
            with archive.open(member) as stream:
                content = stream.read(limits.file_bytes + 1)
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError) as error:
            raise RefusedFile(f"{member.filename}: cannot be read from the .zip: {error}") from None
        total += len(content)
        if len(content) > limits.file_bytes:
            raise RefusedFile(f"{member.filename} decompresses to more than the {_mb(limits.file_bytes)} limit", 413)
        if total > limits.archive_bytes:
            raise RefusedFile(f"decompresses to more than the {_mb(limits.archive_bytes)} limit", status=413)
        if content[:2] == b"\x1f\x8b":
            content = _gunzip(content, limits.file_bytes)
        elif content[:4] == b"PK\x03\x04":
            raise RefusedFile(f"{member.filename}: an archive inside an archive is not opened")
        files.append((f"{name}/{member.filename}", content))
    return files


def _mb(size: int) -> str:
    return f"{size / 1e6:g} MB"
