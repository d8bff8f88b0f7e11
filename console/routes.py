"""The console's pages: staff (总览, 单位, 待审, 录入, 截止, 推送, 审计, 导出) and liaisons (本单位).

Pages read through console.readers and act through console.actions (the chat's own commands),
so the console and the chat can never disagree about a score or a permission.
"""
from __future__ import annotations

import io
import logging
import mimetypes
import secrets
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (Blueprint, Response, abort, g, make_response, redirect, render_template,
                   request, send_file, url_for)

from console import readers
from console.actions import nonce, run_as
from console.bridge import Chat
from console.auth import (COOKIE, STATE_COOKIE, Denied, cookie_args, current_session,
                          dingtalk_user_id, in_client, oauth_enabled, require, wecom_oauth_url,
                          wecom_user_id)
from console.charts import band_colour, bar_chart, line_chart
from ledger import audit
from ledger import submissions as subs
from ledger.db import LedgerError, data_version, open_db
from ledger.facts import CITY
from ledger.office import office, years
from ledger.outbox import list_items, retry_failed
from ledger.sessions import end_session, open_session, redeem_login
from ledger.units import Unit, find_member, get_unit
from scoring.card import STATUS_ZH, fmt, pts

__all__ = ["make_blueprint"]

log = logging.getLogger("creditbot")

INLINE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                ".gif": "image/gif", ".webp": "image/webp", ".bmp": "image/bmp",
                ".pdf": "application/pdf"}
KIND_ZH = {"data": "数据", "briefing": "月报", "report": "台账/材料", "task": "进展"}
REVIEW_PAGE = 40
SUB_STATUS_ZH = {"submitted": "待审核", "accepted": "已通过", "rejected": "已驳回",
                 "withdrawn": "已撤回", "superseded": "已更新"}


def make_blueprint(chat: Chat) -> Blueprint:
    """The console over the chat's pipeline (its ledger, clock, calendar and card cache)."""
    bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
                   static_folder="static", static_url_path="/static")
    settings = chat.settings
    history = readers.HistoryCache()
    clients: dict[str, Any] = {}  # platform API clients, made on first use (their tokens are cached)

    def db() -> Any:
        if "console_db" not in g:
            g.console_db = open_db(settings["CREDITBOT_DB"], migrate=False)
        return g.console_db

    @bp.teardown_app_request
    def _close(_: BaseException | None) -> None:
        conn = g.pop("console_db", None)
        if conn is not None:
            conn.close()

    def desk(session: Any) -> readers.Desk:
        """The scheme (?scheme=) and year (?year=) the page speaks of, as chosen on the page."""
        conn = db()
        year = request.values.get("year", "")
        try:
            return readers.make_desk(chat, conn, session.member, data_version(conn),
                                     request.values.get("scheme") or None,
                                     int(year) if year.isdigit() else None)
        except LedgerError as exc:
            raise Denied(404 if year else 503, str(exc)) from None

    def switch(d: readers.Desk) -> dict[str, Any]:
        """What the scheme/year switch of a page needs."""
        return {"offices": d.offices, "years": years(db()), "office": d.office}

    signed_in = require(chat, db)
    staff_only = require(chat, db, staff=True)

    @bp.after_request
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

    @bp.errorhandler(Denied)
    def _denied(exc: Denied) -> Any:
        session = current_session(chat, db())
        return render_template("console/message.html", title="无法访问", message=exc.message,
                               session=session, nav=_nav(session)), exc.status

    @bp.app_context_processor
    def _helpers() -> dict[str, Any]:
        return {"pts": pts, "fmt": fmt, "STATUS_ZH": STATUS_ZH, "KIND_ZH": KIND_ZH,
                "SUB_STATUS_ZH": SUB_STATUS_ZH}

    def page(template: str, session: Any, **kw: Any) -> str:
        return render_template(f"console/{template}", session=session, nav=_nav(session),
                               csrf=session.csrf, form_id=nonce(), **kw)

    # ---- logging in --------------------------------------------------------------------------

    @bp.get("/")
    def home() -> Any:
        session = current_session(chat, db())
        if session is None:
            client = in_client()
            if client == "wecom" and oauth_enabled(settings, "wecom"):
                url, state = wecom_oauth_url(settings)
                resp = redirect(url)
                resp.set_cookie(STATE_COOKIE, state, max_age=600,
                                **{**cookie_args(settings), "samesite": "Lax"})
                return resp
            return render_template("console/login.html", session=None, nav=[], token=None,
                                   dingtalk=client == "dingtalk" and oauth_enabled(settings, "dingtalk"),
                                   corp_id=settings.get("DINGTALK_CORP_ID", "")), 401
        return redirect(url_for(".overview" if session.member.is_staff else ".mine"))

    @bp.get("/login/<token>")
    def login_form(token: str) -> Any:
        # A GET only shows a button: link previews in chat must not use up the one-time link.
        return render_template("console/login.html", session=None, nav=[], token=token)

    @bp.post("/login/<token>")
    def login(token: str) -> Any:
        origin = request.headers.get("Origin", "")
        if origin and urlsplit(origin).netloc != request.host:  # no logging in from elsewhere
            raise Denied(403, "登录请求来源不明。请直接在浏览器中打开聊天里收到的链接。")
        conn = db()
        try:
            member = redeem_login(conn, token, chat.clock())
        except LedgerError as exc:
            return render_template("console/message.html", title="无法登录", message=str(exc),
                                   session=None, nav=[]), 410
        return _start(conn, member, "chat-link", same_site=True)

    def _start(conn: Any, member: Any, how: str, same_site: bool) -> Any:
        sid, _ = open_session(conn, member, chat.clock(), how)
        if same_site:
            resp = redirect(url_for(".home"), code=303)
        else:
            # Back from the platform's site: a SameSite=Strict cookie is not sent on a redirect
            # that started elsewhere, so this page moves on by itself, from our own site.
            resp = make_response(render_template("console/message.html", title="登录成功",
                                                 message="正在进入控制台…", session=None, nav=[],
                                                 refresh=url_for(".home")))
        resp.set_cookie(COOKIE, sid, **cookie_args(settings))
        return resp

    @bp.get("/oauth/wecom")
    def oauth_wecom() -> Any:
        if not oauth_enabled(settings, "wecom"):
            abort(404)
        state = request.cookies.get(STATE_COOKIE, "")
        if not state or not secrets.compare_digest(state, request.args.get("state", "")):
            raise Denied(403, "登录校验未通过（state 不符）。请关闭页面后从企业微信重新进入。")
        from channels.wecom import WeComClient
        client = clients["wecom"] if "wecom" in clients \
            else clients.setdefault("wecom", WeComClient(settings))
        user = _platform(lambda: wecom_user_id(client, request.args.get("code", "")), "企业微信")
        return _oauth_member("wecom", user)

    @bp.get("/oauth/dingtalk")
    def oauth_dingtalk() -> Any:
        if not oauth_enabled(settings, "dingtalk"):
            abort(404)
        from channels.dingtalk import DingTalkClient
        client = clients["dingtalk"] if "dingtalk" in clients \
            else clients.setdefault("dingtalk", DingTalkClient(settings))
        user = _platform(lambda: dingtalk_user_id(client, request.args.get("code", "")), "钉钉")
        return _oauth_member("dingtalk", user)

    def _platform(ask: Any, name: str) -> str:
        """The platform's answer; its outage is a clear page, not a 500."""
        try:
            return ask()
        except Denied:
            raise
        except Exception as exc:  # network, token or JSON trouble on the platform's side
            log.warning("console login through %s failed: %s", name, type(exc).__name__)
            raise Denied(502, f"暂时无法连接{name}确认身份，请稍后再试，或在聊天中发送「控制台」获取登录链接。") from None

    def _oauth_member(channel: str, user: str) -> Any:
        conn = db()
        member = find_member(conn, channel, user)
        if member is None:
            raise Denied(403, f"您的账号（用户ID：{user}）还没有绑定单位。请把用户ID发给市信用办绑定。")
        resp = _start(conn, member, f"oauth-{channel}", same_site=False)
        resp.delete_cookie(STATE_COOKIE, path="/console")
        return resp

    @bp.post("/logout")
    @signed_in
    def logout(session: Any) -> Any:
        end_session(db(), request.cookies.get(COOKIE, ""), chat.clock())
        resp = make_response(render_template("console/message.html", title="已退出",
                                             message="已退出控制台。需要时在聊天中发送「控制台」重新登录。",
                                             session=None, nav=[]))
        resp.delete_cookie(COOKIE, path="/console")
        return resp

    # ---- staff pages -------------------------------------------------------------------------

    @bp.get("/overview")
    @staff_only
    def overview(session: Any) -> Any:
        d = desk(session)
        cards = d.cards()
        bands = [b.name for b in d.office.scheme.bands]
        ids = {u.name: u.id for u in d.units()}
        ranked = readers.ranking(cards)
        top = d.office.scheme.base_total or max((c.total or 0 for c in cards.values()), default=1)
        if d.office.scheme.bonus_cap:
            top += d.office.scheme.bonus_cap
        rows = [(name, card.total, band_colour(card.band, bands),
                 url_for(".unit", unit_id=ids[name]) if name in ids else url_for(".overview"))
                for name, card in ranked]
        return page("overview.html", session, **switch(d), ranked=ranked, ids=ids,
                    chart=bar_chart(rows, top), counts=readers.band_counts(d.office, cards),
                    colours={b: band_colour(b, bands) for b in bands},
                    grids=readers.period_grid(d), city=d.office.city_level)

    @bp.get("/units/<int:unit_id>")
    @signed_in
    def unit(session: Any, unit_id: int) -> Any:
        return _unit_page(session, unit_id)

    def _unit_page(session: Any, unit_id: int, reply: str | None = None) -> Any:
        d = desk(session)
        the_unit = _unit_for(session, unit_id)
        card = d.card_of(the_unit)
        months, series = readers.unit_history(d, history)
        key = CITY if d.office.city_level else the_unit.name
        top = (d.office.scheme.base_total or 100) + (d.office.scheme.bonus_cap or 0)
        chart = line_chart(months, series.get(key, []), top) if months else None
        mine = {i.code for i in d.indicators(the_unit)}
        targets: dict[str, list[tuple[str, str]]] = {}
        if session.member.is_staff:  # 打分 beside the item, with its material on the same page
            for value, label in _point_targets(d.office.scheme, chat.staff_only_metrics):
                targets.setdefault(value.partition("|")[0], []).append((value, label))
        return page("unit.html", session, office=d.office, unit=the_unit, card=card, reply=reply,
                    targets=targets,
                    chart=chart, items=[i for i in card.items if i.code in mine],
                    submissions=subs.list_submissions(d.db, the_unit.id, limit=200),
                    files=subs.list_evidence(d.db, the_unit.id), names=_ind_names(d),
                    labels=_metric_labels(d))

    def _form_int(name: str) -> int:
        value = request.form.get(name, "").strip()
        if not value.isdigit():
            raise Denied(400, "表单内容不完整，请刷新页面后重新提交。")
        return int(value)

    def _unit_for(session: Any, unit_id: int) -> Unit:
        """Staff see any unit; a liaison only their own (as in chat)."""
        try:
            the_unit = get_unit(db(), unit_id)
        except LedgerError:
            abort(404)
        if not session.member.is_staff and session.member.unit_id != the_unit.id:
            raise Denied(403, "您只能查看本单位的得分和材料。")
        return the_unit

    @bp.get("/files/<int:file_id>")
    @signed_in
    def evidence_file(session: Any, file_id: int) -> Any:
        row = readers.evidence_row(db(), file_id)
        if row is None:
            abort(404)
        _unit_for(session, row["unit_id"])
        path = Path(row["path"]).resolve()  # CREDITBOT_DATA may be relative to the working dir
        if not path.exists():
            abort(404)
        suffix = path.suffix.lower()
        inline = suffix in INLINE_TYPES and not request.args.get("download")
        resp = send_file(path, mimetype=INLINE_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0]
                         or "application/octet-stream", as_attachment=not inline,
                         download_name=row["original_name"])
        # An uploaded file is shown, never run: no sniffing, no framing by other sites, and no
        # scripts or requests from anything but a PDF (whose viewer the browser runs itself).
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Content-Security-Policy"] = (
            "frame-ancestors 'self'" if suffix == ".pdf" else
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'")
        return resp

    @bp.route("/reviews", methods=["GET", "POST"])
    @staff_only
    def reviews(session: Any) -> Any:
        reply = None
        if request.method == "POST":
            the_unit = _unit_for(session, _form_int("unit_id"))
            verdict = "通过" if request.form.get("verdict") == "accept" else "驳回"
            reason = " ".join(request.form.get("reason", "").split())
            code = request.form.get("code", "").strip()
            period = request.form.get("period", "").strip()  # one period only, as in chat
            if verdict == "驳回" and not reason:
                reply = "驳回时请写明理由，联络员才知道怎么改。"
            else:
                reply = run_as(chat, session.member,
                               " ".join(filter(None, ["审核", the_unit.name, code, period, verdict,
                                                      reason])),
                               request.form.get("form_id", "")).text
        d = desk(session)
        only = request.values.get("unit", "")
        only_unit = _unit_for(session, int(only)) if only.isdigit() else None
        queue = readers.review_queue(d, only_unit)
        # A page of the oldest: reviewing is done from the top, and a page of thousands of
        # records helps nobody (the unit filter narrows it).
        return page("reviews.html", session, queue=queue[:REVIEW_PAGE], total=len(queue),
                    reply=reply, labels=_metric_labels(d), units=d.units(), only=only_unit)

    @bp.route("/entry", methods=["GET", "POST"])
    @staff_only
    def entry(session: Any) -> Any:
        reply, kind = None, request.form.get("kind", "")
        if request.method == "POST" and kind == "command":  # any chat command, as typed in chat
            text = " ".join(request.form.get("text", "").split())
            reply = (run_as(chat, session.member, text, request.form.get("form_id", "")).text
                     if text else "请输入命令，例如：未交 2022-08")
        elif request.method == "POST" and kind == "undo":  # 撤销 <编号>: the act's own number
            text = "撤销 " + "".join(request.form.get("act", "").split())
            reply = run_as(chat, session.member, text, request.form.get("form_id", "")).text
        elif request.method == "POST" and kind in ("enter", "confirm"):  # 代报 / 确认
            the_unit = _unit_for(session, _form_int("unit_id"))
            words = [request.form.get(k, "") for k in
                     (("code", "period", "values") if kind == "enter" else ("code", "verdict", "reason"))]
            text = " ".join(["代报" if kind == "enter" else "确认", the_unit.name]
                            + [" ".join(w.split()) for w in words if w.strip()])
            reply = run_as(chat, session.member, text, request.form.get("form_id", "")).text
        elif request.method == "POST":
            the_unit = _unit_for(session, _form_int("unit_id"))
            code = request.form.get("code", "").strip()
            note = " ".join(request.form.get("reason", "").split())
            if kind == "points":  # the target is "code|part": 酌情 part number or staff value
                code, _, part = code.partition("|")
                amount = "".join(request.form.get("points", "").split())
                amount = f"{part}={amount}" if part else amount
                text = f"打分 {the_unit.name} {code} {amount} {note}"
            else:
                event = any(e.name == code for e in desk(session).scheme_of(the_unit).downgrade_events)
                cases = "" if event else "".join(request.form.get("cases", "").split()) or "1"
                text = f"扣分 {the_unit.name} {code} {cases} {note}"
            reply = run_as(chat, session.member, text.strip(), request.form.get("form_id", "")).text
            if request.form.get("back") == "unit":
                return _unit_page(session, the_unit.id, reply)
        d = desk(session)
        scheme = d.office.scheme
        deductions = [i for c in scheme.categories if c.section == "deduction" for i in c.indicators]
        return page("entry.html", session, **switch(d), units=d.units(),
                    targets=_point_targets(scheme, chat.staff_only_metrics),
                    deductions=deductions, events=scheme.downgrade_events, reply=reply,
                    chosen=request.form)

    @bp.get("/calendar")
    @signed_in
    def calendar(session: Any) -> Any:
        d = desk(session)
        own = None if session.member.is_staff else _own(session)
        mine = {i.code for i in d.indicators(own)}
        rows = [r for r in readers.year_calendar(d) if r[1].code in mine]
        return page("calendar.html", session, **switch(d), rows=rows, today=d.today, cal=d.cal)

    @bp.get("/outbox")
    @staff_only
    def outbox(session: Any) -> Any:
        status = request.args.get("status") or None
        items = list_items(db(), status)[-300:][::-1]
        return page("outbox.html", session, items=items, status=status)

    @bp.post("/outbox/<int:item_id>/retry")
    @staff_only
    def outbox_retry(session: Any, item_id: int) -> Any:
        try:  # the same function as `creditbot outbox retry`
            retry_failed(db(), [item_id], chat.clock(),
                         f"{session.member.name}({session.member.user_id})")
        except LedgerError as exc:
            raise Denied(409, str(exc)) from None
        return redirect(url_for(".outbox"), code=303)

    @bp.get("/audit")
    @staff_only
    def audit_log(session: Any) -> Any:
        names = {str(u.id): u.name for u in desk(session).units()}
        rows = audit.entries(db(), limit=300)
        for r in rows:  # "3/11" (unit id / indicator) reads better as 市民政局 11
            unit_id, sep, code = r["target"].partition("/")
            if sep and unit_id in names:
                r["target"] = f"{names[unit_id]} {code}".strip()
        return page("audit.html", session, rows=rows)

    @bp.get("/export")
    @staff_only
    def export(session: Any) -> Any:
        year = request.args.get("year", "")
        reply = run_as(chat, session.member, f"导出 {year}".strip() if year.isdigit() else "导出",
                       nonce())
        if not reply.files:
            raise Denied(409, reply.text)
        paths = [Path(f).resolve() for f in reply.files]  # relative to the working dir
        if len(paths) == 1:
            return send_file(paths[0], as_attachment=True, download_name=paths[0].name)
        return send_file(_zip(paths), as_attachment=True, mimetype="application/zip",
                         download_name=paths[0].name.split("-")[0] + f"-{len(paths)}个方案.zip")

    # ---- liaison pages -----------------------------------------------------------------------

    def _own(session: Any) -> Unit:
        if session.member.unit_id is None:
            raise Denied(403, "您的账号没有绑定单位。")
        return get_unit(db(), session.member.unit_id)

    @bp.route("/mine", methods=["GET", "POST"])
    @signed_in
    def mine(session: Any) -> Any:
        if session.member.is_staff:
            return redirect(url_for(".overview"))
        the_unit = _own(session)
        reply = None
        if request.method == "POST":
            reply = _upload(session, the_unit)
        d = desk(session)
        card = d.card_of(the_unit)
        texts = {word: chat.ask(word, d.ctx) for word in ("缺项", "截止")}
        inds = [i for i in d.indicators(the_unit) if i.evidence or (i.due is not None)]
        return page("mine.html", session, unit=the_unit, card=card, texts=texts, inds=inds,
                    reply=reply, office=d.office)

    def _upload(session: Any, the_unit: Unit) -> str:
        files = [f for f in request.files.getlist("file") if f.filename]
        code = request.form.get("code", "").strip()
        if not code:
            return "请选择指标。"
        if not files:
            return "请选择要上传的文件。"
        folder = chat.data_dir / "incoming"
        folder.mkdir(parents=True, exist_ok=True)
        stored = []
        for f in files:
            path = folder / f"{secrets.token_hex(12)}.part"
            f.save(path)
            stored.append((path, f.filename, f.mimetype or ""))
        return run_as(chat, session.member, code, request.form.get("form_id", ""), stored).text

    return bp


def _zip(paths: list[Path]) -> io.BytesIO:
    """Several schemes' workbooks as one download (one file per scheme, as 导出 makes them)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for p in paths:
            z.write(p, p.name)
    buf.seek(0)
    return buf


def _point_targets(scheme: Any, staff_only_metrics: Any) -> list[tuple[str, str]]:
    """What 打分 can set, as (form value, label): each 酌情 part, and each value only the
    office enters (the chat's `打分 单位 指标 名称=值`)."""
    out = []
    for _, ind in scheme.indicators():
        parts = [p for p in ind.parts if p.kind == "discretionary"]
        for n, p in enumerate(parts, start=1):
            cap = p.max_points if p.max_points is not None else ind.max_points
            out.append((f"{ind.code}|{n if len(parts) > 1 else ''}",
                        f"{ind.code} {ind.name} · {p.label or '酌情计分'}（0–{fmt(cap)} 分）"))
        for m in staff_only_metrics(ind):
            if any(p.metric == m.name for p in parts):
                continue
            out.append((f"{ind.code}|{m.name}", f"{ind.code} {ind.name} · {m.label}"))
    return out


def _metric_labels(d: readers.Desk) -> dict[str, dict[str, str]]:
    """Per indicator, each metric's Chinese label (submissions store the metric names)."""
    return {i.code: {m.name: m.label for m in i.metrics} for _, i in d.office.scheme.indicators()}


def _ind_names(d: readers.Desk) -> dict[str, str]:
    return {i.code: i.name for _, i in d.office.scheme.indicators()}


def _nav(session: Any) -> list[tuple[str, str]]:
    if session is None:
        return []
    if session.member.is_staff:
        return [("console.overview", "总览"), ("console.reviews", "待审"), ("console.entry", "打分扣分"),
                ("console.calendar", "截止"), ("console.outbox", "推送"), ("console.audit_log", "审计"),
                ("console.export", "导出")]
    return [("console.mine", "本单位"), ("console.calendar", "截止")]
