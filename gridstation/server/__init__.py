"""The sub-district server (城运中心): receives every station's events, sends work orders and updates down."""
