# One entry point for setup, run, test, lint and bench (the README's commands call these).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
MSB := $(BIN)/mashangban

.PHONY: setup run test test-fast lint format bench bench-quick docs translations clean

CATALOGUE := web/translations/en/LC_MESSAGES/messages

setup: $(VENV)/.installed node_modules/.package-lock.json build/assets/modeler.js $(CATALOGUE).mo

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The English catalogue Flask-Babel reads, compiled from the committed .po.
$(CATALOGUE).mo: $(CATALOGUE).po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d web/translations

## After adding or changing a message: extract the Chinese message ids (babel.cfg), merge
## them into the English catalogue, then fill each new empty msgstr and run `make setup`.
translations: setup
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg --no-location --omit-header -o build/messages.pot .
	$(BIN)/pybabel update --ignore-obsolete -w 0 -i build/messages.pot -d web/translations
	$(BIN)/pybabel compile --statistics -d web/translations

# Front-end packages (Bootstrap, bpmn-js) pinned by package-lock.json, served by web/assets.py.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# The process admins' modeler (bpmn-js, properties panel, dmn-js) bundled by esbuild from
# web/frontend/ into the ignored build/assets/ (web/assets.py serves it).
build/assets/modeler.js: node_modules/.package-lock.json $(wildcard web/frontend/*)
	npm run build

## Set everything up and run the product on SQLite (instance/mashangban.db) at
## http://127.0.0.1:5000/ with the demo organisation and cases; timers fire in the server.
run: setup
	$(MSB) init
	$(MSB) deploy
	$(MSB) demo load
	$(MSB) serve

## The whole suite, SQLite and PostgreSQL (PostgreSQL tests skip with a reason if no server).
test: setup
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not postgres and not slow"

## ruff, mypy (strict on engine/, pyproject.toml [tool.mypy]) and vulture (dead code,
## pyproject.toml [tool.vulture] and vulture_whitelist.py).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/vulture

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Refresh the committed pictures in docs/ (diagram SVGs, README screenshots) from the browser
## tests; `make test` writes its pictures to the ignored build/docs/ and fails if docs/ is stale.
docs: setup
	MASHANGBAN_DOCS_OUT=docs MASHANGBAN_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q -m browser

## Every performance goal beside its baseline, SQLite and PostgreSQL (bench/README.md).
bench: setup
	$(BIN)/python -m bench

bench-quick: setup
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis *.egg-info
