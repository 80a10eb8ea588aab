# Thin entry points; the work is done by the scripts they call.
.PHONY: setup serve stop test test-fast test-galaxy lint bench

setup:  ## build (or reuse) the Galaxy and tool-runtime venvs
	scripts/setup_envs.sh

serve:  ## local Galaxy on http://127.0.0.1:8080 with the tools and a demo history
	scripts/serve.sh

stop:  ## stop the Galaxy started by `make serve`
	scripts/galaxy/stop.sh

test:  ## lint, unit tests and tool tests on a fresh local Galaxy (port 8181)
	scripts/run_tests.sh

test-fast:  ## lint and every test that needs no Galaxy, on both cores (a few minutes with warm venvs)
	scripts/run_fast_tests.sh $(PYTEST_ARGS)

test-galaxy:  ## start (or reuse) the test Galaxy for scripts/test_galaxy.sh pytest|planemo ... (docs/testing.md)
	scripts/test_galaxy.sh up

lint: setup  ## ruff and planemo lint only
	scripts/lint.sh

bench:  ## runner benchmarks against baselines from the same run (~5 min); see docs/benchmarks.md
	scripts/bench/run.sh $(BENCH_ARGS)
