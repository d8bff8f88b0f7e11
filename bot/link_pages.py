"""The pages behind the links the chat gives: /upload/<token> (evidence from a browser, for
channels that cannot send documents to the bot) and /download/<token> (exports and evidence
files). The links themselves live in ledger/links.py; the page is templates/upload.html."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, send_file

from bot.evidence import filing_period, record_period_report
from bot.pipeline import Pipeline
from ledger.db import LedgerError, immediate, now_iso
from ledger.links import spend_upload_link, take_download, upload_link, upload_link_used
from ledger.office import Office
from ledger.office import office_for_kind, year_status
from ledger.submissions import MAX_FILE_BYTES, store_evidence
from ledger.units import get_unit, still_bound
from worktime.period import Period

__all__ = ["make_blueprint", "too_large", "PREFIXES", "MAX_UPLOAD_BYTES"]

PREFIXES = ("/upload/", "/download/")
# One upload takes several files at once, each up to MAX_FILE_BYTES.
MAX_UPLOAD_BYTES = 3 * MAX_FILE_BYTES + 1024 * 1024
USED_LINK = "此链接已使用过（一次性链接）。如需再传，请在聊天中重新发送「佐证 指标」。"
STALE_LINK = "此链接已失效：发链接的联络员已改绑或解除绑定。请在聊天中重新发送「佐证 指标」。"
_MB = MAX_FILE_BYTES // 1024 // 1024


class _LinkSpent(Exception):
    """The upload link was used or went stale while the files were arriving."""


def _page(status: int = 200, **page: Any) -> tuple[str, int]:
    values = dict(unit="", indicator="", period="", mb=_MB, open=False, message="")
    return render_template("upload.html", **{**values, **page}), status


def too_large() -> tuple[str, int]:
    """The answer to an upload over the request limit (the app's 413 handler asks for it)."""
    return _page(413, message=f"上传的文件合计过大（每次最多 {3 * _MB} MB，"
                              f"单个文件不超过 {_MB} MB）。请返回重新选择。")


def make_blueprint(pipeline: Pipeline) -> Blueprint:
    bp = Blueprint("links", __name__)

    @bp.get("/download/<token>")
    def download(token: str) -> Any:
        db = pipeline.open_db()
        try:
            link = take_download(db, token, pipeline.clock())
        finally:
            db.close()
        if link is None:
            abort(404)
        if link.used_at:
            return Response("此下载链接只能使用一次，已被使用。请在聊天中重新发送「查看 编号」。",
                            status=410, mimetype="text/plain")
        if link.expires_at < now_iso(pipeline.clock()) or not Path(link.path).exists():
            return Response("下载链接已过期，请在聊天中重新发送「导出」或「查看 编号」。", status=410,
                            mimetype="text/plain")
        return send_file(link.path, as_attachment=True, download_name=link.name)

    @bp.route("/upload/<token>", methods=["GET", "POST"])
    def upload(token: str) -> Any:
        db = pipeline.open_db()
        try:
            return _upload(pipeline, db, token)
        finally:
            db.close()

    return bp


def _counted_for(db: Any, pipeline: Pipeline, kind: str, code: str, now: Any,
                 named: str | None = None) -> tuple[Office, str | None]:
    """The office year and period files uploaded now count for — as in chat: the period named
    when the link was asked for (佐证 双公示 2022年第四季度), else the current one (in January
    last year's Q4 台账 is last year's); stored and exported under that period's year."""
    off = office_for_kind(db, kind)
    ind = off.scheme.indicator(code)
    period = named or (filing_period(ind, now.date(), pipeline.cal) if ind else None)
    if period is not None:
        year = Period.from_label(period).year
        status = year_status(db, year)
        if named and status != "open":  # closed since the link was given
            raise _LinkSpent(f"{year}年度已关闭，{period} 的佐证材料不再接收。")
        if year != off.year and status == "open":
            off = office_for_kind(db, kind, year)
        if Period.from_label(period).kind == "year":
            period = None  # a yearly item's files are the year's
    return off, period


def _upload(pipeline: Pipeline, db: Any, token: str) -> Any:
    link = upload_link(db, token)
    if link is None:
        abort(404)
    now = pipeline.clock()
    page: dict[str, Any] = dict(unit=link.unit_name, indicator=link.indicator,
                                period=link.period or "", open=True)
    closed = dict(page, open=False)
    if link.expires_at < now_iso(now):
        return _page(410, **closed, message="链接已过期，请在聊天中重新发送「佐证 指标」获取新链接。")
    if link.used_at:
        return _page(410, **closed, message=USED_LINK)
    if not still_bound(db, link.member_id, link.unit_id):
        return _page(410, **closed, message=STALE_LINK)
    if request.method in ("GET", "HEAD"):
        return _page(**page)
    files = [f for f in request.files.getlist("file") if f.filename]
    if not files:
        return _page(400, **page, message="请选择文件。")
    contents = [(f, f.read(MAX_FILE_BYTES + 1)) for f in files]
    member_id = link.member_id
    try:
        stored = []
        with immediate(db):  # all the files of one upload, or none of them
            # Checked again under the write lock: two posts of one link race here.
            used = upload_link_used(db, token)
            if used or not still_bound(db, member_id, link.unit_id):
                raise _LinkSpent(USED_LINK if used else STALE_LINK)
            off, period = _counted_for(db, pipeline, get_unit(db, link.unit_id).kind,
                                       link.indicator, now, link.period)
            for f, content in contents:
                stored.append(store_evidence(
                    db, pipeline.data_dir, unit_id=link.unit_id, indicator=link.indicator,
                    content=content, original_name=f.filename or "", content_type=f.mimetype or "",
                    now=now, member_id=member_id, channel="upload", source_msg_id=None,
                    actor=f"upload:{member_id}", year=off.year, period=period))
            ind = off.scheme.indicator(link.indicator)
            note = record_period_report(db, pipeline.cal, link.unit_id, ind, now, member_id,
                                        "upload", len(contents),
                                        f"upload:{member_id}", period) if ind else ""
            spend_upload_link(db, token, now)
    except _LinkSpent as exc:
        return _page(410, **closed, message=str(exc))
    except LedgerError as exc:
        return _page(400, **page, message=f"上传失败：{exc}（本次文件均未保存，请修改后重新选择）")
    names = "、".join(row["original_name"] for row in stored)
    return _page(**closed, message=f"已收到：{names}，待信用办审核。{note.strip()}")
