# Rules of the translation area (not yet written).
