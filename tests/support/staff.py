"""The station's staff in the tests: the administrator every test station is created with, and a clerk."""

from __future__ import annotations

ADMIN_NAME = "王芳"
ADMIN_PIN = "246810"  # administrators need at least 6 digits (issue 13, item 6)
CLERK_NAME = "李明"
CLERK_PIN = "1357"
