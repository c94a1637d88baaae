"""The benchmark (``python bench/run.py --scale 100k``); see bench/README.md."""
