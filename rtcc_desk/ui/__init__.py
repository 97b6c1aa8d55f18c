"""The analyst workstation (PySide6): the only package that imports Qt."""
