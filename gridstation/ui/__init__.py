"""The desk: PySide6 widgets that reach data only through the service layer."""

from gridstation.ui.immortal_singletons import make_singletons_immortal

# Before any widget exists: PySide6 6.12 on Python 3.11 gives away a reference to None on every void call.
make_singletons_immortal()
