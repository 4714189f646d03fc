"""Pure domain logic: cases, their event log, lifecycle, SLA and numbering. No Qt, no SQL."""
