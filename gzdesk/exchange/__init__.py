"""Exchange with the outside world: the Excel 台账 (export and import) and snapshots (上报)."""
