"""Pure domain layer: cameras, calls, geometry and correlation — no Qt, HTTP or database."""
