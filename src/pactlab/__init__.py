"""pactlab: a computable theory of alliance design."""

__version__ = "0.1.0"
