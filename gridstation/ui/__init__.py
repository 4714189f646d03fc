"""The desk: PySide6 widgets that reach data only through the service layer."""
