# make reproduce : the shared teacher (make teacher), then every numbered notebook under the default (laptop) preset -> results/,
#                  then every claims table and the reproduction report rebuilt from the per-query files (make report)
# make test      : lint and unit tests, every benchmark script in its --quick mode (tiny sizes, nothing measured or
#                  written to results/), every notebook under `smoke` via papermill (checked clean, then by nbval,
#                  then each claims table rebuilt from its per-query file: python -m mlrlib claims --check), every
#                  notebook under `rehearsal` (the `paper` presets on local stand-ins), the committed claims tables
#                  checked the same way, then a clean smoke run compared with a killed-and-resumed clean one (determinism)
# make site      : the companion site from what is committed (no execution) -> build/site/index.html
# make lab       : JupyterLab on the notebooks, with this project's Python as their kernel
# make bench     : speed and memory benchmarks -> results/benchmarks/ (not part of the tests)
PY ?= python3
STAMP := .cache/install.stamp

.PHONY: install data teacher reproduce report test unit notebooks-smoke notebooks-rehearsal determinism site site-check lab binder-check bench bench-quick bench-laptop-memory clean
install: $(STAMP)
$(STAMP): requirements.txt requirements-models.txt pyproject.toml tools/install.sh
	PY=$(PY) bash tools/install.sh
	mkdir -p .cache && touch $(STAMP)

# the laptop benchmark, and its dataset card docs/benchmark.md with the zero-shot power pilot (a few minutes)
data: install
	$(PY) -m mlrlib build-data --preset laptop --power --card docs/benchmark.md

# the cross-encoder teacher of notebooks 03-05, trained once with its learning-curve snapshots (its time is reported
# once, here; the notebooks load it from the cache)
teacher: data
	$(PY) -m mlrlib build-teacher --preset laptop

reproduce: data teacher
	$(PY) tools/run_notebooks.py --preset laptop --inplace
	$(PY) -m mlrlib claims

# every claims table and results/README.md rebuilt from the committed per-query files (make reproduce runs it last)
report:
	$(PY) -m mlrlib claims

# the determinism check's clean run is the smoke run of notebook 03 that notebooks-smoke just made (from an empty
# cache on a clean clone, as in CI); `make determinism` alone makes its own
test: unit site-check bench-quick notebooks-smoke notebooks-rehearsal
	$(PY) -m mlrlib claims --check
	$(PY) tools/check_determinism.py --only 03 --reference $${MLRLIB_RESULTS:-results}

# lint (ruff, line length 120: pyproject.toml), then the unit tests (Chromium first: tests/tools/test_site.py drives it)
unit: install
	$(PY) -m ruff check mlrlib tests tools benchmarks site
	bash tools/install_browser.sh
	$(PY) -m pytest -q tests

notebooks-smoke: install
	rm -rf build/notebooks
	$(PY) tools/run_notebooks.py --preset smoke --out build/notebooks
	$(PY) -m pytest -q --nbval-lax -p no:cacheprovider build/notebooks
	$(PY) -m mlrlib claims --check --preset smoke --results $${MLRLIB_RESULTS:-results}

# every `paper` preset's code path on local stand-ins of its hub models and data (mlrlib/runtime/standins.py),
# two steps per model: catches what would break on the GPU machine before it runs there. One thread: these tiny
# models gain nothing from a second one, and on a busy machine two threads ran a training step 30x slower (measured)
notebooks-rehearsal: install
	rm -rf build/rehearsal
	OMP_NUM_THREADS=1 $(PY) tools/run_notebooks.py --preset rehearsal --out build/rehearsal

# the companion site: README as its landing page, the five executed notebooks, the reproduction report,
# docs/methods.md and the benchmark page, built by Sphinx + MyST-NB from the committed files (nothing executes)
site: install
	$(PY) tools/build_site.py --out build/site

# every page of the site loaded in Debian's headless Chromium (installed here where missing) from a local server:
# fails on an image that does not load, math left as raw $$...$$, a broken local link or a console error
site-check: site
	bash tools/install_browser.sh
	$(PY) tools/check_site.py build/site

# JupyterLab at the repository root, opened on notebooks/; the notebooks' kernel `python3` is this Python
# (tests/tools/test_lab.py starts it headless with these arguments and lists the notebooks over HTTP)
LAB_ARGS := --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks
lab: install
	$(PY) -m jupyter lab $(LAB_ARGS)

determinism: install
	$(PY) tools/check_determinism.py --only 03

# binder/ installed into a fresh virtual environment, postBuild, one smoke notebook (needs PyPI; minutes)
binder-check:
	bash tools/check_binder.sh

BENCH_STAMP := .cache/bench-install.stamp
$(BENCH_STAMP): benchmarks/requirements.txt $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check -r benchmarks/requirements.txt
	touch $(BENCH_STAMP)

bench: data $(BENCH_STAMP)
	$(PY) benchmarks/encoding.py
	$(PY) benchmarks/search.py
	$(PY) benchmarks/training.py
	$(PY) benchmarks/training_flops.py
	$(PY) benchmarks/memory.py --preset smoke
	$(PY) benchmarks/memory.py --binder
	$(PY) benchmarks/allocator.py
	$(PY) benchmarks/streaming.py
	$(PY) benchmarks/summary.py

# every benchmark script with --quick: its real code path on a tiny size, reading the smoke benchmark (built into the
# cache when missing, as the smoke notebooks then reuse it), writing to build/bench-quick/ and never to
# results/benchmarks/: a benchmark that no longer runs fails here, not months later in `make bench`. The first (it
# builds the smoke benchmark into the cache) alone, then the rest two at a time, one thread each (with another job
# on the second core, training.py --quick took 37 s on one thread and 170 s on two, measured); a failure prints
# that script's log and stops the rest; each script's seconds are printed
BENCH_QUICK := encoding.py search.py training.py training_flops.py memory.py allocator.py streaming.py summary.py \
	de_l_convergence/curve.py teacher_search/sweep.py
bench-quick: $(BENCH_STAMP)
	rm -rf build/bench-quick && mkdir -p build/bench-quick && date +%s > build/bench-quick/started
	@start=$$(date +%s); OMP_NUM_THREADS=1 $(PY) benchmarks/$(firstword $(BENCH_QUICK)) --quick \
		> build/bench-quick/$(firstword $(BENCH_QUICK)).log 2>&1 \
		|| { cat build/bench-quick/$(firstword $(BENCH_QUICK)).log; exit 1; }; \
		echo "== benchmarks/$(firstword $(BENCH_QUICK)) --quick: $$(( $$(date +%s) - start )) s"
	@printf '%s\n' $(wordlist 2,$(words $(BENCH_QUICK)),$(BENCH_QUICK)) | xargs -P 2 -I{} sh -c \
		'log=build/bench-quick/$$(echo {} | tr / _).log; start=$$(date +%s); \
		 OMP_NUM_THREADS=1 $(PY) benchmarks/{} --quick > $$log 2>&1 || { cat $$log; echo "FAILED: benchmarks/{} --quick"; exit 255; }; \
		 echo "== benchmarks/{} --quick: $$(( $$(date +%s) - start )) s"'
	@echo "== bench-quick: $$(( $$(date +%s) - $$(cat build/bench-quick/started) )) s in all"

# peak memory of the laptop presets: each notebook in turn, a cold cache (about 2 hours on 2 cores)
bench-laptop-memory: data $(BENCH_STAMP)
	$(PY) benchmarks/memory.py --preset laptop
	$(PY) benchmarks/summary.py

clean:
	rm -rf build .cache/install.stamp .cache/bench-install.stamp
