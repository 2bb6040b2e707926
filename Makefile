# skinscan — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SKINSCAN := $(VENV)/bin/skinscan
DATA ?= $(SKINSCAN_DATA)
HOST ?= 127.0.0.1
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install install-serve haproxy run test test-py test-web test-e2e lint typecheck train evaluate bench web api-types clean fuzz

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

$(VENV)/.serve-stamp: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.all-stamp: pyproject.toml $(VENV)/.serve-stamp
	$(PY) -m pip install -q -e '.[train,dev]'
	touch $@

web/node_modules/.stamp: web/package.json web/package-lock.json
	cd web && (npm ci --no-audit --no-fund || npm ci --no-audit --no-fund)  # once more: a registry reset failed a CI run
	touch $@

web/dist/index.html: web/node_modules/.stamp $(VENV)/.serve-stamp $(shell find web/src web/public web/index.html web/vite.config.ts web/tsconfig*.json -type f 2>/dev/null)
	cd web && npm run build
	$(PY) -m skinscan.api.static web/dist  # .gz/.br beside each text and .wasm file, served as they are

web: web/dist/index.html ## Build the page (web/dist)

install-serve: $(VENV)/.serve-stamp web ## Serving dependencies and the built page only

haproxy: ## Debian's HAProxy for `skinscan cluster` (installed when missing and we are root)
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	  else echo "haproxy missing: sudo apt-get install -y haproxy (skinscan cluster and its tests need it)"; fi

install: $(VENV)/.all-stamp web haproxy ## Everything: serving + train + dev extras, the built page, haproxy

run: install-serve ## Start the app on http://$(HOST):$(PORT) with the shipped model
	$(SKINSCAN) serve --host $(HOST) --port $(PORT)

lint: $(VENV)/.all-stamp web/node_modules/.stamp ## ruff; import layers + no cycles (import-linter); ESLint, Prettier, 120 columns on web/
	$(VENV)/bin/ruff check src tests bench scripts web/scripts fuzz
	$(VENV)/bin/ruff format --check src tests bench scripts web/scripts fuzz
	$(VENV)/bin/lint-imports
	cd web && npm run lint

typecheck: $(VENV)/.all-stamp ## mypy (strict) on src/skinscan
	$(VENV)/bin/mypy

test-py: $(VENV)/.all-stamp web
	$(VENV)/bin/pytest

test-web: web/node_modules/.stamp
	cd web && npm run typecheck && npm run test

test-e2e: $(VENV)/.all-stamp web ## Browser tests: the real server + built page in headless Chromium
	cd web && npm run e2e

test: install lint typecheck test-web test-py test-e2e ## Install, then lint, type-check, pytest, web unit tests, browser e2e

fuzz: $(VENV)/.all-stamp ## atheris harnesses (image headers, multipart), FUZZ_SECONDS each (default 30); .ci/run runs it
	bash fuzz/run.sh $(or $(FUZZ_SECONDS),30)

train: $(VENV)/.all-stamp ## Retrain (SKINSCAN_DATA or DATA=...), export and evaluate into models/ and reports/
	$(SKINSCAN) train --data "$(DATA)" --out runs/latest
	$(SKINSCAN) export --run runs/latest --out models --data "$(DATA)"
	$(SKINSCAN) evaluate --data "$(DATA)" --model models/skinscan.onnx

evaluate: $(VENV)/.all-stamp ## Re-evaluate the shipped model on the test split (reports/)
	$(SKINSCAN) evaluate --data "$(DATA)" --model models/skinscan.onnx

bench: install ## Benchmarks: results in bench/results/*.json (HTTP throughput needs wrk: apt-get install wrk; cluster needs haproxy)
	$(SKINSCAN) bench

api-types: $(VENV)/.serve-stamp ## Regenerate docs/openapi.json and web/src/api/schema.ts from the app (commit both)
	$(SKINSCAN) openapi --out docs/openapi.json
	cd web && npx --yes openapi-typescript@7.13.0 ../docs/openapi.json -o src/api/schema.ts
	cd web && node scripts/wrap_comments.mjs src/api/schema.ts
	sed -i "1i // From docs/openapi.json (sha256 $$(sha256sum docs/openapi.json | cut -d' ' -f1)), \`make api-types\`." web/src/api/schema.ts

clean: ## Remove the virtual environment, node_modules and builds
	rm -rf $(VENV) web/node_modules web/dist
