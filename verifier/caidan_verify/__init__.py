"""caidan-verify: recompute Caidan's published draws, rankings, evaluations, payment gates and
track records from its public data, with the Python standard library only."""

__version__ = "0.1.0"
