# insightpulse.platform: developer entry points. `make help` lists them.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
# Molecule scenarios to run (default: all of them, longest first; see scripts/molecule.sh).
SCENARIOS ?=

.PHONY: help setup sandbox images image-tests demo demo-check demo-down lint unit contract ocr mcp addons sanity molecule test build bench

help: ## this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

setup: ## Debian packages + pinned Python tooling (.venv) + OCR service venv
	scripts/setup.sh

sandbox: setup ## a Docker daemon, Debian 12/13 systemd images, the service images and their registry
	scripts/sandbox.sh

images: ## (re)build changed service images (images/<name>/) and push them to the sandbox registry
	scripts/images.py build

image-tests: ## each sandbox image keeps the official image's interface the roles use
	pytest -q tests/images --junitxml=.cache/junit/images.xml

demo: sandbox ## the main job: converge the platform on the local Docker sandbox inventory
	ansible-playbook playbooks/sandbox.yml -i inventories/local
	ansible-playbook site.yml -i inventories/local
	ansible-playbook playbooks/demo-info.yml -i inventories/local

demo-check: ## re-run the platform in check mode against the sandbox (should report no changes)
	ansible-playbook site.yml -i inventories/local --check --diff

demo-down: ## remove the sandbox hosts
	ansible-playbook playbooks/sandbox.yml -i inventories/local -e sandbox_state=absent

lint: ## yamllint, ansible-lint (production profile), ruff, changelog fragments, OCA's addon checks
	yamllint --strict .
	antsibull-changelog lint
	ansible-lint
	ruff check .
	scripts/lint-addons.sh

unit: ## unit tests of plugins and workflows
	pytest -q tests/unit tests/workflows tests/addons --junitxml=.cache/junit/unit.xml

contract: ## contract tests against a real Odoo 18 started from the sandbox images (or ODOO_URL)
	pytest -q tests/contract --junitxml=.cache/junit/contract.xml

ocr: ## OCR service tests (real OCR on generated receipts)
	cd services/ocr && .venv/bin/python -m pytest -q tests --junitxml=../../.cache/junit/ocr.xml

addons: ## the collection's Odoo addons' own tests (odoo --test-enable on real Odoo 18)
	scripts/odoo-addon-tests.sh

mcp: ## MCP coordinator tests (the SDK's client; real Odoo 18 and the real OCR engine)
	cd services/mcp && .venv/bin/python -m pytest -q tests --junitxml=../../.cache/junit/mcp.xml

sanity: ## ansible-test sanity on plugins/
	tests/sanity/run.sh

molecule: ## Molecule scenarios (SCENARIOS="default docker" to pick)
	scripts/molecule.sh $(SCENARIOS)

test: sandbox ## everything CI runs: lint, unit, contract, OCR, sanity, Molecule; one summary line
	scripts/test.sh

build: ## build the collection tarball into dist/
	@mkdir -p dist
	ansible-galaxy collection build --force --output-path dist

bench: ## benchmarks (figures printed, never asserted); faults.py crashes the demo's containers, so it runs only when asked
	@for b in benchmarks/*.py; do [ "$$b" = benchmarks/faults.py ] && continue; echo "== $$b"; python $$b; done
