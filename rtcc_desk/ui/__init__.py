"""Qt user interface (the only layer that imports PySide6); arrives with the desk."""
