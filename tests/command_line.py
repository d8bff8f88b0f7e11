"""`creditbot …` run inside the test process: `bot.cli.main(argv)` with its own settings
environment, working folder and captured output — what a subprocess gave, without starting
Python and reading the shipped schemes again for every call. A bug raises here, with its
traceback, instead of becoming a return code. tests/test_command_line.py keeps real processes
for what only a process shows (the installed script, a closed pipe)."""
from __future__ import annotations

import io
import os
from collections.abc import Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from bot.cli import main
from bot.config import KNOWN_KEYS

ROOT = Path(__file__).resolve().parent.parent
_SETTING_PREFIXES = ("CREDITBOT_", "WECOM_", "DINGTALK_")


@dataclass
class Run:
    """The fields of subprocess.CompletedProcess the tests read."""
    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def creditbot(*args: str, cwd: Path | str = ROOT, env: Mapping[str, object] | None = None) -> Run:
    """Run one command as staff would type it. Settings come from `env` only (as in a clean
    shell): the test process's own settings variables are set aside for the call."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    out, err = io.StringIO(), io.StringIO()
    try:
        for key in list(os.environ):
            if key in KNOWN_KEYS or key.startswith(_SETTING_PREFIXES):
                del os.environ[key]
        os.environ.update({k: str(v) for k, v in (env or {}).items()})
        os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse: a usage error (2) or --help (0)
                code = 0 if exc.code is None else exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return Run([str(a) for a in args], code, out.getvalue(), err.getvalue())
