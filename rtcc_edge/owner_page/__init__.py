"""The owner's local web page on the box (loopback or LAN only)."""
