"""Sync at the desk: the controller that runs syncs off the screen's thread, the status-bar indicator, and the
sync dialogs (settings and enrolment, 日终同步, conflicts, new work orders)."""
