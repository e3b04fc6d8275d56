# Rules of the behaviour area (not yet written).
