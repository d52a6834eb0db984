"""The search engine over one index generation: its on-disk format, store, vectors and retrieval.

Nothing here knows about ingest, answering or user interfaces (`archive/`, `tui/` sit above
and import this package; it imports neither). Its errors (`index.errors`) and record types
(`index.records`) are re-exported by `archive` as part of the public API.
"""
