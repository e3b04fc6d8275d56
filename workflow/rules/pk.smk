# Rules of the pk area (not yet written).
