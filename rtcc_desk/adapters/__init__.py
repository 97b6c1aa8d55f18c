"""Adapters to outside systems: CAD formats, camera files, the local store."""
