"""`creditbot scheme draft | rule | export | import | diff`: this year's document in, a checked
scheme out. Thin commands over the authoring package (draft, rule_reader, workbook, diff)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import Settings, add, refuse

if TYPE_CHECKING:
    from bot.cli.common import Subcommands
    from schemes.model import Scheme

__all__ = ["register", "scheme_ref"]


def scheme_ref(ref: str) -> Scheme:
    """A scheme by id, or from a .yaml file, or from an exported .xlsx workbook."""
    from schemes.loader import load_scheme, scheme_by_id
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml"):
        return load_scheme(path)
    if path.suffix.lower() == ".xlsx":
        from authoring.workbook import import_workbook
        return import_workbook(path)[0]
    return scheme_by_id(ref)


def _writable(out: str, what: str) -> str | None:
    """Why `out` cannot be written, in words staff act on; None when it can."""
    path = Path(out)
    if not path.name.lower().endswith((".yaml", ".yml")) and what == "yaml":
        return f"输出文件名应以 .yaml 结尾，例如 -o 2025方案.yaml（收到 {out}）"
    if not path.parent.is_dir():
        return f"无法写入 {out}：文件夹 {path.parent} 不存在"
    if path.is_dir():
        return f"无法写入 {out}：这是一个文件夹"
    return None


def _kept(paths: list[Path], fresh: list[str] | None, force: bool) -> str | None:
    """Why writing `paths` would lose staff's work: an existing file that is not what this
    command would write anyway (a draft resolved for an hour, an edited workbook)."""
    if force:
        return None
    for k, path in enumerate(paths):
        if path.exists() and (fresh is None or path.read_text(encoding="utf-8", errors="replace") != fresh[k]):
            return (f"{path} 已存在，可能有已做的修改：换一个文件名，或加 --force 覆盖")
    return None


def _outputs(out: str, n: int) -> list[Path]:
    base = Path(out)
    if n == 1:
        return [base]
    return [base.with_name(f"{base.stem}-{k}{base.suffix}") for k in range(1, n + 1)]


def cmd_draft(args: argparse.Namespace, settings: Settings) -> int:
    from authoring.document import DocumentError
    from authoring.draft import draft_document, draft_yaml
    from schemes.loader import SchemeError, load_scheme
    why = _writable(args.output, "yaml")
    if why:
        return refuse(why)
    try:
        drafts = draft_document(args.file)
    except DocumentError as exc:
        return refuse(str(exc))
    if not drafts:
        return refuse(f"{args.file} 中没有找到考核表格（表头应含 项目/序号/考核指标、分值、评分标准 等），"
                      f"也没有编号的工作任务")
    paths, texts = _outputs(args.output, len(drafts)), [draft_yaml(d) for d in drafts]
    why = _kept(paths, texts, args.force)
    if why:
        return refuse(why)
    for draft, path, text in zip(drafts, paths, texts):
        path.write_text(text, encoding="utf-8")
        inds = sum(len(c["indicators"]) for c in draft.data["categories"])
        print(f"已写出 {path}：{draft.data['title']}，{len(draft.data['categories'])} 个类别，"
              f"{inds} 个指标，{draft.unresolved} 处待确认")
        try:
            load_scheme(path)
            print("  检查通过：可以用 creditbot scheme check 复核后使用")
            continue
        except SchemeError as exc:
            lines = exc.lines
        for line in lines[:args.show]:
            print(f"  {line}")
        if len(lines) > args.show:
            print(f"  ……另有 {len(lines) - args.show} 处，运行 creditbot scheme check {path} 查看全部")
        if draft.unresolved:  # the checks behind the 待确认 lines, so nothing surprises later
            for p in draft.problems:
                print(f"  待确认处理后还须修正：{p}")
    return 0


def cmd_rule(args: argparse.Namespace, settings: Settings) -> int:
    from authoring.reading import KIND_ZH
    from authoring.rule_reader import read_rule
    r = read_rule(" ".join(args.text))
    if args.json:
        print(json.dumps(r.to_json(), ensure_ascii=False, indent=2))
        return 0 if r.kind else 1
    if r.kind is None:
        print(f"未识别：{r.reason}")
        return 1
    j = r.to_json()
    print(f"规则类型：{KIND_ZH[r.kind]}（{r.kind}）")
    for k, v in j["params"].items():
        print(f"  {k}: {json.dumps(v, ensure_ascii=False)}")
    if j["points"] is not None:
        print(f"本条最高：{j['points']}分")
    if r.gate:
        print(f"门槛：{'一票否决' if r.gate == 'veto' else '基础指标'}")
    if r.links:
        print(f"关联：本条不得分时，第{'、'.join(map(str, r.links))}条也不得分")
    print("数据项：" + "；".join(f"{m['name']}（{m['label']}）" for m in r.metrics))
    print("依据：" + " | ".join(r.words))
    if r.reason:
        print(f"待确认：{r.reason}")
    return 0


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from schemes.loader import SchemeError
    from authoring.workbook import export_workbook
    if not args.file.lower().endswith(".xlsx"):
        return refuse("导出文件名应以 .xlsx 结尾")
    why = _kept([Path(args.file)], None, args.force)
    if why:
        return refuse(why)
    try:
        scheme = scheme_ref(args.id)
    except SchemeError as exc:
        # a draft is not a scheme until it checks: say so before the lines that say why
        print(f"错误：{args.id} 未通过检查，不能导出。先处理以下各处（或导出去年的方案再修改）：",
              file=sys.stderr)
        for line in exc.lines:
            print(f"  {line}", file=sys.stderr)
        return 1
    try:
        path = export_workbook(scheme, args.file)
    except OSError as exc:
        return refuse(f"无法写入 {args.file}（{exc.strerror or exc}）")
    rows = sum(len(i.parts) for _, i in scheme.indicators())
    print(f"已导出 {path}：{scheme.title}，{rows} 条评分规则（工作表「细则」每行一条）")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from authoring.workbook import import_workbook
    why = _writable(args.output, "yaml")
    if why:
        return refuse(why)
    scheme, text = import_workbook(args.file)  # refused before anything is written
    text = f"# 由 creditbot scheme import 从 {Path(args.file).name} 生成\n" + text
    why = _kept([Path(args.output)], [text], args.force)
    if why:
        return refuse(why)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"已写出 {args.output}：检查通过 — {scheme.id}，{len(scheme.categories)} 个类别，"
          f"{len(scheme.indicators())} 个指标")
    return 0


def cmd_diff(args: argparse.Namespace, settings: Settings) -> int:
    from authoring.diff import diff_schemes
    d = diff_schemes(scheme_ref(args.old), scheme_ref(args.new))
    if args.json:
        print(json.dumps(d.to_json(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(d.lines()))
    return 0


def register(ss: Subcommands) -> None:
    """Register the authoring verbs under `creditbot scheme`."""
    a = add(ss, "draft", cmd_draft, "从考核文件（.docx / .xlsx / 制表符分隔文本）生成方案草稿")
    a.add_argument("file")
    a.add_argument("-o", "--output", required=True, help="草稿文件（.yaml）；文件含多个附件时加 -1、-2")
    a.add_argument("--show", type=int, default=20, help="列出前几处待确认（默认 20）")
    a.add_argument("--force", action="store_true", help="覆盖已存在并改过的草稿")
    a = add(ss, "rule", cmd_rule, "看一条评分标准被读成什么规则")
    a.add_argument("text", nargs="+")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = add(ss, "export", cmd_export, "把方案导出为 Excel（每行一条评分规则，可在 WPS/Excel 中修改）")
    a.add_argument("id", help="方案编号或 .yaml 文件")
    a.add_argument("file")
    a.add_argument("--force", action="store_true", help="覆盖已存在的 Excel 文件")
    a = add(ss, "import", cmd_import, "从修改后的 Excel 读回方案（经过与 check 相同的检查）")
    a.add_argument("file")
    a.add_argument("-o", "--output", required=True, help="写出的方案文件（.yaml）")
    a.add_argument("--force", action="store_true", help="覆盖已存在并改过的方案文件")
    a = add(ss, "diff", cmd_diff, "比较两个方案：新增、删除、改名的指标，分值和规则的变化")
    a.add_argument("old", help="去年的方案（编号、.yaml 或 .xlsx）")
    a.add_argument("new", help="今年的方案（编号、.yaml 或 .xlsx）")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
