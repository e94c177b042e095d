# Benchmarks. `make bench` trains the rules model (timed, rewrites models/rules.joblib), then
# times loading and scoring against alt-profanity-check on the same comments.
# `make bench-quick` skips training. Extra arguments: make bench ARGS="--n 5000 --runs 3".
PYTHON ?= python

.PHONY: bench bench-quick

bench:
	$(PYTHON) bench/bench_rules.py --reference $(ARGS)

bench-quick:
	$(PYTHON) bench/bench_rules.py --skip-train $(ARGS)
