"""导出: the year's results workbook (one per scheme; several as a zip), as the chat's 导出."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from flask import Blueprint, send_file

from console import web
from console.actions import nonce, run_as
from console.auth import Denied

__all__ = ["bp"]

bp = Blueprint("export", __name__)


@bp.get("/export")
@web.staff_only
def export(session: Any) -> Any:
    year = web.arg_int("year")
    reply = run_as(web.chat(), session.member, "导出" if year is None else f"导出 {year}", nonce())
    if not reply.files:
        raise Denied(409, reply.text)
    paths = [Path(f).resolve() for f in reply.files]  # relative to the working dir
    if len(paths) == 1:
        return send_file(paths[0], as_attachment=True, download_name=paths[0].name)
    return send_file(_zip(paths), as_attachment=True, mimetype="application/zip",
                     download_name=paths[0].name.split("-")[0] + f"-{len(paths)}个方案.zip")


def _zip(paths: list[Path]) -> io.BytesIO:
    """Several schemes' workbooks as one download (one file per scheme, as 导出 makes them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in paths:
            z.write(p, p.name)
    buf.seek(0)
    return buf
