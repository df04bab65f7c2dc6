# make reproduce : every numbered notebook under the default (laptop) preset -> results/
# make test      : unit tests, then every notebook under `smoke` via papermill, checked by nbval
PY ?= python3
STAMP := .cache/install.stamp

.PHONY: install data reproduce test unit notebooks-smoke clean
install: $(STAMP)
$(STAMP): requirements.txt pyproject.toml tools/install.sh
	PY=$(PY) bash tools/install.sh
	mkdir -p .cache && touch $(STAMP)

data: install
	$(PY) -m mlrlib build-data --preset laptop

reproduce: data
	$(PY) tools/run_notebooks.py --preset laptop --inplace

test: unit notebooks-smoke

unit: install
	$(PY) -m pytest -q tests

notebooks-smoke: install
	rm -rf build/notebooks
	$(PY) tools/run_notebooks.py --preset smoke --out build/notebooks
	$(PY) -m pytest -q --nbval-lax -p no:cacheprovider build/notebooks

clean:
	rm -rf build .cache/install.stamp
