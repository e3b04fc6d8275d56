# Rules of the report area (not yet written).
