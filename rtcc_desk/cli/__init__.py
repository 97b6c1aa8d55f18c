"""Headless command line (`rtcc`): imports, correlation and demo data."""
