"""Evaluation of an exported model file on held-out photos: no torch (the ``eval`` extra suffices).

- ``heldout``: the held-out sets; ``decisions``: the serving decision over many photos;
- ``metrics``: metrics with bootstrap intervals; ``degradations``: unusable and everyday photo changes;
- ``report``: reports/report.md and figures; ``manifest``: the split manifest's writer, reader and paths;
- ``evaluate``: all of it -> reports/.
"""
