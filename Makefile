# youfu — `make run` starts the demo, `make test` runs the whole suite (SQLite, PostgreSQL, browser).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint install messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@$(BIN)/youfu serve

test: $(STAMP)
	@./scripts/test

lint: $(STAMP)
	$(BIN)/ruff check youfu
	$(BIN)/ruff format --check youfu
	$(BIN)/mypy youfu
	$(BIN)/python manage.py makemigrations --check --dry-run

messages: $(STAMP)
	cd youfu && ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) data
