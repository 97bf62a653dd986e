# Campaign delivery status. Every target works from a fresh clone: no AWS account, no Docker.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
AWS_PORT ?= 4566
STAGE ?= dev
NAG ?= false
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
# jsii supports Node 22+ now and says so at every start; Node 20 still runs it (what CI has).
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONPATH := $(CURDIR)

.PHONY: demo test serve stop bench synth deploy clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(PY) -m infra.local.demo

test: $(VENV)/.installed
	$(PY) -m pytest

serve: $(VENV)/.installed
	PORT=$(PORT) AWS_PORT=$(AWS_PORT) $(PY) -m infra.local.serve

# Stops the `make serve` of this PORT (it writes its process id to .serve-$(PORT).pid).
stop:
	@test -f .serve-$(PORT).pid || { echo "no make serve running on port $(PORT)"; exit 1; }
	kill $$(cat .serve-$(PORT).pid)

bench: $(VENV)/.installed
	$(PY) -m pip install --quiet "pywa==4.5.0"
	$(PY) -m bench.run

synth: $(VENV)/.installed
	$(PY) -c "from infra.app import build_app; build_app(outdir='cdk.out', context={'stage': '$(STAGE)', 'nag': '$(NAG)', 'aws:cdk:bundling-stacks': []}).synth()"
	@echo "synthesized to cdk.out/"

# Deploying needs AWS credentials and the CDK CLI (npx aws-cdk); layers are built with pip, not Docker.
deploy: $(VENV)/.installed
	npx --yes aws-cdk@2 deploy --app "$(PY) -m infra.app" -c stage=$(STAGE) --require-approval never

clean:
	rm -rf $(VENV) cdk.out .bench .pytest_cache .hypothesis
