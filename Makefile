# Two commands do all setup on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := wsgi.py
PORT ?= 5000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install run test test-sqlite test-pg bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The demo runs on its own clock: today is 2021-11-15 on every page (`make run TRACKER_TODAY=` for the real date).
# The scheduler runs beside the web server; Ctrl+C stops both.
run: export TRACKER_TODAY ?= 2021-11-15
run: $(STAMP)
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	@echo ""
	@echo "政务公开任务督办系统已启动：http://127.0.0.1:$(PORT)  （定时任务进程同时运行；Ctrl+C 一并停止）"
	@$(BIN)/flask scheduler run & sched=$$!; \
	trap 'kill -TERM $$sched 2>/dev/null; wait $$sched' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port $(PORT)

# SQLite always; PostgreSQL too when TRACKER_TEST_DATABASE_URL is set. pytest's exit 5 (no tests) fails.
test: $(STAMP)
	env -u TRACKER_TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TRACKER_TEST_DATABASE_URL" ]; then \
		echo "== PostgreSQL: $$TRACKER_TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest $(PYTEST_ARGS); \
	fi

bench: $(STAMP)
	$(BIN)/python -m bench --db sqlite --scale province --json bench/results/sqlite.json
	$(BIN)/python -m bench --db postgresql --scale province --json bench/results/postgresql.json

clean:
	rm -rf $(VENV) instance .pytest_cache
