# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-lowest install bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/creditbot demo --host 127.0.0.1 --port 5000

# TZ=UTC: the office keeps Beijing time whatever the host zone (tests/test_timezones.py starts
# processes under other zones too).
# -n auto --dist loadfile: one pytest-xdist worker per core, each test file whole on one worker
# (a file's module fixtures, its browser, are set up once). Bytecode is written even where the
# environment says not to: the suite starts ~40 interpreters (workers, `creditbot serve`
# subprocesses) that would otherwise each compile the project from source.
# Test files go to /dev/shm where it is a tmpfs with room (2 GB free): the ledger commits with
# synchronous=FULL, and on a disk each of a test's commits waits for its fsync (a test office's
# setup: 81 ms on disk, 14 ms in memory). Nothing the suite checks needs the platter: the crash
# tests kill processes, and a killed process's commits are in the page cache either way.
TEST_TMP := $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 && $$1 == "tmpfs" && $$4 > 2000000 {print "/dev/shm"}')
PYTEST := env -u PYTHONDONTWRITEBYTECODE TZ=UTC $(if $(TEST_TMP),TMPDIR=$(TEST_TMP))
PYTEST_ARGS := -n auto --dist loadfile

# mypy first: every package's type hints ([tool.mypy] in pyproject.toml), then the suite.
test: $(STAMP)
	@bash .ci/system-deps
	$(BIN)/python -m mypy
	$(PYTEST) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite on the oldest versions pyproject.toml allows (constraints-lowest.txt), in a throwaway
# venv: a lower bound the code has outgrown fails here, not in an office. .ci/run runs it too.
test-lowest:
	rm -rf .venv-lowest
	$(PYTHON) -m venv .venv-lowest
	.venv-lowest/bin/python -m pip install --quiet -c constraints-lowest.txt -e '.[test]'
	@bash .ci/system-deps
	$(PYTEST) .venv-lowest/bin/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .venv-lowest build *.egg-info
