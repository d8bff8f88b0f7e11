"""The console's page groups, one blueprint each, nested under the `console` blueprint
(/console), which carries the templates, the static files and what every page shares: the
security headers, the Denied page and the template helpers.

`install(app, chat)` is the app factory's one call: it keeps the chat on the app and registers
the blueprints. Endpoints are `console.<group>.<view>`, e.g. `console.reviews.reviews`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, g, render_template
from jinja2 import BytecodeCache, FileSystemBytecodeCache
from jinja2.bccache import Bucket

from console import web
from console.auth import Denied, current_session
from console.bridge import Chat
from console.pages import (audit, calendar, documents, entry, export, liaison, login, outbox,
                           overview, reviews, units)
from authoring.reading import KIND_ZH as RULE_KIND_ZH
from ledger.labels import RECORD_STATUS_ZH, SUBMISSION_KIND_ZH, record_status_zh
from ledger.office import years
from worktime.period import Period
from scoring.card import STATUS_ZH, fmt, pts

__all__ = ["install", "blueprint"]

blueprint = Blueprint("console", "console", url_prefix="/console", template_folder="templates",
                      static_folder="static", static_url_path="/static")
for _group in (login, overview, units, reviews, entry, documents, calendar, outbox, audit, export,
               liaison):
    blueprint.register_blueprint(_group.bp)


def install(app: Flask, chat: Chat) -> None:
    """The console over the chat's pipeline (its ledger, clock, calendar and card cache)."""
    app.extensions[web.EXTENSION] = web.Console(chat)
    app.register_blueprint(blueprint)
    # Compiled templates are kept under the data folder, so the first page after a restart
    # does not compile them again (a third of its time at 200 units).
    folder = Path(chat.data_dir) / "cache" / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        files: BytecodeCache | None = FileSystemBytecodeCache(str(folder))
    except OSError:  # a read-only data folder: templates are compiled in memory, as before
        files = None
    app.jinja_env.bytecode_cache = _Compiled(files)


class _Compiled(BytecodeCache):
    """Compiled templates, kept for the process in front of the data folder's cache: an app
    built again in one process (each test builds its own) compiles none of them again, as a
    restart compiles none. Keyed as the folder is, by template and a checksum of its source."""

    _code: dict[tuple[str, str], Any] = {}

    def __init__(self, files: BytecodeCache | None) -> None:
        self.files = files

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get((bucket.key, bucket.checksum))
        if code is not None:
            bucket.code = code
        elif self.files is not None:
            self.files.load_bytecode(bucket)
            if bucket.code is not None:
                self._code[(bucket.key, bucket.checksum)] = bucket.code

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[(bucket.key, bucket.checksum)] = bucket.code
        if self.files is not None:
            self.files.dump_bytecode(bucket)


@blueprint.teardown_app_request
def _close(exc: BaseException | None) -> None:
    web.close_db(exc)


@blueprint.url_value_preprocessor
def _ids_in_range(endpoint: str | None, values: dict[str, Any] | None) -> None:
    # A path id (/console/units/<id>, /console/files/<id>) larger than SQLite stores names
    # nothing: a 404 page, not an OverflowError in the query.
    for value in (values or {}).values():
        if isinstance(value, int) and not 0 <= value <= web.SQLITE_MAX:
            raise Denied(404, "没有这个页面（编号不存在）。")


@blueprint.after_request
def _headers(resp: Response) -> Response:
    # Pages hold people's data: not cached, not framed by others, scripts and styles only
    # from this app, and no address (a login link) leaked in a Referer.
    resp.headers.setdefault("Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; object-src 'self'; "
                            "style-src 'self'; style-src-attr 'unsafe-inline'; "
                            "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
                            "base-uri 'none'")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    if resp.mimetype == "text/html":
        resp.headers["Cache-Control"] = "no-store"
    return resp


@blueprint.errorhandler(Denied)
def _denied(exc: Denied) -> Any:
    session = current_session(web.chat(), web.db())
    return render_template("console/message.html", title="无法访问", message=exc.message,
                           session=session, nav=web.nav(session)), exc.status


@blueprint.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"pts": pts, "fmt": fmt, "STATUS_ZH": STATUS_ZH, "SUBMISSION_KIND_ZH": SUBMISSION_KIND_ZH,
            "RECORD_STATUS_ZH": RECORD_STATUS_ZH, "record_status": _record_status,
            "RULE_KIND_ZH": RULE_KIND_ZH}


def _record_status(row: Any) -> str:
    """A submission's or a file's status in words: still waiting in a closed year is frozen."""
    if "console_closed" not in g:
        all_years = years(web.db())
        g.console_closed = ({y for y, status in all_years if status == "closed"},
                            min((y for y, _ in all_years), default=None))
    closed, first = g.console_closed
    if isinstance(row, dict):
        year = row["year"] if row.get("year") is not None else first
        return record_status_zh(row["status"], year, closed)
    return record_status_zh(row.status, Period.from_label(row.period).year, closed)
