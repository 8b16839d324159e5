"""Compatibility shim: the shortlist moved to :mod:`alu.registry.shortlist` (the index
cache to :mod:`alu.registry.cache`). Old imports keep working."""

from alu.registry.cache import INDEX_CACHE as _CACHE
from alu.registry.shortlist import Shortlist, cache_stats, clear_memos, shortlist

__all__ = ["_CACHE", "Shortlist", "cache_stats", "clear_memos", "shortlist"]
