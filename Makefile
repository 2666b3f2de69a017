# bound_demo: two commands matter. `make serve` builds and serves the site; `make test` runs
# every test. Both set up .venv from the pinned requirements first.
.PHONY: serve test bench fuzz venv site

venv:
	@scripts/venv.sh

serve: venv
	@scripts/serve.sh

site: venv
	@scripts/build-site.sh

test: venv
	@scripts/test.sh

bench: venv
	@.venv/bin/python -m bound_demo.bench

fuzz: venv
	@BOUND_DEMO_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests -q -k "fuzz or property or differential"

bench-real: venv
	@.venv/bin/python -m bound_demo.bench_real
.PHONY: bench-real

# Which pyo3 releases on crates.io this checkout does not cover yet (model, witness, compile
# crates, pages). It informs and always succeeds; `make test` never runs it.
upstream: venv
	@.venv/bin/python -m tools.rustcheck.upstream
.PHONY: upstream
