"""Qingdan: publish a government's official lists (YAML in git) as a searchable static site."""

__version__ = "0.1.0"
