"""The business edge recorder: up to 4 cameras on local disk, shared with the RTCC only on request."""
