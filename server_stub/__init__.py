"""Central registry and upload server (FastAPI): camera registrations, requests, uploads, audit."""
