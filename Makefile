# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Chromium for the browser tests (tests_browser/conftest.py looks in the same order):
# HALTE_CHROMIUM when set, else Debian's package, else Playwright's own download.
DEBIAN_CHROMIUM ?= /usr/bin/chromium
APT_GET ?= apt-get
USER_ID ?= $(shell id -u)
PLAYWRIGHT_INSTALL ?= $(BIN)/python -m playwright install chromium

.PHONY: demo test install chromium lint format bench messages mutate

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Halte needs Python 3.11 or newer (found: $$($(PYTHON) --version))."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

# The web server, a task worker and the scheduler together; one Ctrl-C stops all three.
# HALTE_DEMO_ACTIVITY: the demo organisation lives while it runs (halte/demo/activity.py).
demo: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	HALTE_DEMO_ACTIVITY=$${HALTE_DEMO_ACTIVITY:-true} $(BIN)/python manage.py serve_demo $(HOST):$(PORT)

# Installs Chromium where it is missing; nothing (and quickly) when it is there. As
# root on Debian/Ubuntu: Debian's package, which brings the libraries it needs.
# Otherwise Playwright's download into ~/.cache/ms-playwright (it skips what it has).
chromium: install
	@if [ -n "$$HALTE_CHROMIUM" ]; then \
		test -x "$$HALTE_CHROMIUM" || { echo "HALTE_CHROMIUM=$$HALTE_CHROMIUM is not a program."; exit 1; }; \
	elif [ -x "$(DEBIAN_CHROMIUM)" ]; then \
		:; \
	elif [ "$(USER_ID)" = 0 ] && command -v $(firstword $(APT_GET)) >/dev/null; then \
		echo "Installing Chromium for the browser tests (Debian's package)."; \
		$(APT_GET) update && $(APT_GET) install -y chromium; \
	else \
		echo "Installing Chromium for the browser tests (Playwright's download)."; \
		$(PLAYWRIGHT_INSTALL); \
	fi

test: install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)

messages: install
	$(BIN)/python manage.py makemessages --locale nl --ignore '.venv/*' --ignore 'bench/*'
	$(BIN)/python manage.py compilemessages --locale nl --ignore '.venv/*'

# Mutation testing (mutmut) over core, the audit chain check and the services of the apps
# that hold client data, one module at a time against its own tests; outside CI (CPU
# heavy). Uses the venv as it is and installs nothing. Scores: MUTATION.md.
#   make mutate MUTATE_ARGS="phone roles --time-cap 600"
mutate:
	@$(BIN)/python -c "import mutmut" 2>/dev/null || { echo "mutmut is missing from $(BIN): run make install first."; exit 1; }
	$(BIN)/python tools/mutate.py $(MUTATE_ARGS)
