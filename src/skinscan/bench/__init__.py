"""Benchmarks (`skinscan bench`): model, API, load and page speed; results in bench/results/*.json."""
