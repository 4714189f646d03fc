"""The service layer: the only door from the desk, the CLI (and later sync and printing) to the domain and storage."""
