"""Central registry and upload server (FastAPI); arrives with issue 3."""
