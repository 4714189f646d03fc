"""Paper: receipt slips, follow-up and area feedback forms, and the morning report, rendered to PDF by reportlab.

Renderers take plain data (`documents.py`) built by the service layer and return PDF bytes; they never touch the
database or Qt, so they run on any thread and in the server too. Layouts are templates in `forms/`.
"""
